#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

struct sqlite3;

namespace hil {

class SqliteStatement;

// Per-interval rollups of a run's measurement samples (docs/schema.md, measurement_rollups), beside the
// step rollups (steprollup.h) and written with them: one cell per step (phase, index, step, device),
// measurement name and 10-s bin of the sample's time, counting what the report counts of a measurement
// (analysis/measurementaccumulator.cpp), so that a long run's report reads about one cell per ten seconds
// of each measurement instead of every sample joined to its step.

// A sample as the rollup takes it, with what it needs of its step result.
struct SampleRollupInput {
    QByteArrayView phase;
    qint64 stepIndex = 0;
    QByteArrayView step;
    QByteArrayView device;      // empty: no device
    QByteArrayView stepVerdict; // the step result's
    bool stepExpected = false;  // the step result failed during a fault
    bool stepRetried = false;   // a retried try: its samples are not the measurement's
    QByteArrayView name;
    std::optional<double> value; // nullopt: the capture was not a number
    QByteArrayView unit;
    std::optional<double> low, high, marginalLow, marginalHigh;
    QByteArrayView verdict; // the sample's
    bool marginal = false;
    qint64 tNs = 0;
};

// One measurement of one step in one time bin. The unit and limits are the first sample's.
struct SampleRollupCell {
    qint64 bin = 0;
    qint64 samples = 0, nonNumeric = 0, fail = 0, expected = 0, marginal = 0;
    qint64 count = 0; // numeric values: their mean, sum of squared deviations (Welford), extremes and sum
    double mean = 0, m2 = 0, min = 0, max = 0, sum = 0;
    QByteArray unit;
    std::optional<double> low, high, marginalLow, marginalHigh;

    void add(const SampleRollupInput &s);
};

// Builds a run's sample rollups in the order of its samples and writes them into the caller's transaction;
// a cell written before is rewritten in place while it grows.
class SampleRollup {
public:
    explicit SampleRollup(qint64 runId);
    ~SampleRollup();
    SampleRollup(const SampleRollup &) = delete;
    SampleRollup &operator=(const SampleRollup &) = delete;

    void add(const SampleRollupInput &s);
    // Writes the cells that changed since the last write, and marks the run as rolled up (its samples are
    // in measurement_rollups from its first). False with *error if SQLite refuses.
    bool write(sqlite3 *db, QString *error);
    void release();

private:
    struct Cells {
        QByteArray phase, step, device, name;
        qint64 stepIndex = 0;
        SampleRollupCell cell;
        qint64 rowId = 0;
        bool open = false, dirty = false;
    };
    struct Closed {
        size_t key;
        SampleRollupCell cell;
        qint64 rowId;
    };
    bool prepare(sqlite3 *db, QString *error);
    bool writeCell(const Cells &k, const SampleRollupCell &c, qint64 *rowId, QString *error);

    qint64 m_runId;
    std::vector<Cells> m_keys;
    std::unordered_map<std::string, size_t> m_byKey;
    std::string m_key;
    std::vector<Closed> m_closed;
    bool m_marked = false;
    sqlite3 *m_db = nullptr;
    std::unique_ptr<SqliteStatement> m_stmt;
};

// Rebuilds a run's sample rollups from its rows (measurements joined to their step results, in sample
// order), with the recorder's accumulator, in the caller's transaction. Called by rebuildStepRollups.
bool rebuildSampleRollups(sqlite3 *db, qint64 runId, QString *error);
// Removes a run's sample rollups and its mark; its report then reads the samples.
bool dropSampleRollups(sqlite3 *db, qint64 runId);

} // namespace hil
