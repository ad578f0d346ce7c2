#pragma once

#include <QList>

namespace hil {

// The columns a run's rows carry between a results file and a central store, table by table: the one
// list from which the central schema, `hil push`'s reads and COPYs and the fetch back into a file are
// all made. Every table but runs also has id (the row's id in the bench's file, unique within its run)
// and run_id; runs has id and the columns below.
enum class ColumnType { Int, Real, Text, Blob };

struct CentralColumn {
    const char *name;
    ColumnType type;
    int since;               // the results-file schema version that added it (docs/schema.md)
    const char *fileDefault; // its value when read from an older file
};

struct CentralTable {
    const char *name;
    int since; // the results-file schema version that added the table
    QList<CentralColumn> columns;
};

// runs, then step_results, measurements, events, exchanges, faults.
const QList<CentralTable> &centralTables();
const CentralTable &centralTable(const char *name);

} // namespace hil
