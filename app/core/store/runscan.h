#pragma once

#include "core/store/runquery.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace hil {

class SqliteStatement;

// The rows of one run, streamed to typed visitors. Reports read a run in a few passes over its rows
// instead of loading it: every scan of step_results and measurements walks the run's row id range in row
// order, which for a recorded or merged run is time order and costs no sort. The ranges are read once per
// RunScan, so the passes of one computation see the same rows even while the run is still recording.
//
// A QByteArrayView in a row points into SQLite's buffer: valid during the visit only. A visitor returns
// false to stop a scan early (the scan then still succeeds). Every scan returns false with *error when
// the database cannot be read.

// A step result as the statistics read it.
struct StepRow {
    qint64 id = 0;
    QByteArrayView phase;
    qint64 stepIndex = 0;
    QByteArrayView step;
    QByteArrayView device;
    qint64 startNs = 0;
    qint64 endNs = 0;
    std::optional<qint64> latencyNs;
    QByteArrayView verdict;
    bool marginal = false;
    bool expected = false; // failed while a fault acted on its device (always false before schema 2)
    bool stalled = false;  // the harness stalled during the exchange: no latency (always false before 4)
    bool retried = false;  // a try a later try followed: in no count (always false before schema 5)
    qint64 attempt = 1;    // the try, 1-based (schema 5)
    bool swept = false;    // ran with `for_each:` values (step_results.bindings set, schema 5)
    bool inFault = false;  // a fault acted on its device when it ran (step_results.fault_id set, schema 2)
};

// A step result that did not pass, with the start of the device's answer.
struct StepDetailRow {
    qint64 id = 0;
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
    QByteArray response;     // at most the bytes asked for
    qint64 responseSize = 0; // of the whole answer
    qint64 attempt = 1;      // the try (schema 5)
    QString bindings;        // the sweep's values as JSON (schema 5); null outside a sweep
};

struct MeasurementRow {
    qint64 stepResultId = 0;
    QByteArrayView name;
    std::optional<double> value; // nullopt: the capture was not a number
    QByteArrayView verdict;
    bool marginal = false;
    qint64 tNs = 0;

    // The unit and limits, which every sample of a measurement repeats: read from the row only when asked
    // (once per measurement), since reading them for each of millions of samples costs the scan a third
    // of its time. Valid during the visit only, like the views.
    struct Definition {
        QString unit;
        std::optional<double> low, high;
        std::optional<double> marginalLow, marginalHigh;
    };
    Definition definition() const;

    // The sample's step result, read with it only when the scan was asked to join them (a step result
    // without a row gives present false).
    struct Step {
        bool present = false;
        QByteArrayView phase;
        qint64 stepIndex = 0;
        QByteArrayView step;
        QByteArrayView device;
        QByteArrayView verdict;
        bool expected = false;
        bool retried = false;
    };
    const Step *step = nullptr;

    const SqliteStatement *row = nullptr;
};

struct EventRow {
    qint64 tNs = 0;
    QString kind;
    QString device;
    QString detail;
};

struct FaultRow {
    qint64 id = 0;
    QString device;
    QString target;
    QString kind;
    QString direction;
    QString params;
    std::optional<qint64> seed;
    bool manual = false;
    qint64 startNs = 0;
    std::optional<qint64> endNs;
    std::optional<qint64> recoveryNs;
    std::optional<qint64> bytesDropped, bytesCorrupted, bytesDelayed;
};

// The lines exchanged with one device in [fromNs, toNs], newest first, at most limit of them.
struct ExchangeWindow {
    qint64 fromNs = 0;
    qint64 toNs = 0;
    QString device;
    qint64 limit = 0;
};
struct ExchangeRow {
    qint64 tNs = 0;
    bool toDevice = false;
    QByteArray data; // the first 512 bytes of the line
};

// A column as SQLite holds it, for exports that write each value exactly as stored (an integer stays an
// integer, a real keeps its shortest exact form, text and blobs are their bytes).
struct StoredValue {
    enum class Type { Null, Integer, Real, Bytes };
    Type type = Type::Null;
    qint64 integer = 0;
    double real = 0;
    QByteArrayView bytes;
};

// Every column of a step result, for the full export.
struct StoredStepResultRow {
    StoredValue id, phase, iteration, stepIndex, repetition;
    QString step;
    QString device;
    StoredValue startNs, endNs, latencyNs, latenessNs, verdict, marginal, expected, faultId;
    QString message;
    std::optional<QByteArray> response; // nullopt: NULL
    QString exchange;                   // schema 4; null before
    StoredValue stallNs;                // schema 4; NULL before
    StoredValue attempt, retried;       // schema 5; 1 and 0 before
    QString bindings;                   // schema 5; null outside a sweep and before
};

// One point of a sweep: the samples of one measurement among the step results swept with the same values
// (step_results.bindings, schema 5), retried tries left out. Numbers only; a capture that was not a number
// is counted in nonNumeric.
struct SweepPointRow {
    QString name;
    QString unit;
    QByteArrayView bindings; // the JSON object as stored
    qint64 samples = 0;      // numeric ones
    qint64 nonNumeric = 0;
    double mean = 0, min = 0, max = 0;
    qint64 pass = 0, fail = 0, marginal = 0;
    std::optional<double> low, high; // the limits: the lowest low and highest high of the samples
};

// Every column of a sample, for the full export.
struct StoredSampleRow {
    StoredValue id, stepResultId;
    QByteArrayView name;
    StoredValue value;
    QByteArrayView unit;
    StoredValue low, high, marginalLow, marginalHigh, verdict, marginal, tNs;
};

struct StoredEventRow {
    StoredValue tNs;
    QString kind;
    QString device;
    QString detail;
};

class RunScan {
public:
    RunScan(const RunQuery &db, qint64 runId);

    const RunQuery &query() const { return m_db; }
    qint64 runId() const { return m_runId; }

    // The end of the run's last step result (0 when it has none).
    std::optional<qint64> lastStepEnd(QString *error) const;
    // The time of the run's last event; nullopt when it has none or it cannot be read.
    std::optional<qint64> lastEventTime() const;

    // The run's step results in row order.
    bool forEachStep(const std::function<bool(const StepRow &)> &visit, QString *error) const;
    // The id and latency of each step result that had an answer, in row order.
    bool forEachLatency(const std::function<bool(qint64 id, qint64 latencyNs)> &visit, QString *error) const;
    // Step results by id (ids without a row are skipped), each answer cut to responseBytes.
    bool forEachStepDetail(const std::vector<qint64> &ids, qint64 responseBytes,
                           const std::function<bool(const StepDetailRow &)> &visit, QString *error) const;
    // The run's samples in row order.
    // withStep: each row also carries its step result's identity (MeasurementRow::step), read through a
    // join, for a caller that cannot afford to remember every step result's step (long runs).
    bool forEachMeasurement(const std::function<bool(const MeasurementRow &)> &visit, QString *error,
                            bool withStep = false) const;

    // The points of every sweep of the run, in order of the first sample of each (none before schema 5).
    bool forEachSweepPoint(const std::function<bool(const SweepPointRow &)> &visit, QString *error) const;

    // The faults table (schema 2) by start, at most 100000; none in an older file.
    bool forEachFault(const std::function<bool(const FaultRow &)> &visit, QString *error) const;
    // The fault-start and fault-end events in time order, at most 200000, for a file without fault rows.
    bool forEachFaultEvent(const std::function<bool(const EventRow &)> &visit, QString *error) const;
    // The first limit events in time order.
    bool forEachEvent(qint64 limit, const std::function<bool(const EventRow &)> &visit, QString *error) const;
    // How many events of each kind.
    bool forEachEventKind(const std::function<bool(const QString &kind, qint64 count)> &visit,
                          QString *error) const;
    // The exchanges of each window in turn; visit gets the window's index.
    bool forEachExchange(const QList<ExchangeWindow> &windows,
                         const std::function<bool(qsizetype window, const ExchangeRow &)> &visit,
                         QString *error) const;

    // Full exports, every row of the run as stored.
    bool forEachStoredEvent(const std::function<bool(const StoredEventRow &)> &visit, QString *error) const;
    bool forEachStoredStepResult(const std::function<bool(const StoredStepResultRow &)> &visit,
                                 QString *error) const;
    bool forEachStoredSample(const std::function<bool(const StoredSampleRow &)> &visit, QString *error) const;

private:
    std::pair<qint64, qint64> stepRange() const;
    std::pair<qint64, qint64> measurementRange() const;

    const RunQuery &m_db;
    qint64 m_runId;
    mutable std::optional<std::pair<qint64, qint64>> m_stepRange;
    mutable std::optional<std::pair<qint64, qint64>> m_measurementRange;
};

} // namespace hil
