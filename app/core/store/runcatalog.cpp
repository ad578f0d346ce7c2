#include "core/store/runcatalog.h"

#include "core/store/readonlydatabase.h"
#include "core/store/runheaderrow.h"
#include "core/store/sqlitestatement.h"

#include <sqlite3.h>

namespace hil {

std::optional<QList<RunHeader>> listRuns(const QString &dbPath, QString *error) {
    int version = 0;
    sqlite3 *db = openResultsDatabase(dbPath, &version, error);
    if (!db)
        return std::nullopt;
    QList<RunHeader> rows;
    bool ok = false;
    {
        const QByteArray sql = runHeaderSelect(version) + " ORDER BY id";
        SqliteStatement q(db, sql.constData());
        if (!q.ok()) {
            if (error)
                *error = QStringLiteral("cannot read the runs of %1: %2").arg(dbPath, q.error());
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
