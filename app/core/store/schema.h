#pragma once

#include <QString>

struct sqlite3;

namespace hil {

// The results database schema, versioned with PRAGMA user_version (docs/schema.md). A database of an
// older version is migrated forward in one transaction; a newer one is refused.
constexpr int kSchemaVersion = 7;

// Sets the connection's pragmas (WAL, synchronous=NORMAL, foreign keys, busy timeout) and creates or
// migrates the schema. Returns false with *error on failure.
bool prepareDatabase(sqlite3 *db, QString *error);

} // namespace hil
