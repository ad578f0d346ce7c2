#pragma once

#include <QString>

class QTextStream;

namespace hilbench {

struct LongRunOptions {
    int devices = 64;
    double hours = 72;
    double rateHz = 20;  // step results per second per device
    bool keep = false;   // keep the database and the reports (HIL_BENCH_LONGRUN_KEEP=1)
    bool rowPath = true; // also time the reports read from the rows (HIL_BENCH_LONGRUN_ROWS=0: not)
};

// The report of a weekend soak: writes one run of options.hours with options.devices devices, each
// answering options.rateHz steps a second (64 × 20 Hz × 72 h ≈ 332 M step results), with a 60 s blackout
// on every device every 6 hours, failures inside them marked expected, rare unexcused failures, and one
// measurement per device per second; then measures `hil report` (summary, --html, --pdf) on it as child
// processes (wall time, peak RSS) and the statistics in this process. Prints a table. The run's rollups
// are written as the recorder writes them (StepRollup, every 5 s of the run's time); the reports are timed
// from the rollups, then again from the rows of the same file after its rollups are deleted.
bool runLongRunBenchmark(const LongRunOptions &options, QTextStream &out, QString *error);

} // namespace hilbench
