#include "core/store/steppages.h"

#include "core/store/sqlitestatement.h"

#include <QHash>

namespace hil {

namespace {

bool failed(const SqliteStatement &q, QString *error) {
    if (error)
        *error = q.error();
    return false;
}

// Samples read past the last step of a page before giving up (a file whose samples are not in the order
// of their step results: the values of those rows stay empty rather than the whole table being read).
constexpr qint64 kSamplesPerRowBound = 256;

} // namespace

StepPages::StepPages(const RunQuery &db, qint64 runId)
    : m_db(db)
    , m_runId(runId) {}

bool StepPages::page(qint64 afterId, qint64 lastId, int limit, QList<ListedStep> *rows,
                     QString *error) const {
    rows->clear();
    // `+run_id` keeps SQLite on the rowid: the walk starts at afterId and stops after `limit` rows.
    SqliteStatement q(m_db.m_db,
                      m_db.hasExpected()
                          ? "SELECT id, phase, iteration, step, device, start_ns, latency_ns, verdict,"
                            " marginal, expected, message, substr(response, 1, ?4) FROM step_results"
                            " WHERE id > ?1 AND id <= ?2 AND +run_id = ?3 ORDER BY id LIMIT ?5"
                          : "SELECT id, phase, iteration, step, device, start_ns, latency_ns, verdict,"
                            " marginal, 0, message, substr(response, 1, ?4) FROM step_results"
                            " WHERE id > ?1 AND id <= ?2 AND +run_id = ?3 ORDER BY id LIMIT ?5");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, afterId);
    q.bind(2, lastId);
    q.bind(3, m_runId);
    q.bind(4, static_cast<qint64>(kResponseBytes));
    q.bind(5, static_cast<qint64>(limit));
    while (q.next()) {
        ListedStep r;
        r.id = q.int64(0);
        r.phase = q.text(1);
        r.iteration = q.int64(2);
        r.step = q.text(3);
        r.device = q.text(4);
        r.startNs = q.int64(5);
        r.latencyNs = q.optInt64(6);
        r.verdict = q.text(7);
        r.marginal = q.int64(8) != 0;
        r.expected = q.int64(9) != 0;
        r.message = q.text(10);
        r.response = q.blob(11);
        rows->append(std::move(r));
    }
    if (!q.done())
        return failed(q, error);
    return readValues(rows, error);
}

std::optional<qint64> StepPages::countInRange(qint64 fromId, qint64 toId, QString *error) const {
    SqliteStatement q(m_db.m_db,
                      "SELECT count(*) FROM step_results WHERE id BETWEEN ?1 AND ?2 AND +run_id = ?3");
    q.bind(1, fromId);
    q.bind(2, toId);
    q.bind(3, m_runId);
    if (!q.ok() || !q.next()) {
        failed(q, error);
        return std::nullopt;
    }
    return q.int64(0);
}

std::optional<qint64> StepPages::firstMeasurementOf(qint64 stepId, QString *error) const {
    SqliteStatement last(m_db.m_db, "SELECT max(id) FROM measurements");
    if (!last.ok() || !last.next()) {
        failed(last, error);
        return std::nullopt;
    }
    SqliteStatement probe(m_db.m_db,
                          "SELECT id, step_result_id FROM measurements WHERE id >= ?1 ORDER BY id LIMIT 1");
    if (!probe.ok()) {
        failed(probe, error);
        return std::nullopt;
    }
    // The first row at or after id, as (its id, its step result); nullopt past the end.
    const auto at = [&probe](qint64 id) -> std::optional<std::pair<qint64, qint64>> {
        probe.reset();
        probe.bind(1, id);
        if (!probe.next())
            return std::nullopt;
        return std::pair{probe.int64(0), probe.int64(1)};
    };
    qint64 lo = 0, hi = last.int64(0) + 1; // the answer lies in (lo, hi]
    while (hi - lo > 1) {
        const qint64 mid = lo + (hi - lo) / 2;
        const auto row = at(mid);
        if (row && row->second >= stepId)
            hi = mid;
        else
            lo = mid;
    }
    const auto row = at(hi);
    return row ? row->first : hi;
}

bool StepPages::readValues(QList<ListedStep> *rows, QString *error) const {
    if (rows->isEmpty())
        return true;
    const qint64 firstStep = rows->first().id, lastStep = rows->last().id;
    const std::optional<qint64> from = firstMeasurementOf(firstStep, error);
    if (!from)
        return false;
    QHash<qint64, qsizetype> rowOf;
    rowOf.reserve(rows->size());
    for (qsizetype i = 0; i < rows->size(); ++i)
        rowOf.insert(rows->at(i).id, i);
    SqliteStatement q(m_db.m_db, "SELECT step_result_id, run_id, name, value, unit FROM measurements"
                                 " WHERE id >= ?1 ORDER BY id");
    if (!q.ok())
        return failed(q, error);
    q.bind(1, *from);
    const qint64 bound = kSamplesPerRowBound * rows->size();
    for (qint64 seen = 0; seen < bound && q.next(); ++seen) {
        const qint64 step = q.int64(0);
        if (step > lastStep)
            return true;
        if (q.int64(1) != m_runId)
            continue;
        const auto it = rowOf.constFind(step);
        if (it == rowOf.constEnd())
            continue;
        (*rows)[*it].values.append({q.text(2), q.optReal(3), q.text(4)});
    }
    return q.ok() || q.done() ? true : failed(q, error);
}

} // namespace hil
