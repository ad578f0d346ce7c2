#pragma once

#include <QString>

namespace hil {

class PgConnection;

// The central store's schema version (table hil_schema; docs/schema.md, "Central store").
constexpr int kCentralSchemaVersion = 1;

enum class CentralSchemaState { Ready, Newer, Failed };

// Creates the central schema in the connection's database if it is missing, and migrates an older one
// forward, in one transaction under an advisory lock (two benches pushing at once create it once).
// Newer: the database was made by a later version of hil, and is left untouched. Failed: *error.
CentralSchemaState ensureCentralSchema(PgConnection &pg, QString *error);
// For readers: the version found, without creating anything (0: no central schema in this database).
int centralSchemaVersion(PgConnection &pg, QString *error);

} // namespace hil
