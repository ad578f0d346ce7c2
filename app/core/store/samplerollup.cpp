#include "core/store/samplerollup.h"

#include "core/store/rollupcellsql.h"
#include "core/store/sqlitestatement.h"
#include "core/store/steprollup.h"

#include <algorithm>
#include <sqlite3.h>

namespace hil {

using rollupsql::bindBytes;
using rollupsql::bindRowId;
using rollupsql::insertCell;

namespace {

void bindOptional(sqlite3_stmt *s, int i, const std::optional<double> &v) {
    if (v)
        sqlite3_bind_double(s, i, *v);
    else
        sqlite3_bind_null(s, i);
}

} // namespace

void SampleRollupCell::add(const SampleRollupInput &s) {
    if (samples == 0) {
        unit = s.unit.toByteArray();
        low = s.low;
        high = s.high;
        marginalLow = s.marginalLow;
        marginalHigh = s.marginalHigh;
    }
    // As MeasurementAccumulator::add: a sample of a step result that failed during a fault is expected
    // (its value still counts); otherwise a FAIL sample is a failure.
    const bool excused = s.stepExpected && (s.stepVerdict == "FAIL" || s.stepVerdict == "ERROR");
    ++samples;
    if (excused)
        ++expected;
    else if (s.verdict == "FAIL")
        ++fail;
    if (s.marginal)
        ++marginal;
    if (!s.value) {
        if (!excused)
            ++nonNumeric;
        return;
    }
    const double x = *s.value;
    ++count;
    const double d = x - mean;
    mean += d / static_cast<double>(count);
    m2 += d * (x - mean);
    min = count == 1 ? x : std::min(min, x);
    max = count == 1 ? x : std::max(max, x);
    sum += x;
}

SampleRollup::SampleRollup(qint64 runId)
    : m_runId(runId) {}

SampleRollup::~SampleRollup() = default;

void SampleRollup::add(const SampleRollupInput &s) {
    if (s.stepRetried)
        return;
    rollupsql::makeKey(m_key, s.phase, s.stepIndex, s.step, s.device);
    m_key.push_back('\x1f');
    m_key.append(s.name.data(), static_cast<size_t>(s.name.size()));
    auto it = m_byKey.find(m_key);
    if (it == m_byKey.end()) {
        Cells k;
        k.phase = s.phase.toByteArray();
        k.stepIndex = s.stepIndex;
        k.step = s.step.toByteArray();
        k.device = s.device.toByteArray();
        k.name = s.name.toByteArray();
        m_keys.push_back(std::move(k));
        it = m_byKey.emplace(m_key, m_keys.size() - 1).first;
    }
    Cells &k = m_keys[it->second];
    // A sample earlier than the open cell's bin (times are the step results' ends, which can interleave
    // across lanes by a little) goes into the open cell: the bins are for the series, and a sample is
    // never lost from the totals.
    const qint64 bin = std::max(rollupBin(s.tNs), k.open ? k.cell.bin : 0);
    if (k.open && bin > k.cell.bin) {
        if (k.dirty)
            m_closed.push_back({it->second, std::move(k.cell), k.rowId});
        k.open = false;
    }
    if (!k.open) {
        k.cell = SampleRollupCell();
        k.cell.bin = bin;
        k.rowId = 0;
        k.open = true;
    }
    k.cell.add(s);
    k.dirty = true;
}

bool SampleRollup::prepare(sqlite3 *db, QString *error) {
    if (m_db == db && m_stmt)
        return true;
    m_db = db;
    m_stmt = std::make_unique<SqliteStatement>(
        db, "INSERT OR REPLACE INTO measurement_rollups (id, run_id, phase, step_index, step, device, name,"
            " bin, samples, non_numeric, fail, expected, marginal, count, mean, m2, min, max, sum, unit, low,"
            " high, marginal_low, marginal_high) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!m_stmt->ok()) {
        *error = QStringLiteral("preparing the sample rollup statement: %1").arg(m_stmt->error());
        m_stmt.reset();
        m_db = nullptr;
        return false;
    }
    return true;
}

bool SampleRollup::writeCell(const Cells &k, const SampleRollupCell &c, qint64 *rowId, QString *error) {
    sqlite3_stmt *s = m_stmt->get();
    bindRowId(s, *rowId);
    sqlite3_bind_int64(s, 2, m_runId);
    bindBytes(s, 3, k.phase);
    sqlite3_bind_int64(s, 4, k.stepIndex);
    bindBytes(s, 5, k.step);
    bindBytes(s, 6, k.device);
    bindBytes(s, 7, k.name);
    const qint64 counts[] = {c.bin, c.samples, c.nonNumeric, c.fail, c.expected, c.marginal, c.count};
    int i = 8;
    for (qint64 v : counts)
        sqlite3_bind_int64(s, i++, v);
    for (double v : {c.mean, c.m2, c.min, c.max, c.sum})
        sqlite3_bind_double(s, i++, v);
    if (c.unit.isNull())
        sqlite3_bind_null(s, i++);
    else
        bindBytes(s, i++, c.unit);
    for (const std::optional<double> &v : {c.low, c.high, c.marginalLow, c.marginalHigh})
        bindOptional(s, i++, v);
    return insertCell(m_db, s, rowId, error);
}

void SampleRollup::release() {
    m_stmt.reset();
    m_db = nullptr;
}

bool SampleRollup::write(sqlite3 *db, QString *error) {
    if (!prepare(db, error))
        return false;
    if (!m_marked) {
        SqliteStatement mark(db, "INSERT OR IGNORE INTO measurement_rollup_runs (run_id) VALUES (?)");
        mark.bind(1, m_runId);
        if (!mark.ok() || !mark.exec()) {
            *error = mark.error();
            return false;
        }
        m_marked = true;
    }
    // Closed cells first: a measurement's cells then have ids in the order of their bins.
    for (Closed &c : m_closed) {
        if (!writeCell(m_keys[c.key], c.cell, &c.rowId, error))
            return false;
    }
    m_closed.clear();
    for (Cells &k : m_keys) {
        if (k.open && k.dirty) {
            if (!writeCell(k, k.cell, &k.rowId, error))
                return false;
            k.dirty = false;
        }
    }
    return true;
}

bool dropSampleRollups(sqlite3 *db, qint64 runId) {
    for (const char *sql : {"DELETE FROM measurement_rollups WHERE run_id = ?",
                            "DELETE FROM measurement_rollup_runs WHERE run_id = ?"}) {
        SqliteStatement d(db, sql);
        d.bind(1, runId);
        if (!d.ok() || !d.exec())
            return false;
    }
    return true;
}

bool rebuildSampleRollups(sqlite3 *db, qint64 runId, QString *error) {
    if (!dropSampleRollups(db, runId)) {
        *error = QString::fromUtf8(sqlite3_errmsg(db));
        return false;
    }
    SqliteStatement q(db,
                      "SELECT s.phase, s.step_index, s.step, s.device, s.verdict, s.expected, s.retried,"
                      " m.name, m.value, m.unit, m.low, m.high, m.marginal_low, m.marginal_high, m.verdict,"
                      " m.marginal, m.t_ns FROM measurements m JOIN step_results s ON s.id = m.step_result_id"
                      " WHERE m.run_id = ? ORDER BY m.id");
    if (!q.ok()) {
        *error = q.error();
        return false;
    }
    q.bind(1, runId);
    SampleRollup rollup(runId);
    qint64 n = 0;
    SampleRollupInput in;
    while (q.next()) {
        in.phase = q.bytes(0);
        in.stepIndex = q.int64(1);
        in.step = q.bytes(2);
        in.device = q.bytes(3);
        in.stepVerdict = q.bytes(4);
        in.stepExpected = q.int64(5) != 0;
        in.stepRetried = q.int64(6) != 0;
        in.name = q.bytes(7);
        in.value = q.optReal(8);
        in.unit = q.isNull(9) ? QByteArrayView() : q.bytes(9);
        in.low = q.optReal(10);
        in.high = q.optReal(11);
        in.marginalLow = q.optReal(12);
        in.marginalHigh = q.optReal(13);
        in.verdict = q.bytes(14);
        in.marginal = q.int64(15) != 0;
        in.tNs = q.int64(16);
        rollup.add(in);
        if (++n % 100'000 == 0 && !rollup.write(db, error))
            return false;
    }
    if (!q.done()) {
        *error = q.error();
        return false;
    }
    return rollup.write(db, error);
}

} // namespace hil
