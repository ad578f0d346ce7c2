#pragma once

#include "core/store/schema.h"

#include <QString>
#include <sqlite3.h>

namespace hilbench {

// A prepared statement for writing synthetic rows in bulk: bind, then run() steps and resets it.
class Statement {
public:
    Statement(sqlite3 *db, const char *sql) {
        m_ok = sqlite3_prepare_v2(db, sql, -1, &m_s, nullptr) == SQLITE_OK;
    }
    ~Statement() { sqlite3_finalize(m_s); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    bool ok() const { return m_ok; }
    sqlite3_stmt *get() const { return m_s; }
    bool run() {
        const int rc = sqlite3_step(m_s);
        sqlite3_reset(m_s);
        return rc == SQLITE_DONE;
    }

private:
    sqlite3_stmt *m_s = nullptr;
    bool m_ok = false;
};

// A new results file for synthetic rows: the current schema, then no journal, no syncs and a large cache,
// inside an open transaction (the caller commits). nullptr with *error if it cannot be made.
inline sqlite3 *openBulkDatabase(const QString &path, QString *error) {
    sqlite3 *db = nullptr;
    const auto fail = [&](const QString &why) -> sqlite3 * {
        *error = why;
        sqlite3_close_v2(db);
        return nullptr;
    };
    if (sqlite3_open(path.toUtf8().constData(), &db) != SQLITE_OK)
        return fail(QStringLiteral("cannot create %1: %2").arg(path, QString::fromUtf8(sqlite3_errmsg(db))));
    QString why;
    if (!hil::prepareDatabase(db, &why))
        return fail(why);
    if (sqlite3_exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; BEGIN",
                     nullptr, nullptr, nullptr)
        != SQLITE_OK)
        return fail(QStringLiteral("BEGIN: %1").arg(QString::fromUtf8(sqlite3_errmsg(db))));
    return db;
}

} // namespace hilbench
