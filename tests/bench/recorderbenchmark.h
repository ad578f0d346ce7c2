#pragma once

#include <QString>
#include <vector>

namespace hilbench {

struct RecorderOptions {
    int steps = 200000; // step results per run, each with one measurement: 2 rows per step
    int rounds = 5;     // runs of each writer, alternating
};

struct RecorderRound {
    qint64 recorderNs = 0;       // runStarted() up to the return of close(): everything committed
    qint64 recorderCallerNs = 0; // the part spent in runStarted() and the stepFinished() calls
    qint64 baselineNs = 0;       // BEGIN up to the return of COMMIT
};

struct RecorderResult {
    qint64 rowsPerRun = 0; // step results + measurements, counted back from each file after the run
    std::vector<RecorderRound> rounds;
    qint64 peakRssBeforeKiB = -1;
    qint64 peakRssAfterKiB = -1;
};

// Writes the same rows through hil::Recorder and through a plain loop of prepared INSERTs in one
// transaction, each into a new database file in a temporary directory, alternating the order round by
// round. Both databases get the engine's schema and pragmas (WAL, synchronous=NORMAL, foreign keys), so
// the difference is the recorder's own work. Returns false with *error on any SQLite or recorder failure,
// or if a file does not hold exactly the rows written.
bool runRecorderBenchmark(const RecorderOptions &options, RecorderResult *result, QString *error);

} // namespace hilbench
