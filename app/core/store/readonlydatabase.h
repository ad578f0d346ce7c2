#pragma once

#include <QString>

struct sqlite3;

namespace hil {

// Opens a results database for reading only, for `hil runs`, reports and the app's history. It works
// where this user may not write: another user's file, an archive in a read-only folder. SQLite reads a
// WAL database through a -shm file beside it, which a reader cannot create in a read-only folder; then,
// when no write-ahead log (-wal) with commits and no rollback journal lie beside the file, the file alone
// holds the whole database and is opened with immutable=1 (SQLite then neither locks nor looks for the
// -shm). A database with a -wal in such a folder is refused with the way out (copy both files).
//
// Returns the connection (the caller closes it) and the schema version in *version, or nullptr with
// *error, a sentence that names the file and the real cause: no file by that name, a folder or file this
// user may not read, not a file, not an SQLite file, not a results database (no runs table). The
// schema version is not judged here.
sqlite3 *openResultsDatabase(const QString &path, int *version, QString *error);

// The "file:" URI under which openResultsDatabase() reads path (mode=ro, or mode=ro&immutable=1 in a
// read-only folder), for an ATTACH (hil merge's sources); empty with *error as above.
QString readOnlyUri(const QString &path, QString *error);

} // namespace hil
