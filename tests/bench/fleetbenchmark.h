#pragma once

#include <QString>

class QTextStream;

namespace hilbench {

struct FleetOptions {
    int devices = 64;           // simulated devices, one hil-sim process each
    int rateHz = 20;            // polls per device per second: the scenario loop's period is 1/rate
    qint64 durationMs = 60'000; // of each run (the single-device run and the fleet run)
    int sampleMs = 1000;        // /proc sampling interval of the hil run process
    int load = 2;               // busy processes competing for the CPUs during the runs
    int nice = 0;               // hil run --nice (0: not given)
};

// Many devices: two runs of `hil run` as a child process, one after the other in the same invocation,
// on files generated in a temporary directory: one device, then options.devices devices (each a
// `hil-sim envsensor --tcp` process), polled by one loop `repeat: {for: D, every: 1/rate}` whose steps
// read each device once. Reads every step result back from the databases and prints latency, lateness
// (as recorded, and of each iteration's first step against its slot), each device's polling interval,
// exchanges recorded against the schedule and skipped slots. Returns false with *error when a run cannot
// be made or its database does not hold what the schedule and its skipped slots account for.
// HIL_BENCH_KEEP=1 keeps the directory.
bool runFleetBenchmark(const FleetOptions &options, QTextStream &out, QString *error);

} // namespace hilbench
