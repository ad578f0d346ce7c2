#pragma once

#include "core/analysis/latencyhistogram.h"
#include "core/analysis/statmath.h"
#include "core/store/runquery.h"

#include <QByteArray>
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

// A value over time: one point per sample when there are few, else per time bin (min, mean, max).
struct TimePoint {
    qint64 tNs = 0; // the sample's time, or the middle of its bin
    double min = 0;
    double mean = 0;
    double max = 0;
    qint64 count = 0;
};
struct TimeSeries {
    bool binned = false;
    qint64 binNs = 0;
    QList<TimePoint> points;
};

struct ExchangeLine {
    qint64 tNs = 0;
    bool toDevice = false;
    QByteArray data;
};

// A step result that did not pass, with what the device answered.
struct FailureDetail {
    qint64 stepResultId = 0;
    QString phase;
    QString step;
    QString device;
    qint64 iteration = 0;
    qint64 repetition = 0;
    qint64 startNs = 0;
    qint64 endNs = 0;
    std::optional<qint64> latencyNs;
    QString verdict;
    QString message;
    QByteArray response;     // at most StatisticsOptions::responseBytes
    qint64 responseSize = 0; // the whole answer's size in bytes
    // With --record-exchanges: the device's lines just before and during the step.
    QList<ExchangeLine> exchanges;
};

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
    qint64 totalNs = 0; // sum of the results' durations
    LatencySummary latency;
    LatencyHistogram histogram;
    TimeSeries latencyOverTime; // values in ns
    Proportion failureRate;     // FAIL among PASS + FAIL (ERROR and ABORT are not the device's)
    qint64 flips = 0;           // changes between PASS and FAIL in time order
    qint64 longestFailStreak = 0;
    qint64 longestFailStreakStartNs = 0;
    QList<FailureDetail> firstFailures; // FAIL and ERROR, in time order, up to failuresPerStep

    bool flaky() const { return pass > 0 && fail > 0; }
};

struct MeasurementStatistics {
    QString phase;
    int stepIndex = 0;
    QString step;
    QString device;
    QString name;
    QString unit;
    std::optional<double> low, high;                 // limits
    std::optional<double> marginalLow, marginalHigh; // marginal band
    qint64 samples = 0;                              // rows
    qint64 nonNumeric = 0;                           // captures that were not numbers (outside faults)
    qint64 fail = 0;                                 // FAIL samples, outside faults
    qint64 expected = 0; // samples of step results that failed during a fault (their values still count)
    qint64 marginal = 0;
    qint64 count = 0; // numeric values
    double mean = 0, stddev = 0, min = 0, max = 0;
    std::optional<double> cpk;
    TimeSeries series;
};

// The device's availability: each result covers the time since the device's previous result (or its
// own duration, for the first), counted up when it passed, down when it failed, and unknown for ERROR and
// ABORT (the bench's fault, not the device's). An expected failure (during an injected fault) counts as
// fault time: out of availability, whose question is how the device did when nobody broke it on purpose;
// how it came back is the faults' recovery time.
struct DeviceAvailability {
    QString device;
    qint64 upNs = 0;
    qint64 downNs = 0;
    qint64 unknownNs = 0;
    qint64 faultNs = 0;
    std::optional<double> availability; // up / (up + down)
    qint64 failureEpisodes = 0;         // changes from up to down (a first result that failed counts)
    std::optional<double> mtbfNs;       // up / episodes
    qint64 longestOutageNs = 0;
    qint64 longestOutageStartNs = 0;
    // Per time bin (StatisticsOptions::timelineBins over the run): share of the known time that was up,
    // or -1 when the bin holds no known time.
    QList<float> timeline;
};

struct FaultStatistics {
    qint64 id = 0;
    QString device; // empty: run-wide
    QString target; // link, device, power, proxy
    QString kind;
    QString direction;
    QString params;
    bool manual = false;
    std::optional<qint64> seed;
    qint64 startNs = 0;
    std::optional<qint64> endNs;
    // End of the fault to the device's first passing result: as the engine recorded it, else found here.
    std::optional<qint64> recoveryNs;
    bool recoveryRecorded = false;
    std::optional<qint64> bytesDropped, bytesCorrupted, bytesDelayed;
    qint64 failedResults = 0; // FAIL and ERROR results of its device from its start until it recovered
};

struct EventEntry {
    qint64 tNs = 0;
    QString kind;
    QString device;
    QString detail;
};

struct Finding {
    enum class Severity { Critical, Major, Minor, Info };
    Severity severity = Severity::Info;
    QString title;  // one line a QA lead reads first
    QString detail; // where to look
};
QString severityName(Finding::Severity s);

struct RunStatistics {
    RunHeader run;
    qint64 spanNs = 1; // the time axis: the run's duration, or its last recorded time if it did not finish
    int timelineBins = 0;
    qint64 binNs = 1;

    QList<StepStatistics> steps; // in order of phase, then step index
    QList<MeasurementStatistics> measurements;
    QList<DeviceAvailability> devices;
    QList<FaultStatistics> faults;
    bool faultsFromEvents = false; // no faults table rows: windows paired from fault-start/fault-end events

    QList<EventEntry> events; // the first StatisticsOptions::eventLimit, in time order
    qint64 eventCount = 0;
    QMap<QString, qint64> eventKinds;

    QList<FailureDetail> failures;  // unexpected FAIL and ERROR results in time order, up to failureDetails
    qint64 failureCount = 0;        // all unexpected FAIL and ERROR results
    qint64 expectedCount = 0;       // FAIL and ERROR results during faults
    QList<qint64> failuresOverTime; // FAIL and ERROR results per time bin (timelineBins)
    QList<qint64> errorsOverTime;   // of which ERROR

    LatencySummary latency; // of all steps together
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
};

// Computes the statistics of run runId. nullopt with *error if the database cannot be read.
std::optional<RunStatistics> computeRunStatistics(const RunQuery &db, qint64 runId,
                                                  const StatisticsOptions &options, QString *error);

// Log-spaced display bins of a latency histogram between lowNs and highNs (both > 0).
struct HistogramBin {
    qint64 lowNs = 0;
    qint64 highNs = 0;
    qint64 count = 0;
};
QList<HistogramBin> logBins(const LatencyHistogram &h, qint64 lowNs, qint64 highNs, int bins);

} // namespace hil
