#include "core/store/verdictinputsreader.h"

#include "core/base/duration.h"
#include "core/run/faultinjector.h"
#include "core/run/faultserves.h"
#include "core/run/recoverytracker.h"
#include "core/store/sqlitestatement.h"

#include <QMap>
#include <QRegularExpression>
#include <algorithm>
#include <tuple>

namespace hil {

namespace {

Phase phaseFromName(const QString &name) {
    if (name == u"setup")
        return Phase::Setup;
    if (name == u"teardown")
        return Phase::Teardown;
    return Phase::Steps;
}

struct FaultEvent {
    qint64 timeNs = 0;
    bool start = false;
    qsizetype fault = 0;
};

} // namespace

qint64 recoveryBoundFromParams(const QString &params) {
    static const QRegularExpression within(
        QStringLiteral(R"(\brecover\s*:\s*\{?\s*within\s*:\s*"?([0-9][0-9.a-z]*))"));
    const QRegularExpressionMatch m = within.match(params);
    if (m.hasMatch()) {
        if (const std::optional<Nanoseconds> d = parseDuration(m.captured(1)))
            return d->count();
    }
    return FaultInjector::kDefaultGraceNs;
}

std::optional<VerdictInputs> readVerdictInputs(sqlite3 *db, qint64 runId, QString *error) {
    VerdictInputs in;
    // Version 5 added retried tries (in none of the counts); an older file has none.
    int version = 0;
    {
        SqliteStatement v(db, "PRAGMA user_version");
        if (v.ok() && v.next())
            version = static_cast<int>(v.int64(0));
    }
    const bool hasRetried = version >= 5;
    SqliteStatement rows(
        db,
        hasRetried
            ? "SELECT phase, step_index, step, device, fault_id, verdict, expected, marginal,"
              " count(*), max(latency_ns IS NOT NULL OR verdict = 'FAIL' OR length(response) > 0), retried"
              " FROM step_results WHERE run_id = ?"
              " GROUP BY phase, step_index, step, device, fault_id, verdict, expected, marginal, retried"
              " ORDER BY min(id)"
            : "SELECT phase, step_index, step, device, fault_id, verdict, expected, marginal,"
              " count(*), max(latency_ns IS NOT NULL OR verdict = 'FAIL' OR length(response) > 0), 0"
              " FROM step_results WHERE run_id = ?"
              " GROUP BY phase, step_index, step, device, fault_id, verdict, expected, marginal"
              " ORDER BY min(id)");
    rows.bind(1, runId);
    QMap<std::tuple<int, qint64, QString, QString>, qsizetype> index;
    while (rows.next()) {
        const Phase phase = phaseFromName(rows.text(0));
        const auto key = std::make_tuple(static_cast<int>(phase), rows.int64(1), rows.text(2), rows.text(3));
        auto it = index.constFind(key);
        if (it == index.cend()) {
            StepTally t;
            t.phase = phase;
            t.stepIndex = static_cast<int>(rows.int64(1));
            t.step = rows.text(2);
            t.device = rows.text(3);
            it = index.insert(key, in.tallies.size());
            in.tallies.append(t);
        }
        StepTally &t = in.tallies[*it];
        const QString verdict = rows.text(5);
        const qint64 n = rows.int64(8);
        t.exchange = t.exchange || rows.int64(9) != 0;
        if (rows.int64(10) != 0) {
            t.retried += n;
            continue;
        }
        const bool failed = verdict == u"FAIL" || verdict == u"ERROR";
        if (failed && rows.int64(6) != 0) {
            StepTally::Excused &e = t.excused[rows.isNull(4) ? -1 : static_cast<int>(rows.int64(4))];
            (verdict == u"FAIL" ? e.fail : e.error) += n;
            continue;
        }
        if (verdict == u"PASS")
            t.pass += n;
        else if (verdict == u"FAIL")
            t.fail += n;
        else if (verdict == u"ERROR")
            t.error += n;
        else
            t.abort += n;
        if (rows.int64(7) != 0)
            t.marginal += n;
    }
    if (!rows.done()) {
        if (error)
            *error = QStringLiteral("cannot read the results of run %1: %2").arg(runId).arg(rows.error());
        return std::nullopt;
    }

    // Faults and passes in the order they happened, into the same tracker the runner's ledger feeds.
    QList<FaultFacts> faults;
    {
        SqliteStatement q(db, "SELECT id, device, target, kind, params, start_ns, end_ns FROM faults"
                              " WHERE run_id = ? ORDER BY id");
        q.bind(1, runId);
        while (q.next()) {
            FaultFacts f;
            f.id = static_cast<int>(q.int64(0));
            f.number = static_cast<int>(faults.size() + 1);
            f.device = q.text(1);
            if (q.text(2) == u"proxy")
                f.served = servesFromParams(q.text(4));
            f.what = QStringLiteral("%1 %2").arg(q.text(2), q.text(3));
            f.recoveryBoundNs = recoveryBoundFromParams(q.text(4));
            f.startNs = q.int64(5);
            f.endNs = q.optInt64(6).value_or(-1);
            faults.append(f);
        }
        // A file older than the faults table has none to read.
    }
    QList<FaultEvent> events;
    for (qsizetype i = 0; i < faults.size(); ++i) {
        events.append({faults[i].startNs, true, i});
        if (faults[i].endNs >= 0)
            events.append({faults[i].endNs, false, i});
    }
    std::stable_sort(events.begin(), events.end(),
                     [](const FaultEvent &a, const FaultEvent &b) { return a.timeNs < b.timeNs; });
    RecoveryTracker tracker;
    qsizetype next = 0;
    const auto feedUntil = [&](qint64 timeNs) {
        for (; next < events.size() && events[next].timeNs <= timeNs; ++next) {
            const FaultFacts &f = faults[events[next].fault];
            if (events[next].start)
                tracker.faultStarted(f);
            else
                tracker.faultEnded(f.id, f.endNs);
        }
    };
    if (!faults.isEmpty()) {
        // Passes with an answer (a step that only sends passes on a dead device too), as the ledger feeds.
        SqliteStatement passes(db, hasRetried ? "SELECT device, start_ns, end_ns FROM step_results WHERE"
                                                " run_id = ? AND verdict = 'PASS' AND length(response) > 0"
                                                " AND NOT retried ORDER BY id"
                                              : "SELECT device, start_ns, end_ns FROM step_results WHERE"
                                                " run_id = ? AND verdict = 'PASS' AND length(response) > 0"
                                                " ORDER BY id");
        passes.bind(1, runId);
        while (passes.next()) {
            feedUntil(passes.int64(2));
            tracker.passed(passes.text(0), passes.int64(1), passes.int64(2));
        }
        if (!passes.done()) {
            if (error)
                *error =
                    QStringLiteral("cannot read the results of run %1: %2").arg(runId).arg(passes.error());
            return std::nullopt;
        }
    }
    feedUntil(std::numeric_limits<qint64>::max());
    in.faults = tracker.facts();
    return in;
}

} // namespace hil
