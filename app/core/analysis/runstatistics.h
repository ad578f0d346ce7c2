#pragma once

#include "core/analysis/deviceavailability.h"
#include "core/analysis/evententry.h"
#include "core/analysis/faultstatistics.h"
#include "core/analysis/finding.h"
#include "core/analysis/latencysummary.h"
#include "core/analysis/measurementstatistics.h"
#include "core/analysis/statmath.h"
#include "core/analysis/stepstatistics.h"
#include "core/analysis/sweepstatistics.h"
#include "core/store/runquery.h"

#include <QList>
#include <QMap>
#include <QString>
#include <optional>

namespace hil {

// Everything a report shows about one run, computed from its database by streaming over its rows in a
// few passes: memory is bounded by the number of distinct steps, measurements, devices and faults and
// by the limits in StatisticsOptions, never by the number of step results or samples. (One compact index
// of 12 bytes per step result maps samples to their steps.) Times are monotonic ns since the run
// started. docs/reports.md defines every figure.

struct RunStatistics {
    RunHeader run;
    qint64 spanNs = 1; // the time axis: the run's duration, or its last recorded time if it did not finish
    int timelineBins = 0;
    qint64 binNs = 1;
    // Read from the run's rollups (store/steprollup.h) instead of every step result: the same figures,
    // but each percentile within one histogram bucket (marked not exact).
    bool fromRollup = false;

    QList<StepStatistics> steps; // in order of phase, then step index
    QList<MeasurementStatistics> measurements;
    QList<SweepStatistics> sweeps; // measurements of swept steps against the swept values (schema 5)
    QList<DeviceAvailability> devices;
    QList<FaultStatistics> faults;
    bool faultsFromEvents = false; // no faults table rows: windows paired from fault-start/fault-end events

    QList<EventEntry> events; // the first StatisticsOptions::eventLimit, in time order
    qint64 eventCount = 0;
    QMap<QString, qint64> eventKinds;

    QList<FailureDetail> failures;  // unexpected FAIL and ERROR results in time order, up to failureDetails
    qint64 failureCount = 0;        // all unexpected FAIL and ERROR results
    qint64 expectedCount = 0;       // FAIL and ERROR results during faults
    qint64 retriedCount = 0;        // tries a later try followed (in no other count)
    QList<qint64> failuresOverTime; // FAIL and ERROR results per time bin (timelineBins)
    QList<qint64> errorsOverTime;   // of which ERROR

    LatencySummary latency; // of all steps together
    // The same split by whether a fault acted on the device (step_results.fault_id, schema 2): outside is
    // the device's own latency, during includes what the faults injected. From histograms (within 3.1 %).
    LatencySummary latencyOutsideFaults, latencyDuringFaults;
    // Answers whose latency is not counted: the harness stalled while they were in flight (schema 4).
    qint64 stallExcludedCount = 0;
    Proportion failureRate; // FAIL among PASS + FAIL over all steps
    qint64 upNs = 0, downNs = 0;
    std::optional<double> availability;
    qint64 failureEpisodes = 0;
    std::optional<double> mtbfNs;
    qint64 longestFailStreak = 0;
    QString longestFailStreakStep;
    qint64 longestFailStreakStartNs = 0;

    // What went wrong, worst first; empty for a clean run. findings.first() is the report's headline.
    QList<Finding> findings;

    qint64 stepResultCount() const;
    qint64 sampleCount() const;
    QList<const StepStatistics *> flakySteps() const;
};

struct StatisticsOptions {
    int timelineBins = 600;    // time bins of series and availability timelines
    int rawPointLimit = 2000;  // a series with at most this many samples keeps every sample
    int failuresPerStep = 10;  // failure details kept per step (the JUnit file shows these)
    int failureDetails = 100;  // failure details kept for the whole run, in time order
    int exchangeFailures = 20; // failures shown with the exchanges around them
    int exchangeLines = 12;    // lines per such failure
    qint64 exchangeWindowNs = 2'000'000'000;
    int responseBytes = 4096; // of each failure's answer
    int eventLimit = 1000;    // events listed
    bool measurements = true; // false: skip the samples pass (for a baseline, only steps are compared)
    qint64 maxCollected = 16'000'000; // values collected for exact percentiles (8 bytes each)
    // Step results whose step is remembered by id (2 bytes each) for the later passes; past it the
    // percentiles are taken from the histograms and the samples pass reads each sample's step result.
    qint64 stepIndexLimit = 16'000'000;
    // Read the step figures from the run's rollups when it has complete ones and is long enough for its
    // time bins to be whole rollup bins (100 min at 600 bins); false: always from the rows.
    bool rollups = true;
};

// Computes the statistics of run runId. nullopt with *error if the database cannot be read.
std::optional<RunStatistics> computeRunStatistics(const RunQuery &db, qint64 runId,
                                                  const StatisticsOptions &options, QString *error);

} // namespace hil
