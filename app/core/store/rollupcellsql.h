#pragma once

#include "core/store/sqliteerror.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <sqlite3.h>
#include <string>

namespace hil::rollupsql {

// The writing side the rollups share (steprollup.cpp, samplerollup.cpp): each cell is one INSERT OR
// REPLACE whose parameter 1 is the row id the cell has (an update) or NULL (a new row).

// A step's key for a map of its cells: phase, index, step and device.
inline void makeKey(std::string &key, QByteArrayView phase, qint64 index, QByteArrayView step,
                    QByteArrayView device) {
    key.clear();
    key.append(phase.data(), static_cast<size_t>(phase.size()));
    key.push_back('\x1f');
    key.append(reinterpret_cast<const char *>(&index), sizeof index);
    key.append(step.data(), static_cast<size_t>(step.size()));
    key.push_back('\x1f');
    key.append(device.data(), static_cast<size_t>(device.size()));
}

inline void bindBytes(sqlite3_stmt *s, int i, const QByteArray &b) {
    sqlite3_bind_text(s, i, b.constData(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
}

inline void bindRowId(sqlite3_stmt *s, qint64 rowId) {
    if (rowId > 0)
        sqlite3_bind_int64(s, 1, rowId);
    else
        sqlite3_bind_null(s, 1);
}

// Runs a bound INSERT OR REPLACE and keeps the row's id for the cell's next write.
inline bool insertCell(sqlite3 *db, sqlite3_stmt *s, qint64 *rowId, QString *error) {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE) {
        *error = describeSqliteError(db, rc);
        return false;
    }
    *rowId = sqlite3_last_insert_rowid(db);
    return true;
}

} // namespace hil::rollupsql
