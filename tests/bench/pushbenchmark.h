#pragma once

#include <QString>

class QTextStream;

namespace hilbench {

struct PushOptions {
    int steps = 1'000'000; // step results of the pushed run
    int rounds = 3;
};

// The central store, side by side on a real PostgreSQL server started for the benchmark
// (tests/support/postgresserver.h): `hil push` of a run of options.steps step results against
// `psql \copy` of the same step results from CSV into the same table (each into a fresh database with
// the schema already made), alternating, options.rounds each; then `hil report` of that run read from
// the store against the same from its SQLite file. Prints the medians and ratios.
bool runPushBenchmark(const PushOptions &options, QTextStream &out, QString *error);

} // namespace hilbench
