#pragma once

#include <QString>

struct sqlite3;

namespace hil {

// How long a connection waits for another program's lock before it gives up with SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 5000;

// The cause of a failed SQLite call on `db` (result code `rc`) in plain words: a full disk, a file size
// limit, a read-only file, a lock held by another program; otherwise SQLite's own message. Callers put
// the database file's name in front. Call on the connection's thread right after the failure. `rc` is
// the failed call's code; SQLITE_OK (a code lost on the way) means the connection's last error. SQLite's
// own words are added only when they describe this failure, so never as "(SQLite: not an error)".
QString describeSqliteError(sqlite3 *db, int rc);

} // namespace hil
