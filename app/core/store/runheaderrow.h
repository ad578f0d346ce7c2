#pragma once

#include "core/run/runheader.h"

#include <QByteArray>

struct sqlite3;

namespace hil {

class SqliteStatement;

// How a row of `runs` becomes a RunHeader, for every reader of run headers in the store (RunQuery::header
// and listRuns): one column list, one mapping, one rule for unfinished runs. Store-internal.

// "SELECT <the header's columns> FROM runs" for a file of this schema version; the caller appends its
// WHERE or ORDER BY (constant text; values are bound).
QByteArray runHeaderSelect(int schemaVersion);
// The header of the statement's current row (selected with runHeaderSelect()).
RunHeader readRunHeader(const SqliteStatement &row);
// A run still RUNNING in a file that names its writers (schema 3): marks it live, or, if its writer is
// gone, reads it as ended (ERROR "interrupted: ...", at the writer's last sign of life, with the counts of
// what was recorded). Never writes.
void applyLiveness(sqlite3 *db, int schemaVersion, RunHeader &header);

} // namespace hil
