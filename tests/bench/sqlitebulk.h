#pragma once

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

} // namespace hilbench
