#include "core/store/runscan.h"

#include "core/store/sqlitestatement.h"

namespace hil {

namespace {

bool failed(const SqliteStatement &q, QString *error) {
    if (error)
        *error = q.error();
    return false;
}

// A scan that ran to its end, or was stopped by its visitor, succeeded.
bool finished(const SqliteStatement &q, bool stopped, QString *error) {
    if (stopped || q.done())
        return true;
    return failed(q, error);
}

StoredValue stored(const SqliteStatement &q, int col) {
    StoredValue v;
    switch (sqlite3_column_type(q.get(), col)) {
    case SQLITE_NULL:
        v.type = StoredValue::Type::Null;
        break;
    case SQLITE_INTEGER:
        v.type = StoredValue::Type::Integer;
        v.integer = q.int64(col);
        break;
    case SQLITE_FLOAT:
        v.type = StoredValue::Type::Real;
        v.real = q.real(col);
        break;
    default:
        v.type = StoredValue::Type::Bytes;
        v.bytes = q.bytes(col);
    }
    return v;
}

void bindRange(SqliteStatement &q, const std::pair<qint64, qint64> &range, qint64 runId) {
    q.bind(1, range.first);
    q.bind(2, range.second);
    q.bind(3, runId);
}

} // namespace

RunScan::RunScan(const RunQuery &db, qint64 runId)
    : m_db(db)
    , m_runId(runId) {}

std::pair<qint64, qint64> RunScan::stepRange() const {
    if (!m_stepRange)
        m_stepRange = m_db.idRange(RunQuery::Table::StepResults, m_runId);
    return *m_stepRange;
}

std::pair<qint64, qint64> RunScan::measurementRange() const {
    if (!m_measurementRange)
        m_measurementRange = m_db.idRange(RunQuery::Table::Measurements, m_runId);
    return *m_measurementRange;
}

std::optional<qint64> RunScan::lastStepEnd(QString *error) const {
    SqliteStatement q(m_db.m_db,
                      "SELECT max(end_ns) FROM step_results WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3");
    bindRange(q, stepRange(), m_runId);
    if (!q.ok()) {
        failed(q, error);
        return std::nullopt;
    }
    return q.next() ? q.int64(0) : 0;
}

std::optional<qint64> RunScan::lastEventTime() const {
    SqliteStatement e(m_db.m_db, "SELECT max(t_ns) FROM events WHERE run_id = ?");
    e.bind(1, m_runId);
    if (e.ok() && e.next())
        return e.int64(0);
    return std::nullopt;
}

bool RunScan::forEachStep(const std::function<bool(const StepRow &)> &visit, QString *error) const {
    SqliteStatement q(
        m_db.m_db,
        m_db.hasSweeps()        ? "SELECT id, phase, step_index, step, device, start_ns, end_ns, latency_ns,"
                                  " verdict, marginal, expected, stall_ns IS NOT NULL, retried, attempt,"
                                  " bindings IS NOT NULL, fault_id IS NOT NULL FROM step_results WHERE id BETWEEN "
                                  "?1 AND ?2 AND +run_id = "
                                  "?3 ORDER BY id"
        : m_db.hasCorrelation() ? "SELECT id, phase, step_index, step, device, start_ns, end_ns, latency_ns,"
                                  " verdict, marginal, expected, stall_ns IS NOT NULL, 0, 1, 0, fault_id IS "
                                  "NOT NULL FROM step_results"
                                  " WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 ORDER BY id"
        : m_db.hasExpected()
            ? "SELECT id, phase, step_index, step, device, start_ns, end_ns, latency_ns,"
              " verdict, marginal, expected, 0, 0, 1, 0, fault_id IS NOT NULL FROM step_results"
              " WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 ORDER BY id"
            : "SELECT id, phase, step_index, step, device, start_ns, end_ns, latency_ns,"
              " verdict, marginal, 0, 0, 0, 1, 0, 0 FROM step_results"
              " WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 ORDER BY id");
    if (!q.ok())
        return failed(q, error);
    bindRange(q, stepRange(), m_runId);
    StepRow r;
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
        r.attempt = q.int64(13);
        r.swept = q.int64(14) != 0;
        r.inFault = q.int64(15) != 0;
        if (!visit(r))
            return true;
    }
    return finished(q, false, error);
}

bool RunScan::forEachLatency(const std::function<bool(qint64, qint64)> &visit, QString *error) const {
    SqliteStatement q(m_db.m_db, "SELECT id, latency_ns FROM step_results"
                                 " WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 AND latency_ns IS NOT NULL"
                                 " ORDER BY id");
    if (!q.ok())
        return failed(q, error);
    bindRange(q, stepRange(), m_runId);
    while (q.next()) {
        if (!visit(q.int64(0), q.int64(1)))
            return true;
    }
    return finished(q, false, error);
}

bool RunScan::forEachStepDetail(const std::vector<qint64> &ids, qint64 responseBytes,
                                const std::function<bool(const StepDetailRow &)> &visit,
                                QString *error) const {
    SqliteStatement q(m_db.m_db, m_db.hasSweeps()
                                     ? "SELECT phase, step, device, iteration, repetition, start_ns, end_ns,"
                                       " latency_ns, verdict, message, substr(response, 1, ?2),"
                                       " length(response), attempt, bindings FROM step_results WHERE id = ?1"
                                     : "SELECT phase, step, device, iteration, repetition, start_ns, end_ns,"
                                       " latency_ns, verdict, message, substr(response, 1, ?2),"
                                       " length(response), 1, NULL FROM step_results WHERE id = ?1");
    if (!q.ok())
        return failed(q, error);
    for (qint64 id : ids) {
        q.reset();
        q.bind(1, id);
        q.bind(2, responseBytes);
        if (!q.next())
            continue;
        StepDetailRow r;
        r.id = id;
        r.phase = q.text(0);
        r.step = q.text(1);
        r.device = q.text(2);
        r.iteration = q.int64(3);
        r.repetition = q.int64(4);
        r.startNs = q.int64(5);
        r.endNs = q.int64(6);
        r.latencyNs = q.optInt64(7);
        r.verdict = q.text(8);
        r.message = q.text(9);
        r.response = q.blob(10);
        r.responseSize = q.int64(11);
        r.attempt = q.int64(12);
        r.bindings = q.text(13);
        if (!visit(r))
            break;
    }
    return true;
}

MeasurementRow::Definition MeasurementRow::definition() const {
    // The columns of forEachMeasurement's statement.
    Definition d;
    d.unit = row->text(2);
    d.low = row->optReal(4);
    d.high = row->optReal(5);
    d.marginalLow = row->optReal(6);
    d.marginalHigh = row->optReal(7);
    return d;
}

bool RunScan::forEachMeasurement(const std::function<bool(const MeasurementRow &)> &visit, QString *error,
                                 bool withStep) const {
    // The first eleven columns are the same either way (MeasurementRow::definition reads them by index).
    const QByteArray columns = "m.step_result_id, m.name, m.unit, m.value, m.low, m.high, m.marginal_low,"
                               " m.marginal_high, m.verdict, m.marginal, m.t_ns";
    const QByteArray range = " WHERE m.id BETWEEN ?1 AND ?2 AND +m.run_id = ?3";
    QByteArray sql = "SELECT " + columns;
    if (withStep)
        sql += QByteArray(", s.id IS NOT NULL, s.phase, s.step_index, s.step, s.device, s.verdict, ")
               + (m_db.hasExpected() ? "s.expected" : "0") + ", " + (m_db.hasSweeps() ? "s.retried" : "0")
               + " FROM measurements m LEFT JOIN step_results s ON s.id = m.step_result_id";
    else
        sql += " FROM measurements m";
    sql += range;
    SqliteStatement q(m_db.m_db, sql.constData());
    if (!q.ok())
        return failed(q, error);
    bindRange(q, measurementRange(), m_runId);
    MeasurementRow r;
    MeasurementRow::Step step;
    r.row = &q;
    r.step = withStep ? &step : nullptr;
    while (q.next()) {
        r.stepResultId = q.int64(0);
        r.name = q.bytes(1);
        r.value = q.optReal(3);
        r.verdict = q.bytes(8);
        r.marginal = q.int64(9) != 0;
        r.tNs = q.int64(10);
        if (withStep) {
            step.present = q.int64(11) != 0;
            step.phase = q.bytes(12);
            step.stepIndex = q.int64(13);
            step.step = q.bytes(14);
            step.device = q.bytes(15);
            step.verdict = q.bytes(16);
            step.expected = q.int64(17) != 0;
            step.retried = q.int64(18) != 0;
        }
        if (!visit(r))
            return true;
    }
    return finished(q, false, error);
}

bool RunScan::forEachSweepPoint(const std::function<bool(const SweepPointRow &)> &visit,
                                QString *error) const {
    if (!m_db.hasSweeps())
        return true;
    // One group per measurement and set of values, over the run's id range; a few rows per sweep point.
    SqliteStatement q(
        m_db.m_db,
        "SELECT m.name, min(m.unit), s.bindings, count(m.value), count(*) - count(m.value), avg(m.value),"
        " min(m.value), max(m.value), sum(m.verdict = 'PASS'), sum(m.verdict != 'PASS'), sum(m.marginal),"
        " min(m.low), max(m.high)"
        " FROM measurements m JOIN step_results s ON s.id = m.step_result_id"
        " WHERE m.id BETWEEN ?1 AND ?2 AND +m.run_id = ?3 AND s.bindings IS NOT NULL AND NOT s.retried"
        " GROUP BY m.name, s.bindings ORDER BY min(m.id)");
    if (!q.ok())
        return failed(q, error);
    bindRange(q, measurementRange(), m_runId);
    SweepPointRow r;
    while (q.next()) {
        r.name = q.text(0);
        r.unit = q.text(1);
        r.bindings = q.bytes(2);
        r.samples = q.int64(3);
        r.nonNumeric = q.int64(4);
        r.mean = q.real(5);
        r.min = q.real(6);
        r.max = q.real(7);
        r.pass = q.int64(8);
        r.fail = q.int64(9);
        r.marginal = q.int64(10);
        r.low = q.optReal(11);
        r.high = q.optReal(12);
        if (!visit(r))
            return true;
    }
    return finished(q, false, error);
}

bool RunScan::forEachFault(const std::function<bool(const FaultRow &)> &visit, QString *error) const {
    if (!m_db.hasFaultsTable())
        return true;
    SqliteStatement q(m_db.m_db,
                      "SELECT id, device, target, kind, direction, params, seed, manual, start_ns,"
                      " end_ns, recovery_ns, bytes_dropped, bytes_corrupted, bytes_delayed FROM faults"
                      " WHERE run_id = ? ORDER BY start_ns, id LIMIT 100000");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, m_runId);
    while (q.next()) {
        FaultRow f;
        f.id = q.int64(0);
        f.device = q.text(1);
        f.target = q.text(2);
        f.kind = q.text(3);
        f.direction = q.text(4);
        f.params = q.text(5);
        f.seed = q.optInt64(6);
        f.manual = q.int64(7) != 0;
        f.startNs = q.int64(8);
        f.endNs = q.optInt64(9);
        f.recoveryNs = q.optInt64(10);
        f.bytesDropped = q.optInt64(11);
        f.bytesCorrupted = q.optInt64(12);
        f.bytesDelayed = q.optInt64(13);
        if (!visit(f))
            return true;
    }
    return finished(q, false, error);
}

bool RunScan::forEachFaultEvent(const std::function<bool(const EventRow &)> &visit, QString *error) const {
    SqliteStatement q(m_db.m_db, "SELECT t_ns, kind, device, detail FROM events WHERE run_id = ?"
                                 " AND kind IN ('fault-start', 'fault-end') ORDER BY t_ns, id LIMIT 200000");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, m_runId);
    // Best effort: a window list cut short by a read error still pairs what it has.
    while (q.next()) {
        if (!visit({q.int64(0), q.text(1), q.text(2), q.text(3)}))
            break;
    }
    return true;
}

bool RunScan::forEachEvent(qint64 limit, const std::function<bool(const EventRow &)> &visit,
                           QString *error) const {
    SqliteStatement q(
        m_db.m_db,
        "SELECT t_ns, kind, device, detail FROM events WHERE run_id = ? ORDER BY t_ns, id LIMIT ?");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, m_runId);
    q.bind(2, limit);
    while (q.next()) {
        if (!visit({q.int64(0), q.text(1), q.text(2), q.text(3)}))
            break;
    }
    return true;
}

bool RunScan::forEachEventKind(const std::function<bool(const QString &, qint64)> &visit,
                               QString *error) const {
    SqliteStatement c(m_db.m_db, "SELECT kind, count(*) FROM events WHERE run_id = ? GROUP BY kind");
    if (!c.ok())
        return failed(c, error);
    c.bind(1, m_runId);
    while (c.next()) {
        if (!visit(c.text(0), c.int64(1)))
            return true;
    }
    return finished(c, false, error);
}

bool RunScan::forEachExchange(const QList<ExchangeWindow> &windows,
                              const std::function<bool(qsizetype, const ExchangeRow &)> &visit,
                              QString *error) const {
    SqliteStatement x(m_db.m_db, "SELECT t_ns, direction, substr(data, 1, 512) FROM exchanges"
                                 " WHERE run_id = ?1 AND t_ns BETWEEN ?2 AND ?3 AND device = ?4"
                                 " ORDER BY t_ns DESC, id DESC LIMIT ?5");
    if (!x.ok())
        return failed(x, error);
    for (qsizetype i = 0; i < windows.size(); ++i) {
        const ExchangeWindow &w = windows[i];
        x.reset();
        x.bind(1, m_runId);
        x.bind(2, w.fromNs);
        x.bind(3, w.toNs);
        x.bind(4, w.device);
        x.bind(5, w.limit);
        while (x.next()) {
            if (!visit(i, {x.int64(0), x.text(1) == u"tx", x.blob(2)}))
                return true;
        }
    }
    return true;
}

bool RunScan::forEachStoredEvent(const std::function<bool(const StoredEventRow &)> &visit,
                                 QString *error) const {
    SqliteStatement q(m_db.m_db,
                      "SELECT t_ns, kind, device, detail FROM events WHERE run_id = ? ORDER BY t_ns, id");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, m_runId);
    while (q.next()) {
        StoredEventRow r;
        r.tNs = stored(q, 0);
        r.kind = q.text(1);
        r.device = q.text(2);
        r.detail = q.text(3);
        if (!visit(r))
            return true;
    }
    return finished(q, false, error);
}

bool RunScan::forEachStoredStepResult(const std::function<bool(const StoredStepResultRow &)> &visit,
                                      QString *error) const {
    SqliteStatement q(
        m_db.m_db,
        m_db.hasSweeps() ? "SELECT id, phase, iteration, step_index, repetition, step, device, start_ns,"
                           " end_ns, latency_ns, lateness_ns, verdict, marginal, expected, fault_id,"
                           " message, response, exchange, stall_ns, attempt, retried, bindings"
                           " FROM step_results WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 ORDER BY id"
        : m_db.hasCorrelation()
            ? "SELECT id, phase, iteration, step_index, repetition, step, device, start_ns,"
              " end_ns, latency_ns, lateness_ns, verdict, marginal, expected, fault_id,"
              " message, response, exchange, stall_ns, 1, 0, NULL FROM step_results"
              " WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 ORDER BY id"
        : m_db.hasExpected() ? "SELECT id, phase, iteration, step_index, repetition, step, device, start_ns,"
                               " end_ns, latency_ns, lateness_ns, verdict, marginal, expected, fault_id,"
                               " message, response, NULL, NULL, 1, 0, NULL FROM step_results"
                               " WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 ORDER BY id"
                             : "SELECT id, phase, iteration, step_index, repetition, step, device, start_ns,"
                               " end_ns, latency_ns, lateness_ns, verdict, marginal, 0, NULL, message,"
                               " response, NULL, NULL, 1, 0, NULL FROM step_results"
                               " WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3 ORDER BY id");
    if (!q.ok())
        return failed(q, error);
    bindRange(q, stepRange(), m_runId);
    while (q.next()) {
        StoredStepResultRow r;
        r.id = stored(q, 0);
        r.phase = stored(q, 1);
        r.iteration = stored(q, 2);
        r.stepIndex = stored(q, 3);
        r.repetition = stored(q, 4);
        r.step = q.text(5);
        r.device = q.text(6);
        r.startNs = stored(q, 7);
        r.endNs = stored(q, 8);
        r.latencyNs = stored(q, 9);
        r.latenessNs = stored(q, 10);
        r.verdict = stored(q, 11);
        r.marginal = stored(q, 12);
        r.expected = stored(q, 13);
        r.faultId = stored(q, 14);
        r.message = q.text(15);
        if (!q.isNull(16))
            r.response = q.blob(16);
        r.exchange = q.text(17);
        r.stallNs = stored(q, 18);
        r.attempt = stored(q, 19);
        r.retried = stored(q, 20);
        r.bindings = q.text(21);
        if (!visit(r))
            return true;
    }
    return finished(q, false, error);
}

bool RunScan::forEachStoredSample(const std::function<bool(const StoredSampleRow &)> &visit,
                                  QString *error) const {
    SqliteStatement q(m_db.m_db,
                      "SELECT id, step_result_id, name, value, unit, low, high, marginal_low, marginal_high,"
                      " verdict, marginal, t_ns FROM measurements WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3"
                      " ORDER BY id");
    if (!q.ok())
        return failed(q, error);
    bindRange(q, measurementRange(), m_runId);
    StoredSampleRow r;
    while (q.next()) {
        r.id = stored(q, 0);
        r.stepResultId = stored(q, 1);
        r.name = q.bytes(2);
        r.value = stored(q, 3);
        r.unit = q.bytes(4);
        r.low = stored(q, 5);
        r.high = stored(q, 6);
        r.marginalLow = stored(q, 7);
        r.marginalHigh = stored(q, 8);
        r.verdict = stored(q, 9);
        r.marginal = stored(q, 10);
        r.tNs = stored(q, 11);
        if (!visit(r))
            return true;
    }
    return finished(q, false, error);
}

} // namespace hil
