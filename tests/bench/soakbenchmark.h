#pragma once

#include <QString>

class QTextStream;

namespace hilbench {

struct SoakOptions {
    qint64 exchanges = 1'000'000; // step results of the run: iterations x 2 devices
    int faultPeriodMs = 10'000;   // the fault timeline's base period P (windows recur every 1.3P .. 4.3P)
    int sampleMs = 1000;          // /proc sampling interval
    double warmupFraction = 0.1;  // warm-up: until this share of the exchanges is recorded
};

// A long run with faults: `hil run` as a child process (the product as a soak runs it: Runner, Bench,
// Recorder, real hil-sim processes, a real SQLite file) on a scenario and fixture generated in a
// temporary directory, with its RSS (/proc/<pid>/status VmRSS), open descriptors (/proc/<pid>/fd) and
// simulator children sampled every options.sampleMs, and the rows recorded read back from the database
// while it runs and after. Prints the figures. Returns false with *error when the run cannot be made or
// does not record every exchange; memory figures are printed, not judged by the return value.
// HIL_BENCH_KEEP=1 keeps the directory.
bool runSoakBenchmark(const SoakOptions &options, QTextStream &out, QString *error);

} // namespace hilbench
