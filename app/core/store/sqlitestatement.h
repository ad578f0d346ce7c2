#pragma once

#include <QByteArray>
#include <QString>
#include <optional>
#include <sqlite3.h>

namespace hil {

// A prepared statement that finalizes itself, with typed bind and column helpers. SQL is always a
// constant; values go in through bind() only (DESIGN.md, Data). Use on the thread that owns the connection.
class SqliteStatement {
public:
    SqliteStatement(sqlite3 *db, const char *sql)
        : m_db(db) {
        m_rc = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr);
    }
    ~SqliteStatement() { sqlite3_finalize(m_stmt); }
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool ok() const {
        return m_stmt != nullptr && (m_rc == SQLITE_OK || m_rc == SQLITE_ROW || m_rc == SQLITE_DONE);
    }
    // SQLite's words for the statement's failure (never "not an error" when a later call succeeded).
    QString error() const {
        const bool connectionSaysThis = sqlite3_errcode(m_db) != SQLITE_OK;
        return QString::fromUtf8(connectionSaysThis || m_rc == SQLITE_OK || m_rc == SQLITE_ROW
                                         || m_rc == SQLITE_DONE
                                     ? sqlite3_errmsg(m_db)
                                     : sqlite3_errstr(m_rc));
    }
    sqlite3_stmt *get() const { return m_stmt; }

    void bind(int i, qint64 v) { sqlite3_bind_int64(m_stmt, i, v); }
    void bind(int i, const QString &v) {
        const QByteArray utf8 = v.toUtf8();
        sqlite3_bind_text(m_stmt, i, utf8.constData(), static_cast<int>(utf8.size()), SQLITE_TRANSIENT);
    }
    void bindNull(int i) { sqlite3_bind_null(m_stmt, i); }

    // Steps once: true while there is a row. After false, done() tells a clean end from an error.
    bool next() {
        m_rc = sqlite3_step(m_stmt);
        return m_rc == SQLITE_ROW;
    }
    bool done() const { return m_rc == SQLITE_DONE; }
    // Runs a statement that returns no rows; true on success.
    bool exec() {
        m_rc = sqlite3_step(m_stmt);
        return m_rc == SQLITE_DONE || m_rc == SQLITE_ROW;
    }
    void reset() {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
        m_rc = SQLITE_OK;
    }

    bool isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
    qint64 int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    double real(int col) const { return sqlite3_column_double(m_stmt, col); }
    std::optional<qint64> optInt64(int col) const {
        return isNull(col) ? std::nullopt : std::optional<qint64>(int64(col));
    }
    std::optional<double> optReal(int col) const {
        return isNull(col) ? std::nullopt : std::optional<double>(real(col));
    }
    QString text(int col) const {
        const auto *p = sqlite3_column_text(m_stmt, col);
        return p ? QString::fromUtf8(reinterpret_cast<const char *>(p), sqlite3_column_bytes(m_stmt, col))
                 : QString();
    }
    QByteArray blob(int col) const {
        const void *p = sqlite3_column_blob(m_stmt, col);
        return p ? QByteArray(static_cast<const char *>(p), sqlite3_column_bytes(m_stmt, col)) : QByteArray();
    }
    // A BLOB column's bytes without a copy, valid until the next step or reset.
    QByteArrayView blobView(int col) const {
        const void *p = sqlite3_column_blob(m_stmt, col);
        return p ? QByteArrayView(static_cast<const char *>(p), sqlite3_column_bytes(m_stmt, col))
                 : QByteArrayView();
    }
    // The column's bytes without a copy, valid until the next step or reset.
    QByteArrayView bytes(int col) const {
        const auto *p = sqlite3_column_text(m_stmt, col);
        return p ? QByteArrayView(reinterpret_cast<const char *>(p), sqlite3_column_bytes(m_stmt, col))
                 : QByteArrayView();
    }

private:
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt = nullptr;
    int m_rc = SQLITE_OK;
};

} // namespace hil
