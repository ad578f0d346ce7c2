#pragma once

#include "core/analysis/runstatistics.h"

namespace hil {

struct CompareOptions {
    // A latency percentile regresses when it grows by more than this share of the baseline's value and by
    // more than minLatencyDeltaNs (so that microsecond noise on a fast device is not a regression).
    double latencyThreshold = 0.20;
    qint64 minLatencyDeltaNs = 100'000;
};

// One step, matched between the runs by phase, step name and device (not by index, so that a scenario
// that gained a step still compares).
struct StepComparison {
    QString phase;
    QString step;
    QString device;
    bool inBaseline = false;
    bool inCandidate = false;
    LatencySummary baseline, candidate;
    Proportion baselinePass, candidatePass; // PASS among PASS + FAIL
    // 95 % interval of (candidate failure rate - baseline failure rate), Newcombe's hybrid score method
    // (Wilson intervals of each side combined); a regression when the whole interval lies above 0.
    double failureDeltaLow = 0, failureDeltaHigh = 0;
    bool latencyRegression = false;
    bool passRateRegression = false;
    QStringList reasons; // one line per regression: "p95 0.41 ms -> 0.98 ms (+139 %)"

    bool regression() const { return latencyRegression || passRateRegression; }
};

struct RunComparison {
    RunHeader baseline;
    RunHeader candidate;
    CompareOptions options;
    QList<StepComparison> steps;
    int regressions = 0; // steps with a regression
};

// Compares candidate against baseline, step by step. p95 is compared when both sides have at least 20
// latencies, p99 at 100; p50 always.
RunComparison compareRuns(const RunStatistics &baseline, const RunStatistics &candidate,
                          const CompareOptions &options = {});

} // namespace hil
