#pragma once

#include <QtGlobal>

namespace hil {

// Latency of the results that had an answer: exact nearest-rank percentiles (every figure is a recorded
// latency; see LatencyHistogram for how they are found without sorting the run).
struct LatencySummary {
    qint64 count = 0;
    qint64 minNs = 0;
    qint64 p50Ns = 0;
    qint64 p90Ns = 0;
    qint64 p95Ns = 0;
    qint64 p99Ns = 0;
    qint64 p999Ns = 0;
    qint64 maxNs = 0;
    double meanNs = 0;
    // False only if a percentile's histogram bucket held more values than StatisticsOptions allows to
    // collect; that percentile is then interpolated within its bucket (at most 3.1 % off).
    bool exact = true;
};

} // namespace hil
