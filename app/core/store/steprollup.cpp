#include "core/store/steprollup.h"

#include "core/base/latencybuckets.h"
#include "core/store/rollupcellsql.h"
#include "core/store/samplerollup.h"
#include "core/store/sqlitestatement.h"

#include <algorithm>
#include <sqlite3.h>

namespace hil {

using rollupsql::bindBytes;
using rollupsql::bindRowId;
using rollupsql::insertCell;
using rollupsql::makeKey;

namespace {

void putVarint(QByteArray &out, quint64 v) {
    while (v >= 0x80) {
        out.append(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.append(static_cast<char>(v));
}

bool getVarint(QByteArrayView in, qsizetype *pos, quint64 *v) {
    quint64 value = 0;
    for (int shift = 0; shift < 64 && *pos < in.size(); shift += 7) {
        const auto byte = static_cast<quint8>(in[(*pos)++]);
        value |= static_cast<quint64>(byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            *v = value;
            return true;
        }
    }
    return false;
}

void bindBlobOrNull(sqlite3_stmt *s, int i, const RollupHistogram &h) {
    if (h.empty()) {
        sqlite3_bind_null(s, i);
        return;
    }
    const QByteArray b = h.encode();
    sqlite3_bind_blob(s, i, b.constData(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
}

} // namespace

RollupClass rollupClassOf(QByteArrayView verdict, bool expected) {
    if (verdict == "PASS")
        return RollupClass::Pass;
    if (verdict == "FAIL")
        return expected ? RollupClass::Expected : RollupClass::Fail;
    if (verdict == "ERROR")
        return expected ? RollupClass::Expected : RollupClass::Error;
    return RollupClass::Abort;
}

void RollupHistogram::add(qint64 value) {
    value = std::max<qint64>(0, value);
    const int index = LatencyBuckets::of(value);
    auto it = std::lower_bound(m_buckets.begin(), m_buckets.end(), index,
                               [](const RollupBucket &b, int i) { return b.index < i; });
    if (it == m_buckets.end() || it->index != index) {
        m_buckets.insert(it, RollupBucket{index, 1, value, value});
        return;
    }
    ++it->count;
    it->min = std::min(it->min, value);
    it->max = std::max(it->max, value);
}

QByteArray RollupHistogram::encode() const {
    QByteArray out;
    out.reserve(static_cast<qsizetype>(m_buckets.size()) * 6);
    int previous = 0;
    for (const RollupBucket &b : m_buckets) {
        putVarint(out, static_cast<quint64>(b.index - previous));
        putVarint(out, static_cast<quint64>(b.count));
        putVarint(out, static_cast<quint64>(b.min - LatencyBuckets::low(b.index)));
        putVarint(out, static_cast<quint64>(b.max - b.min));
        previous = b.index;
    }
    return out;
}

bool RollupHistogram::decode(QByteArrayView bytes, std::vector<RollupBucket> *out) {
    out->clear();
    qsizetype pos = 0;
    int index = 0;
    while (pos < bytes.size()) {
        quint64 delta = 0, count = 0, min = 0, span = 0;
        if (!getVarint(bytes, &pos, &delta) || !getVarint(bytes, &pos, &count)
            || !getVarint(bytes, &pos, &min) || !getVarint(bytes, &pos, &span))
            return false;
        index += static_cast<int>(delta);
        if (index < 0 || index >= LatencyBuckets::kCount)
            return false;
        RollupBucket b;
        b.index = index;
        b.count = static_cast<qint64>(count);
        b.min = LatencyBuckets::low(index) + static_cast<qint64>(min);
        b.max = b.min + static_cast<qint64>(span);
        out->push_back(b);
    }
    return true;
}

void StepRollupCell::add(const RollupInput &r, RollupClass v) {
    if (firstId == 0)
        firstId = r.id;
    lastId = r.id;
    if (r.stalled)
        ++stalled;
    swept = swept || r.swept;
    totalNs += std::max<qint64>(0, r.endNs - r.startNs);
    if (r.latencyNs) {
        const qint64 l = *r.latencyNs;
        latencyMin = latencyCount == 0 ? l : std::min(latencyMin, l);
        latencyMax = latencyCount == 0 ? l : std::max(latencyMax, l);
        latencySum += l;
        if (r.inFault)
            faultLatencySum += l;
        ++latencyCount;
        (r.inFault ? during : outside).add(l);
    }
    if (r.retried) {
        ++retried;
        return;
    }
    ++results;
    if (r.marginal)
        ++marginal;
    switch (v) {
    case RollupClass::Pass:
        ++pass;
        break;
    case RollupClass::Fail:
        ++fail;
        break;
    case RollupClass::Error:
        ++error;
        break;
    case RollupClass::Abort:
        ++abort;
        break;
    case RollupClass::Expected:
        ++expected;
        break;
    }
    if (v != RollupClass::Pass && v != RollupClass::Fail)
        return;
    const int pf = v == RollupClass::Fail ? 1 : 0;
    if (lastPf >= 0 && lastPf != pf)
        ++flips;
    if (firstPf < 0)
        firstPf = pf;
    lastPf = pf;
    if (pf) {
        qint64 &run = hasPass ? trail : lead;
        qint64 &runStart = hasPass ? trailStart : leadStart;
        if (run++ == 0)
            runStart = r.startNs;
        return;
    }
    if (hasPass && trail > longest) {
        longest = trail;
        longestStart = trailStart;
    }
    hasPass = true;
    trail = 0;
    trailStart = 0;
}

StepRollup::StepRollup(qint64 runId)
    : m_runId(runId) {}

StepRollup::~StepRollup() = default;

void StepRollup::add(const RollupInput &r) {
    const RollupClass v = rollupClassOf(r.verdict, r.expected);
    makeKey(m_key, r.phase, r.stepIndex, r.step, r.device);
    auto it = m_stepByKey.find(m_key);
    if (it == m_stepByKey.end()) {
        StepCells k;
        k.phase = r.phase.toByteArray();
        k.stepIndex = r.stepIndex;
        k.step = r.step.toByteArray();
        k.device = r.device.toByteArray();
        m_steps.push_back(std::move(k));
        it = m_stepByKey.emplace(m_key, m_steps.size() - 1).first;
    }
    StepCells &k = m_steps[it->second];
    const qint64 bin = rollupBin(r.startNs);
    if (k.open && k.cell.bin != bin) {
        if (k.dirty)
            m_closedSteps.push_back({it->second, k.cell, k.rowId});
        k.open = false;
    }
    if (!k.open) {
        k.cell = StepRollupCell();
        k.cell.bin = bin;
        k.rowId = 0;
        k.open = true;
    }
    k.cell.add(r, v);
    k.dirty = true;
    if (!r.retried)
        addDevice(r, v);
}

// The rule of analysis/availabilityaccumulator.cpp, kept per bin.
void StepRollup::addDevice(const RollupInput &r, RollupClass v) {
    const std::string name(r.device.data(), static_cast<size_t>(r.device.size()));
    auto it = m_deviceByName.find(name);
    if (it == m_deviceByName.end()) {
        DeviceState d;
        d.device = r.device.toByteArray();
        m_devices.push_back(std::move(d));
        it = m_deviceByName.emplace(name, m_devices.size() - 1).first;
    }
    DeviceState &d = m_devices[it->second];
    const qint64 start = r.startNs, end = r.endNs;
    const qint64 from = d.seen ? std::min(d.prevEnd, end) : std::min(start, end);
    d.prevEnd = d.seen ? std::max(d.prevEnd, end) : end;
    d.seen = true;
    const qint64 len = std::max<qint64>(0, end - from);
    const qint64 bin = rollupBin(end);
    if (d.open && bin > d.cell.bin) {
        if (d.dirty)
            m_closedDevices.push_back({it->second, d.cell, d.rowId});
        d.open = false;
    }
    if (!d.open) {
        d.cell = DeviceRollupCell();
        d.cell.bin = bin;
        d.rowId = 0;
        d.open = true;
    }
    d.dirty = true;
    DeviceRollupCell &c = d.cell;
    const auto spread = [&](bool up) {
        if (end <= from)
            return;
        for (qint64 b = rollupBin(from); b <= rollupBin(end); ++b) {
            const qint64 lo = b == 0 ? from : std::max(from, b * kRollupBinNs);
            const qint64 hi = std::min(end, (b + 1) * kRollupBinNs);
            if (hi <= lo)
                continue;
            DeviceRollupCell *into = &c;
            if (b != c.bin) {
                into = &d.spill[b];
                into->bin = b;
                into->current = false;
            }
            into->knownSpreadNs += hi - lo;
            if (up)
                into->upSpreadNs += hi - lo;
        }
    };
    const auto closeOutage = [&] {
        if (!d.inOutage)
            return;
        const qint64 outage = d.outageEnd - d.outageStart;
        if (outage > c.outageNs) {
            c.outageNs = outage;
            c.outageStartNs = d.outageStart;
        }
        d.inOutage = false;
    };
    if (v == RollupClass::Pass) {
        c.upNs += len;
        spread(true);
        closeOutage();
        d.state = 0;
    } else if (v == RollupClass::Fail) {
        c.downNs += len;
        spread(false);
        if (d.state != 1) {
            ++c.episodes;
            d.inOutage = true;
            d.outageStart = from;
        }
        d.outageEnd = end;
        d.state = 1;
    } else if (v == RollupClass::Expected) {
        c.faultNs += len;
    } else {
        c.unknownNs += len;
    }
    c.inOutage = d.inOutage;
    c.openStartNs = d.outageStart;
    c.openEndNs = d.outageEnd;
}

bool StepRollup::prepare(sqlite3 *db, QString *error) {
    if (m_db == db && m_stepStmt)
        return true;
    m_db = db;
    m_stepStmt = std::make_unique<SqliteStatement>(
        db,
        "INSERT OR REPLACE INTO step_rollups (id, run_id, phase, step_index, step, device, bin, first_id,"
        " last_id, results, pass, fail, error, abort, expected, marginal, retried, stalled, swept, total_ns,"
        " latency_count, latency_sum, latency_min, latency_max, fault_latency_sum, latencies, "
        "fault_latencies, first_pf,"
        " last_pf, flips, has_pass, lead, lead_start_ns, trail, trail_start_ns, longest, longest_start_ns)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    m_deviceStmt = std::make_unique<SqliteStatement>(
        db,
        "INSERT OR REPLACE INTO device_rollups (id, run_id, device, bin, current, up_ns, down_ns, fault_ns,"
        " unknown_ns, episodes, up_spread_ns, known_spread_ns, outage_ns, outage_start_ns, in_outage,"
        " open_start_ns, open_end_ns) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!m_stepStmt->ok() || !m_deviceStmt->ok()) {
        *error = QStringLiteral("preparing the rollup statements: %1")
                     .arg(!m_stepStmt->ok() ? m_stepStmt->error() : m_deviceStmt->error());
        m_stepStmt.reset();
        m_deviceStmt.reset();
        m_db = nullptr;
        return false;
    }
    return true;
}

bool StepRollup::writeStep(const StepCells &k, const StepRollupCell &c, qint64 *rowId, QString *error) {
    sqlite3_stmt *s = m_stepStmt->get();
    bindRowId(s, *rowId);
    sqlite3_bind_int64(s, 2, m_runId);
    bindBytes(s, 3, k.phase);
    sqlite3_bind_int64(s, 4, k.stepIndex);
    bindBytes(s, 5, k.step);
    bindBytes(s, 6, k.device);
    const qint64 values[] = {c.bin,        c.firstId,    c.lastId,        c.results,        c.pass,
                             c.fail,       c.error,      c.abort,         c.expected,       c.marginal,
                             c.retried,    c.stalled,    c.swept ? 1 : 0, c.totalNs,        c.latencyCount,
                             c.latencySum, c.latencyMin, c.latencyMax,    c.faultLatencySum};
    int i = 7;
    for (qint64 v : values)
        sqlite3_bind_int64(s, i++, v);
    bindBlobOrNull(s, i++, c.outside);
    bindBlobOrNull(s, i++, c.during);
    const qint64 order[] = {c.firstPf,   c.lastPf, c.flips,      c.hasPass ? 1 : 0, c.lead,
                            c.leadStart, c.trail,  c.trailStart, c.longest,         c.longestStart};
    for (qint64 v : order)
        sqlite3_bind_int64(s, i++, v);
    return insertCell(m_db, s, rowId, error);
}

bool StepRollup::writeDevice(const QByteArray &device, const DeviceRollupCell &c, qint64 *rowId,
                             QString *error) {
    sqlite3_stmt *s = m_deviceStmt->get();
    bindRowId(s, *rowId);
    sqlite3_bind_int64(s, 2, m_runId);
    bindBytes(s, 3, device);
    const qint64 values[] = {c.bin,           c.current ? 1 : 0,  c.upNs,        c.downNs,        c.faultNs,
                             c.unknownNs,     c.episodes,         c.upSpreadNs,  c.knownSpreadNs, c.outageNs,
                             c.outageStartNs, c.inOutage ? 1 : 0, c.openStartNs, c.openEndNs};
    int i = 4;
    for (qint64 v : values)
        sqlite3_bind_int64(s, i++, v);
    return insertCell(m_db, s, rowId, error);
}

void StepRollup::release() {
    m_stepStmt.reset();
    m_deviceStmt.reset();
    m_db = nullptr;
}

bool StepRollup::write(sqlite3 *db, QString *error) {
    if (!prepare(db, error))
        return false;
    // Closed cells first: a step's cells then have ids in the order of their results.
    for (ClosedStep &c : m_closedSteps) {
        if (!writeStep(m_steps[c.key], c.cell, &c.rowId, error))
            return false;
    }
    m_closedSteps.clear();
    for (StepCells &k : m_steps) {
        if (k.open && k.dirty) {
            if (!writeStep(k, k.cell, &k.rowId, error))
                return false;
            k.dirty = false;
        }
    }
    for (ClosedDevice &c : m_closedDevices) {
        if (!writeDevice(m_devices[c.device].device, c.cell, &c.rowId, error))
            return false;
    }
    m_closedDevices.clear();
    for (DeviceState &d : m_devices) {
        for (auto &[bin, cell] : d.spill) {
            qint64 none = 0;
            if (!writeDevice(d.device, cell, &none, error))
                return false;
        }
        d.spill.clear();
        if (d.open && d.dirty) {
            if (!writeDevice(d.device, d.cell, &d.rowId, error))
                return false;
            d.dirty = false;
        }
    }
    return true;
}

bool dropRollups(sqlite3 *db, qint64 runId) {
    if (!dropSampleRollups(db, runId))
        return false;
    for (const char *sql :
         {"DELETE FROM step_rollups WHERE run_id = ?", "DELETE FROM device_rollups WHERE run_id = ?"}) {
        SqliteStatement d(db, sql);
        d.bind(1, runId);
        if (!d.ok() || !d.exec())
            return false;
    }
    return true;
}

bool rebuildStepRollups(sqlite3 *db, qint64 runId, QString *error) {
    if (!dropRollups(db, runId)) {
        *error = QString::fromUtf8(sqlite3_errmsg(db));
        return false;
    }
    SqliteStatement q(db, "SELECT id, phase, step_index, step, device, start_ns, end_ns, latency_ns, verdict,"
                          " marginal, expected, stall_ns IS NOT NULL, retried, bindings IS NOT NULL,"
                          " fault_id IS NOT NULL FROM step_results WHERE run_id = ? ORDER BY id");
    if (!q.ok()) {
        *error = q.error();
        return false;
    }
    q.bind(1, runId);
    StepRollup rollup(runId);
    qint64 n = 0;
    RollupInput r;
    while (q.next()) {
        r.id = q.int64(0);
        r.phase = q.bytes(1);
        r.stepIndex = q.int64(2);
        r.step = q.bytes(3);
        r.device = q.bytes(4);
        r.startNs = q.int64(5);
        r.endNs = q.int64(6);
        r.latencyNs = q.optInt64(7);
        r.verdict = q.bytes(8);
        r.marginal = q.int64(9) != 0;
        r.expected = q.int64(10) != 0;
        r.stalled = q.int64(11) != 0;
        r.retried = q.int64(12) != 0;
        r.swept = q.int64(13) != 0;
        r.inFault = q.int64(14) != 0;
        rollup.add(r);
        // Written as it goes, so that memory stays bounded by the steps, not the bins.
        if (++n % 100'000 == 0 && !rollup.write(db, error))
            return false;
    }
    if (!q.done()) {
        *error = q.error();
        return false;
    }
    return rollup.write(db, error) && rebuildSampleRollups(db, runId, error);
}

} // namespace hil
