#include "core/store/runcatalog.h"

#include "core/store/runheaderrow.h"
#include "core/store/sqlitestatement.h"

#include <QFileInfo>
#include <sqlite3.h>

namespace hil {

std::optional<QList<RunHeader>> listRuns(const QString &dbPath, QString *error) {
    if (!QFileInfo::exists(dbPath)) {
        if (error)
            *error = QStringLiteral("%1: no such database").arg(dbPath);
        return std::nullopt;
    }
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(dbPath.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        if (error)
            *error = QStringLiteral("cannot open %1: %2").arg(dbPath, QString::fromUtf8(sqlite3_errmsg(db)));
        sqlite3_close(db);
        return std::nullopt;
    }
    sqlite3_busy_timeout(db, 5000);
    int version = 0;
    {
        sqlite3_stmt *v = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &v, nullptr) == SQLITE_OK
            && sqlite3_step(v) == SQLITE_ROW)
            version = sqlite3_column_int(v, 0);
        sqlite3_finalize(v);
    }
    QList<RunHeader> rows;
    bool ok = false;
    {
        const QByteArray sql = runHeaderSelect(version) + " ORDER BY id";
        SqliteStatement q(db, sql.constData());
        if (!q.ok()) {
            if (error)
                *error = QStringLiteral("%1 is not a results database: %2").arg(dbPath, q.error());
        } else {
            while (q.next())
                rows.append(readRunHeader(q));
            ok = q.done();
            if (!ok && error)
                *error = q.error();
        }
    }
    if (ok) {
        for (RunHeader &r : rows)
            applyLiveness(db, version, r);
    }
    sqlite3_close(db);
    if (!ok)
        return std::nullopt;
    return rows;
}

} // namespace hil
