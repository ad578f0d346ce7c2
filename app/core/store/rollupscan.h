#pragma once

#include "core/store/runquery.h"
#include "core/store/samplerollup.h"
#include "core/store/steprollup.h"

#include <QByteArrayView>
#include <QString>
#include <functional>
#include <optional>
#include <vector>

namespace hil {

// A rollup cell as stored, with its step (views valid during the visit only).
struct StepRollupRow {
    QByteArrayView phase;
    qint64 stepIndex = 0;
    QByteArrayView step;
    QByteArrayView device;
    StepRollupCell cell; // its histograms are in outside and during
    std::vector<RollupBucket> outside, during;
};

struct SampleRollupRow {
    QByteArrayView phase;
    qint64 stepIndex = 0;
    QByteArrayView step;
    QByteArrayView device;
    QByteArrayView name;
    SampleRollupCell cell; // with its unit and limits
};

struct DeviceRollupRow {
    QByteArrayView device;
    DeviceRollupCell cell;
};

// Reads one run's rollups (steprollup.h), and the few rows a report of a run read from its rollups still
// needs, by index: a step's first failures and retried tries, the failures of a device in a time window,
// the latencies of a step too small to bin.
class RollupScan {
public:
    RollupScan(const RunQuery &db, qint64 runId)
        : m_db(db)
        , m_runId(runId) {}

    // Whether the run has rollups that account for every one of its step results: their count is compared
    // with the run's row id span, or where other runs' rows are interleaved with its own, with a count on
    // the run's index. false for a file before schema 6, a run without rollups, one recorded by an older
    // binary into a newer file, or a rollup cut short; nullopt with *error if the file cannot be read.
    std::optional<bool> complete(QString *error) const;

    // In id order: a step's cells are in the order of its results.
    bool forEachStepCell(const std::function<bool(const StepRollupRow &)> &visit, QString *error) const;
    bool forEachDeviceCell(const std::function<bool(const DeviceRollupRow &)> &visit, QString *error) const;

    // Whether the run's samples are in measurement_rollups from its first (written by a recorder of
    // schema 7 or later, or rebuilt); only meaningful when complete() is. nullopt with *error.
    std::optional<bool> hasSampleCells(QString *error) const;
    // In id order: a measurement's cells are in the order of their bins.
    bool forEachSampleCell(const std::function<bool(const SampleRollupRow &)> &visit, QString *error) const;
    // A measurement's numeric samples of one step (results not retried), time and value, in row order.
    bool forEachSampleOf(QByteArrayView phase, qint64 stepIndex, QByteArrayView step, QByteArrayView device,
                         QByteArrayView name, const std::function<void(qint64 tNs, double value)> &visit,
                         QString *error) const;

    // The ids of a step's first limit FAIL and ERROR results not excused by a fault nor retried, or of its
    // first retried tries.
    enum class Which { Failures, Retried };
    bool firstIds(Which which, QByteArrayView phase, qint64 stepIndex, QByteArrayView step,
                  QByteArrayView device, qint64 limit, std::vector<qint64> *ids, QString *error) const;
    // How many FAIL and ERROR results (excused or not, not retried) of a device, or of every device when
    // device is nullopt, started in [fromNs, toNs].
    std::optional<qint64> failedResults(const std::optional<QString> &device, qint64 fromNs, qint64 toNs,
                                        QString *error) const;
    // A step's start and latency of each result with an answer, in row order.
    bool forEachLatencyOf(QByteArrayView phase, qint64 stepIndex, QByteArrayView step, QByteArrayView device,
                          const std::function<void(qint64 startNs, qint64 latencyNs)> &visit,
                          QString *error) const;

private:
    const RunQuery &m_db;
    qint64 m_runId;
};

} // namespace hil
