#include "resultsdb.h"

#include "core/store/sqlitestatement.h"

#include <sqlite3.h>

namespace hilbench {

ResultsDb::~ResultsDb() {
    sqlite3_close(m_db);
}

bool ResultsDb::open(const QString &path, QString *error) {
    sqlite3_close(m_db);
    m_db = nullptr;
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        if (error)
            *error = QStringLiteral("cannot open %1: %2")
                         .arg(path, QString::fromUtf8(db ? sqlite3_errmsg(db) : "out of memory"));
        sqlite3_close(db);
        return false;
    }
    sqlite3_busy_timeout(db, 5000);
    m_db = db;
    return true;
}

std::optional<qint64> ResultsDb::scalar(const char *sql) const {
    if (!m_db)
        return std::nullopt;
    hil::SqliteStatement s(m_db, sql);
    if (!s.ok() || !s.next())
        return std::nullopt;
    return s.int64(0);
}

QList<QPair<QString, qint64>> ResultsDb::grouped(const char *sql) const {
    QList<QPair<QString, qint64>> rows;
    if (!m_db)
        return rows;
    hil::SqliteStatement s(m_db, sql);
    while (s.ok() && s.next())
        rows.append({s.text(0), s.int64(1)});
    return rows;
}

} // namespace hilbench
