#pragma once

#include "core/analysis/failuredetail.h"
#include "core/analysis/latencyhistogram.h"
#include "core/analysis/latencysummary.h"
#include "core/analysis/statmath.h"
#include "core/analysis/timeseries.h"

#include <QList>
#include <QString>

namespace hil {

struct StepStatistics {
    QString phase;
    int stepIndex = 0;
    QString step;
    QString device;
    qint64 results = 0;
    qint64 pass = 0, fail = 0, error = 0, abort = 0, marginal = 0;
    // FAIL and ERROR while a fault acted on the device or it recovered (schema 2): caused on purpose, so
    // in none of fail, error, the failure rate, streaks or availability.
    qint64 expected = 0;
    // Tries of a retry/until step that a later try followed (schema 5): recorded, in none of the counts
    // above nor in results (their latencies still count: the device did answer them).
    qint64 retried = 0;
    bool swept = false; // ran with `for_each:` values: its measurements are charted as sweeps
    qint64 totalNs = 0; // sum of the results' durations
    LatencySummary latency;
    LatencyHistogram histogram;
    TimeSeries latencyOverTime; // values in ns
    Proportion failureRate;     // FAIL among PASS + FAIL (ERROR and ABORT are not the device's)
    qint64 flips = 0;           // changes between PASS and FAIL in time order
    qint64 longestFailStreak = 0;
    qint64 longestFailStreakStartNs = 0;
    QList<FailureDetail> firstFailures; // FAIL and ERROR, in time order, up to failuresPerStep
    QList<FailureDetail> firstRetried;  // retried tries, in time order, up to failuresPerStep

    bool flaky() const { return pass > 0 && fail > 0; }
};

} // namespace hil
