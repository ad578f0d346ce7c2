#pragma once

#include "core/store/runfilter.h"

#include <QString>
#include <QStringList>

namespace hil {

class PgConnection;

// What a reading command (`hil runs`, `report`, `compare`, `trend`) asks of a central store.
struct FetchRequest {
    RunFilter filter;          // the runs wanted when no run is named (empty: all)
    QStringList runSpecs;      // runs named on the command line ("latest", an id, a uuid or a prefix of one)
    bool withBaseline = false; // also the run each named run compares with (RunQuery::previousRun's rule)
    bool headersOnly = false;  // the runs table alone (`hil runs`)
};

enum class FetchStatus {
    Done,
    BadRequest, // no central schema there, or a named run that is not there (exit 2)
    Failed,     // the server refused or went away, or its schema is newer (exit 3)
};

// Copies the requested runs of a central store into a new SQLite results file at sqlitePath (of the
// current schema), keeping the store's run ids, so that `hil report --run 42` means the same run in both.
// Rows keep their order; their ids are renumbered to be unique across the runs of different benches.
FetchStatus fetchRuns(PgConnection &pg, const FetchRequest &request, const QString &sqlitePath,
                      QString *error);

} // namespace hil
