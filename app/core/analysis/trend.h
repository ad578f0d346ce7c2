#pragma once

#include "core/analysis/latencyhistogram.h"
#include "core/run/runheader.h"

#include <QDate>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

class RunQuery;

// One run's share of a trend, taken from the same statistics its report shows (computeRunStatistics).
struct TrendRun {
    RunHeader run;
    qint64 stepResults = 0;
    qint64 failures = 0;                           // unexpected FAIL and ERROR results
    LatencyHistogram latency;                      // every step's latencies, merged
    qint64 upNs = 0, downNs = 0;                   // availability's time up and down (outside fault windows)
    QMap<QString, QList<qint64>> recoveryNsByKind; // fault kind -> recovery times of its faults
};

// A night of one firmware: the runs of a scenario that started on that UTC date with that firmware.
struct TrendRow {
    QDate night;
    QString firmware;
    int runs = 0;
    int passed = 0;   // PASS
    int finished = 0; // ended (interrupted runs count, as not passed); a run still recording does not
    qint64 stepResults = 0, failures = 0;
    LatencyHistogram latency;
    qint64 upNs = 0, downNs = 0;
    QMap<QString, QList<qint64>> recoveryNsByKind;

    std::optional<double> passRate() const;
    std::optional<double> stepFailureRate() const;
    // Percentiles of all the night's latencies, from the merged histograms: within 3.1 % (one bucket).
    std::optional<qint64> latencyPercentileNs(double p) const;
    std::optional<double> availability() const;
    std::optional<double> meanRecoveryNs(const QString &kind) const;

    QStringList regressions;    // why this row regressed against the nights before it, in sentences
    bool enoughHistory = false; // had at least kMinBaselineNights nights before it to compare with
};

struct TrendOptions {
    int baselineNights = 7;    // a row is compared with up to this many nights before its own
    int minBaselineNights = 3; // fewer: "not enough history", no flag
    double passRateDrop =
        0.25; // a drop of the pass rate by more than this (share) below the baseline's median
    double latencyRise = 0.20;      // p99 above the baseline's median by more than max(this share, 3 MAD)
    double availabilityDrop = 0.01; // availability below the baseline's median by more than max(this, 3 MAD)
    double recoveryRise =
        0.50; // a fault kind's mean recovery above the baseline's median by more than this share
};

// Reads one run's trend figures from a results database. nullopt with *error.
std::optional<TrendRun> readTrendRun(const RunQuery &db, qint64 runId, QString *error);
// Groups runs into rows by night and firmware (in night order, then firmware) and flags regressions.
QList<TrendRow> buildTrend(const QList<TrendRun> &runs, const TrendOptions &options = {});
// All the fault kinds that appear in the rows, sorted.
QStringList trendFaultKinds(const QList<TrendRow> &rows);

} // namespace hil
