#include "core/store/rollupscan.h"

#include "core/store/sqlitestatement.h"

#include <sqlite3.h>

namespace hil {

namespace {

bool failed(const SqliteStatement &q, QString *error) {
    *error = q.error();
    return false;
}

void bindView(SqliteStatement &q, int i, QByteArrayView b) {
    sqlite3_bind_text(q.get(), i, b.data() ? b.data() : "", static_cast<int>(b.size()), SQLITE_TRANSIENT);
}

// '' names no device: the rows hold NULL.
void bindDevice(SqliteStatement &q, int i, QByteArrayView device) {
    if (device.isEmpty())
        q.bindNull(i);
    else
        bindView(q, i, device);
}

} // namespace

std::optional<bool> RollupScan::complete(QString *error) const {
    if (!m_db.hasRollups())
        return false;
    SqliteStatement sum(m_db.m_db, "SELECT count(*), sum(results + retried), min(first_id), max(last_id)"
                                   " FROM step_rollups WHERE run_id = ?");
    sum.bind(1, m_runId);
    if (!sum.ok() || !sum.next()) {
        *error = sum.error();
        return std::nullopt;
    }
    if (sum.int64(0) == 0)
        return false;
    const qint64 rolled = sum.int64(1), low = sum.int64(2), high = sum.int64(3);
    if (high - low + 1 == rolled) {
        // The cells account for every id from low to high: the run is complete unless it has rows outside.
        // Its (phase, step index) keys are walked on its index, and each key's first and last id looked up
        // there (a few seeks per step, not a pass over the run's index entries).
        SqliteStatement first(m_db.m_db, "SELECT phase, step_index FROM step_results WHERE run_id = ?"
                                         " ORDER BY phase, step_index LIMIT 1");
        // The next key in two seeks: the next step of the same phase, else the first of the next phase.
        // (A row value `(phase, step_index) > (?, ?)` seeks on the phase only and then reads the phase's
        // index entries one by one: a second per step on a 72-hour run.)
        SqliteStatement nextIndex(m_db.m_db,
                                  "SELECT phase, step_index FROM step_results WHERE run_id = ?1"
                                  " AND phase = ?2 AND step_index > ?3 ORDER BY step_index LIMIT 1");
        SqliteStatement nextPhase(m_db.m_db, "SELECT phase, step_index FROM step_results WHERE run_id = ?1"
                                             " AND phase > ?2 ORDER BY phase, step_index LIMIT 1");
        SqliteStatement lowest(m_db.m_db, "SELECT id FROM step_results WHERE run_id = ?1 AND phase = ?2"
                                          " AND step_index = ?3 ORDER BY id LIMIT 1");
        SqliteStatement highest(m_db.m_db, "SELECT id FROM step_results WHERE run_id = ?1 AND phase = ?2"
                                           " AND step_index = ?3 ORDER BY id DESC LIMIT 1");
        if (!first.ok() || !nextIndex.ok() || !nextPhase.ok() || !lowest.ok() || !highest.ok()) {
            *error = !first.ok()       ? first.error()
                     : !nextIndex.ok() ? nextIndex.error()
                     : !nextPhase.ok() ? nextPhase.error()
                                       : lowest.error();
            return std::nullopt;
        }
        first.bind(1, m_runId);
        bool more = first.next();
        QString phase = more ? first.text(0) : QString();
        qint64 index = more ? first.int64(1) : 0;
        while (more) {
            for (SqliteStatement *q : {&lowest, &highest}) {
                q->reset();
                q->bind(1, m_runId);
                q->bind(2, phase);
                q->bind(3, index);
                if (!q->next()) {
                    *error = q->error();
                    return std::nullopt;
                }
                if (q->int64(0) < low || q->int64(0) > high)
                    return false;
            }
            nextIndex.reset();
            nextIndex.bind(1, m_runId);
            nextIndex.bind(2, phase);
            nextIndex.bind(3, index);
            SqliteStatement *next = &nextIndex;
            more = nextIndex.next();
            if (!more && nextIndex.done()) {
                nextPhase.reset();
                nextPhase.bind(1, m_runId);
                nextPhase.bind(2, phase);
                next = &nextPhase;
                more = nextPhase.next();
            }
            if (more) {
                phase = next->text(0);
                index = next->int64(1);
            } else if (!next->done()) {
                *error = next->error();
                return std::nullopt;
            }
        }
        return true;
    }
    // Other runs' rows between the run's own (two runs recorded into one file at once): counted on the index.
    SqliteStatement count(m_db.m_db, "SELECT count(*) FROM step_results WHERE run_id = ?");
    count.bind(1, m_runId);
    if (!count.ok() || !count.next()) {
        *error = count.error();
        return std::nullopt;
    }
    return count.int64(0) == rolled;
}

bool RollupScan::forEachStepCell(const std::function<bool(const StepRollupRow &)> &visit,
                                 QString *error) const {
    SqliteStatement q(
        m_db.m_db,
        "SELECT phase, step_index, step, device, bin, first_id, last_id, results, pass, fail, error,"
        " abort, expected, marginal, retried, stalled, swept, total_ns, latency_count, latency_sum,"
        " latency_min, latency_max, fault_latency_sum, latencies, fault_latencies, first_pf, last_pf, flips,"
        " has_pass, lead, lead_start_ns, trail, trail_start_ns, longest, longest_start_ns"
        " FROM step_rollups WHERE run_id = ? ORDER BY id");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, m_runId);
    StepRollupRow r;
    while (q.next()) {
        r.phase = q.bytes(0);
        r.stepIndex = q.int64(1);
        r.step = q.bytes(2);
        r.device = q.bytes(3);
        StepRollupCell &c = r.cell;
        c.bin = q.int64(4);
        c.firstId = q.int64(5);
        c.lastId = q.int64(6);
        c.results = q.int64(7);
        c.pass = q.int64(8);
        c.fail = q.int64(9);
        c.error = q.int64(10);
        c.abort = q.int64(11);
        c.expected = q.int64(12);
        c.marginal = q.int64(13);
        c.retried = q.int64(14);
        c.stalled = q.int64(15);
        c.swept = q.int64(16) != 0;
        c.totalNs = q.int64(17);
        c.latencyCount = q.int64(18);
        c.latencySum = q.int64(19);
        c.latencyMin = q.int64(20);
        c.latencyMax = q.int64(21);
        c.faultLatencySum = q.int64(22);
        if (!RollupHistogram::decode(q.blobView(23), &r.outside)
            || !RollupHistogram::decode(q.blobView(24), &r.during)) {
            *error = QStringLiteral("a latency histogram of run %1's rollup cannot be read").arg(m_runId);
            return false;
        }
        c.firstPf = static_cast<int>(q.int64(25));
        c.lastPf = static_cast<int>(q.int64(26));
        c.flips = q.int64(27);
        c.hasPass = q.int64(28) != 0;
        c.lead = q.int64(29);
        c.leadStart = q.int64(30);
        c.trail = q.int64(31);
        c.trailStart = q.int64(32);
        c.longest = q.int64(33);
        c.longestStart = q.int64(34);
        if (!visit(r))
            return true;
    }
    return q.done() || failed(q, error);
}

bool RollupScan::forEachDeviceCell(const std::function<bool(const DeviceRollupRow &)> &visit,
                                   QString *error) const {
    SqliteStatement q(
        m_db.m_db,
        "SELECT device, bin, current, up_ns, down_ns, fault_ns, unknown_ns, episodes, up_spread_ns,"
        " known_spread_ns, outage_ns, outage_start_ns, in_outage, open_start_ns, open_end_ns"
        " FROM device_rollups WHERE run_id = ? ORDER BY id");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, m_runId);
    DeviceRollupRow r;
    while (q.next()) {
        r.device = q.bytes(0);
        DeviceRollupCell &c = r.cell;
        c.bin = q.int64(1);
        c.current = q.int64(2) != 0;
        c.upNs = q.int64(3);
        c.downNs = q.int64(4);
        c.faultNs = q.int64(5);
        c.unknownNs = q.int64(6);
        c.episodes = q.int64(7);
        c.upSpreadNs = q.int64(8);
        c.knownSpreadNs = q.int64(9);
        c.outageNs = q.int64(10);
        c.outageStartNs = q.int64(11);
        c.inOutage = q.int64(12) != 0;
        c.openStartNs = q.int64(13);
        c.openEndNs = q.int64(14);
        if (!visit(r))
            return true;
    }
    return q.done() || failed(q, error);
}

bool RollupScan::firstIds(Which which, QByteArrayView phase, qint64 stepIndex, QByteArrayView step,
                          QByteArrayView device, qint64 limit, std::vector<qint64> *ids,
                          QString *error) const {
    // The WHERE repeats each partial index's condition, so that SQLite uses it.
    SqliteStatement q(
        m_db.m_db, which == Which::Failures
                       ? "SELECT id FROM step_results INDEXED BY step_results_failed WHERE run_id = ?1"
                         " AND phase = ?2 AND step_index = ?3 AND step = ?4 AND device IS ?5"
                         " AND verdict IN ('FAIL', 'ERROR') AND expected = 0 AND retried = 0"
                         " ORDER BY id LIMIT ?6"
                       : "SELECT id FROM step_results INDEXED BY step_results_retried WHERE run_id = ?1"
                         " AND phase = ?2 AND step_index = ?3 AND step = ?4 AND device IS ?5 AND retried = 1"
                         " ORDER BY id LIMIT ?6");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, m_runId);
    bindView(q, 2, phase);
    q.bind(3, stepIndex);
    bindView(q, 4, step);
    bindDevice(q, 5, device);
    q.bind(6, limit);
    while (q.next())
        ids->push_back(q.int64(0));
    return q.done() || failed(q, error);
}

std::optional<qint64> RollupScan::failedResults(const std::optional<QString> &device, qint64 fromNs,
                                                qint64 toNs, QString *error) const {
    SqliteStatement q(
        m_db.m_db, device
                       ? "SELECT count(*) FROM step_results INDEXED BY step_results_faulted WHERE run_id = ?1"
                         " AND device IS ?2 AND start_ns BETWEEN ?3 AND ?4"
                         " AND verdict IN ('FAIL', 'ERROR') AND retried = 0"
                       : "SELECT count(*) FROM step_results INDEXED BY step_results_faulted WHERE run_id = ?1"
                         " AND start_ns BETWEEN ?3 AND ?4 AND verdict IN ('FAIL', 'ERROR') AND retried = 0");
    if (!q.ok()) {
        failed(q, error);
        return std::nullopt;
    }
    q.bind(1, m_runId);
    if (device) {
        const QByteArray d = device->toUtf8();
        bindDevice(q, 2, d);
    }
    q.bind(3, fromNs);
    q.bind(4, toNs);
    if (!q.next()) {
        failed(q, error);
        return std::nullopt;
    }
    return q.int64(0);
}

bool RollupScan::forEachLatencyOf(QByteArrayView phase, qint64 stepIndex, QByteArrayView step,
                                  QByteArrayView device,
                                  const std::function<void(qint64 startNs, qint64 latencyNs)> &visit,
                                  QString *error) const {
    SqliteStatement q(m_db.m_db,
                      "SELECT start_ns, latency_ns FROM step_results WHERE run_id = ?1 AND phase = ?2"
                      " AND step_index = ?3 AND step = ?4 AND device IS ?5"
                      " AND latency_ns IS NOT NULL ORDER BY id");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, m_runId);
    bindView(q, 2, phase);
    q.bind(3, stepIndex);
    bindView(q, 4, step);
    bindDevice(q, 5, device);
    while (q.next())
        visit(q.int64(0), q.int64(1));
    return q.done() || failed(q, error);
}

std::optional<bool> RollupScan::hasSampleCells(QString *error) const {
    if (!m_db.hasSampleRollups())
        return false;
    SqliteStatement q(m_db.m_db, "SELECT 1 FROM measurement_rollup_runs WHERE run_id = ?");
    if (!q.ok()) {
        *error = q.error();
        return std::nullopt;
    }
    q.bind(1, m_runId);
    if (q.next())
        return true;
    if (!q.done()) {
        *error = q.error();
        return std::nullopt;
    }
    return false;
}

bool RollupScan::forEachSampleCell(const std::function<bool(const SampleRollupRow &)> &visit,
                                   QString *error) const {
    SqliteStatement q(
        m_db.m_db, "SELECT phase, step_index, step, device, name, bin, samples, non_numeric, fail, expected,"
                   " marginal, count, mean, m2, min, max, sum, unit, low, high, marginal_low, marginal_high"
                   " FROM measurement_rollups WHERE run_id = ? ORDER BY id");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, m_runId);
    SampleRollupRow r;
    while (q.next()) {
        r.phase = q.bytes(0);
        r.stepIndex = q.int64(1);
        r.step = q.bytes(2);
        r.device = q.bytes(3);
        r.name = q.bytes(4);
        SampleRollupCell &c = r.cell;
        c.bin = q.int64(5);
        c.samples = q.int64(6);
        c.nonNumeric = q.int64(7);
        c.fail = q.int64(8);
        c.expected = q.int64(9);
        c.marginal = q.int64(10);
        c.count = q.int64(11);
        c.mean = q.real(12);
        c.m2 = q.real(13);
        c.min = q.real(14);
        c.max = q.real(15);
        c.sum = q.real(16);
        c.unit = q.isNull(17) ? QByteArray() : q.bytes(17).toByteArray();
        c.low = q.optReal(18);
        c.high = q.optReal(19);
        c.marginalLow = q.optReal(20);
        c.marginalHigh = q.optReal(21);
        if (!visit(r))
            return true;
    }
    return q.done() || failed(q, error);
}

bool RollupScan::forEachSampleOf(QByteArrayView phase, qint64 stepIndex, QByteArrayView step,
                                 QByteArrayView device, QByteArrayView name,
                                 const std::function<void(qint64 tNs, double value)> &visit,
                                 QString *error) const {
    // On the step's index entries, then each result's samples (few: this is for a measurement whose
    // samples are too few to bin).
    SqliteStatement q(m_db.m_db,
                      "SELECT m.t_ns, m.value FROM step_results s JOIN measurements m"
                      " ON m.step_result_id = s.id AND m.run_id = s.run_id AND m.name = ?6"
                      " WHERE s.run_id = ?1 AND s.phase = ?2 AND s.step_index = ?3 AND s.step = ?4"
                      " AND s.device IS ?5 AND s.retried = 0 AND m.value IS NOT NULL ORDER BY m.id");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, m_runId);
    bindView(q, 2, phase);
    q.bind(3, stepIndex);
    bindView(q, 4, step);
    bindDevice(q, 5, device);
    bindView(q, 6, name);
    while (q.next())
        visit(q.int64(0), q.real(1));
    return q.done() || failed(q, error);
}

} // namespace hil
