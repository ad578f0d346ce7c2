#pragma once

#include <QString>

struct sqlite3;

namespace hil {

// How long a connection waits for another program's lock before it gives up with SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 5000;

// The cause of a failed SQLite call on `db` (result code `rc`) in plain words: a full disk, a file size
// limit, a read-only file, a lock held by another program; otherwise SQLite's own message. Callers put
// the database file's name in front. Call on the connection's thread right after the failure.
QString describeSqliteError(sqlite3 *db, int rc);

} // namespace hil
