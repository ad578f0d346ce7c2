#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

struct sqlite3;

namespace hil {

class SqliteStatement;

// Per-interval rollups of a run's step results (docs/schema.md, step_rollups and device_rollups), written
// by the recorder in the transactions that write the rows, so that the report of a long run reads a few
// rows per step and time bin instead of every result (docs/ARCHITECTURE.md, "Reports of long runs").

// The width of a rollup's time bin. 10 s: the report's axis has at most 600 bins, so any run of 100 min or
// more (the runs whose rows take long to read) gets bins of whole multiples of 10 s and its timelines
// come from the rollup exactly, with at least 300 bins; shorter runs are read from their rows (a few
// seconds at most). The rollup then holds about 1/200 of the rows of a 20 Hz step.
constexpr qint64 kRollupBinNs = 10'000'000'000;
inline qint64 rollupBin(qint64 t) {
    return t <= 0 ? 0 : t / kRollupBinNs;
}

// How a step result counts (as analysis/resultclass.h: Abort also holds verdicts it does not know).
enum class RollupClass { Pass, Fail, Error, Abort, Expected };
RollupClass rollupClassOf(QByteArrayView verdict, bool expected);

// One bucket of a sparse latency histogram in the LatencyBuckets scheme (base/latencybuckets.h).
struct RollupBucket {
    int index = 0;
    qint64 count = 0;
    qint64 min = 0;
    qint64 max = 0;
};

class RollupHistogram {
public:
    void add(qint64 value);
    bool empty() const { return m_buckets.empty(); }
    const std::vector<RollupBucket> &buckets() const { return m_buckets; }
    // Varints: index delta, count, min - the bucket's low, max - min; empty for no values.
    QByteArray encode() const;
    static bool decode(QByteArrayView bytes, std::vector<RollupBucket> *out);

private:
    std::vector<RollupBucket> m_buckets; // by index
};

// A step result as the rollup takes it (the recorder's, a stored row's, the benchmark's).
struct RollupInput {
    QByteArrayView phase;
    qint64 stepIndex = 0;
    QByteArrayView step;
    QByteArrayView device; // empty: no device
    qint64 id = 0;
    qint64 startNs = 0;
    qint64 endNs = 0;
    std::optional<qint64> latencyNs;
    QByteArrayView verdict;
    bool marginal = false, expected = false, stalled = false, retried = false, swept = false, inFault = false;
};

// One step's (phase, index, step, device) results that started in one time bin, in row order. The pass
// and fail results' order is kept as far as a report needs to join bins again: flips, and the fail
// streaks at either end (lead, trail) and the longest one between passes inside the bin.
struct StepRollupCell {
    qint64 bin = 0;
    qint64 firstId = 0, lastId = 0;
    qint64 results = 0, pass = 0, fail = 0, error = 0, abort = 0, expected = 0, marginal = 0;
    qint64 retried = 0, stalled = 0;
    bool swept = false;
    qint64 totalNs = 0;
    qint64 latencyCount = 0, latencySum = 0, latencyMin = 0, latencyMax = 0;
    qint64 faultLatencySum = 0;      // of the latencies while a fault acted (in latencySum too)
    RollupHistogram outside, during; // latencies by whether a fault acted on the device
    int firstPf = -1, lastPf = -1;   // 0 pass, 1 fail
    qint64 flips = 0;
    bool hasPass = false;
    qint64 lead = 0, leadStart = 0;       // fails before the bin's first pass (all of them without a pass)
    qint64 trail = 0, trailStart = 0;     // fails after its last pass
    qint64 longest = 0, longestStart = 0; // the longest fail streak between two passes of the bin

    void add(const RollupInput &r, RollupClass v);
};

// One device's availability (analysis/deviceavailability.h) in one time bin. The totals and episodes go
// to the device's current cell, the time spread over the bins to the cell of each bin; the outages closed
// while a cell was current, and the device's state after its last result, go to the current cell.
struct DeviceRollupCell {
    qint64 bin = 0;
    bool current = true;
    qint64 upNs = 0, downNs = 0, faultNs = 0, unknownNs = 0, episodes = 0;
    qint64 upSpreadNs = 0, knownSpreadNs = 0;
    qint64 outageNs = 0, outageStartNs = 0;
    bool inOutage = false;
    qint64 openStartNs = 0, openEndNs = 0;
};

// Builds a run's rollups from its step results in row order and writes them into the caller's
// transaction; a cell written before is rewritten in place while it grows.
class StepRollup {
public:
    explicit StepRollup(qint64 runId);
    ~StepRollup();
    StepRollup(const StepRollup &) = delete;
    StepRollup &operator=(const StepRollup &) = delete;

    void add(const RollupInput &r);
    // Writes the cells that changed since the last write. False with *error if SQLite refuses.
    bool write(sqlite3 *db, QString *error);
    // Finalizes the statements write() prepared, before their connection closes.
    void release();

private:
    struct StepCells {
        QByteArray phase, step, device;
        qint64 stepIndex = 0;
        StepRollupCell cell;
        qint64 rowId = 0; // 0: not written yet
        bool open = false, dirty = false;
    };
    struct DeviceState {
        QByteArray device;
        bool seen = false;
        qint64 prevEnd = 0;
        int state = -1;
        bool inOutage = false;
        qint64 outageStart = 0, outageEnd = 0;
        DeviceRollupCell cell;
        qint64 rowId = 0;
        bool open = false, dirty = false;
        std::map<qint64, DeviceRollupCell> spill; // spread into bins before the current cell's
    };
    struct ClosedStep {
        size_t key;
        StepRollupCell cell;
        qint64 rowId;
    };
    struct ClosedDevice {
        size_t device;
        DeviceRollupCell cell;
        qint64 rowId;
    };
    void addDevice(const RollupInput &r, RollupClass v);
    bool prepare(sqlite3 *db, QString *error);
    bool writeStep(const StepCells &k, const StepRollupCell &c, qint64 *rowId, QString *error);
    bool writeDevice(const QByteArray &device, const DeviceRollupCell &c, qint64 *rowId, QString *error);

    qint64 m_runId;
    std::vector<StepCells> m_steps;
    std::unordered_map<std::string, size_t> m_stepByKey;
    std::string m_key;
    std::vector<DeviceState> m_devices;
    std::unordered_map<std::string, size_t> m_deviceByName;
    std::vector<ClosedStep> m_closedSteps;
    std::vector<ClosedDevice> m_closedDevices;
    sqlite3 *m_db = nullptr;
    std::unique_ptr<SqliteStatement> m_stepStmt, m_deviceStmt;
};

// Rebuilds a run's rollups from its rows (a merged or fetched run, or one whose rollup disagrees with its
// rows), with the recorder's accumulator, in the caller's transaction; the sample rollups too
// (samplerollup.h).
bool rebuildStepRollups(sqlite3 *db, qint64 runId, QString *error);
// Removes a run's rollups, sample rollups included (its rows were changed after the fact); its report then
// reads the rows.
bool dropRollups(sqlite3 *db, qint64 runId);

} // namespace hil
