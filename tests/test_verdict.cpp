#define BOOST_TEST_MODULE verdict
#include "core/run/faultserves.h"
#include "core/run/recoverytracker.h"
#include "core/run/runledger.h"
#include "core/run/verdictrule.h"
#include "core/store/recorder.h"
#include "core/store/verdictinputsreader.h"

#include <QTemporaryDir>
#include <boost/test/unit_test.hpp>
#include <functional>
#include <ostream>
#include <sqlite3.h>

// The verdict rule over recorded runs, without an event loop: each case plays a run's results and faults
// into a RunLedger (as the runner does) and checks decideVerdict's verdict, counts and reasons.

using hil::Phase;
using hil::Verdict;

namespace {

constexpr qint64 ms = 1'000'000;

// A scenario whose steps 0 and 1 check a device (setup step 0 too) and whose step 2 only sends.
hil::Scenario scenario() {
    hil::Scenario s;
    hil::Step check;
    check.expect = hil::ExpectSpec{};
    hil::Step send;
    send.send = hil::SendSpec{};
    s.setup = {check};
    s.steps = {check, check, send};
    return s;
}

// Plays one run into a ledger.
class Play {
public:
    Play &result(Verdict v, qint64 startMs, qint64 endMs, int faultId = -1, int step = 0,
                 const QString &device = QStringLiteral("calc"), Phase phase = Phase::Steps) {
        return tried(v, startMs, endMs, 1, false, faultId, step, device, phase);
    }
    // A try of a retry/until step: retried when a later try followed it.
    Play &tried(Verdict v, qint64 startMs, qint64 endMs, int attempt, bool retried, int faultId = -1,
                int step = 0, const QString &device = QStringLiteral("calc"), Phase phase = Phase::Steps) {
        hil::StepResult r;
        r.attempt = attempt;
        r.retried = retried;
        // Steps 0 and 1 check an answer (as the scenario says); step 2 only sends.
        if (step != 2 && (v == Verdict::Pass || v == Verdict::Fail)) {
            r.response = v == Verdict::Pass ? QByteArrayLiteral("OK") : QByteArrayLiteral("BAD");
            r.latencyNs = ms;
        }
        r.phase = phase;
        r.stepIndex = step;
        r.step = step == 0 ? QStringLiteral("read temperature") : QStringLiteral("step %1").arg(step);
        r.device = device;
        r.startNs = startMs * ms;
        r.endNs = endMs * ms;
        r.verdict = v;
        r.faultId = faultId;
        r.expected = faultId >= 0 && (v == Verdict::Fail || v == Verdict::Error);
        m_ledger.stepFinished(r);
        m_results.append(r);
        return *this;
    }
    // `count` results of `v` between fromMs and toMs, all excused by faultId (or none).
    Play &results(int count, Verdict v, qint64 fromMs, qint64 toMs, int faultId = -1, int step = 0) {
        const qint64 each = (toMs - fromMs) / count;
        for (int i = 0; i < count; ++i)
            result(v, fromMs + i * each, fromMs + (i + 1) * each, faultId, step);
        return *this;
    }
    Play &faultStart(int id, qint64 atMs, qint64 boundMs = 10'000,
                     const QString &device = QStringLiteral("calc")) {
        hil::FaultRecord f;
        f.id = id;
        f.device = device;
        f.target = QStringLiteral("link");
        f.kind = QStringLiteral("latency");
        f.startNs = atMs * ms;
        f.recoveryBoundNs = boundMs * ms;
        f.params = QStringLiteral("{recover: {within: %1ms}}").arg(boundMs);
        m_ledger.faultStarted(f);
        m_faults.append(f);
        return *this;
    }
    // A blackout on the fixture proxy 'cloud' that serves `serves`.
    Play &proxyFaultStart(int id, qint64 atMs, qint64 boundMs, const QStringList &serves) {
        hil::FaultRecord f;
        f.id = id;
        f.device = QStringLiteral("cloud");
        f.target = QStringLiteral("proxy");
        f.kind = QStringLiteral("blackout");
        f.startNs = atMs * ms;
        f.recoveryBoundNs = boundMs * ms;
        f.serves = serves;
        f.params = hil::paramsWithServes(
            QStringLiteral("{on: cloud, link: blackout, recover: {within: %1ms}}").arg(boundMs), serves);
        m_ledger.faultStarted(f);
        m_faults.append(f);
        return *this;
    }
    Play &faultEnd(int id, qint64 atMs) {
        hil::FaultRecord f;
        f.id = id;
        f.endNs = atMs * ms;
        m_ledger.faultEnded(f);
        for (hil::FaultRecord &started : m_faults) {
            if (started.id == id)
                started.endNs = f.endNs;
        }
        return *this;
    }
    Play &harness(const std::function<void(hil::VerdictInputs &)> &facts) {
        m_facts = facts;
        return *this;
    }
    hil::VerdictInputs inputs() const { return withFacts(m_ledger.inputs()); }
    // The harness's facts added to inputs read elsewhere (from the store).
    hil::VerdictInputs withFacts(hil::VerdictInputs in) const {
        if (m_facts)
            m_facts(in);
        return in;
    }

    // Records what was played through the real Recorder into a SQLite file, in the same order.
    void record(hil::Recorder &rec) const {
        hil::RunHeader h;
        h.uuid = QStringLiteral("0000-verdict-store-case");
        h.scenario = QStringLiteral("verdict");
        h.fixture = QStringLiteral("bench");
        rec.runStarted(h);
        for (const hil::FaultRecord &f : m_faults)
            rec.faultStarted(f); // before any result: the rows point at the faults' ids
        for (const hil::StepResult &r : m_results)
            rec.stepFinished(r);
        for (const hil::FaultRecord &f : m_faults) {
            if (f.endNs >= 0)
                rec.faultEnded(f);
        }
    }

private:
    hil::RunLedger m_ledger{scenario()};
    std::function<void(hil::VerdictInputs &)> m_facts;
    QList<hil::StepResult> m_results;
    QList<hil::FaultRecord> m_faults;
};

struct Case {
    const char *name;
    std::function<Play()> play;
    Verdict verdict;
    qint64 pass, fail, error, expected;
    QStringList reasons;        // each must be one of the decision's reasons (a prefix of it)
    qsizetype reasonCount = -1; // how many reasons exactly, if it matters
    QList<int> unproven;
};

const Case kCases[] = {
    {"dead device under a whole-run fault fails, with two reasons",
     [] {
         return std::move(Play().faultStart(1, 0).results(5, Verdict::Fail, 0, 5000, 1).faultEnd(1, 5000));
     },
     Verdict::Fail,
     0,
     5,
     0,
     0,
     {QStringLiteral("read temperature on calc: 0 of 5 passed, 5 during faults"),
      QStringLiteral("calc never answered correctly after link latency #1")},
     2,
     {1}},
    {"excused failures with a proven recovery pass",
     [] {
         return std::move(Play()
                              .results(3, Verdict::Pass, 0, 900)
                              .faultStart(1, 1000, 2000)
                              .results(4, Verdict::Fail, 1000, 3000, 1)
                              .faultEnd(1, 3000)
                              .result(Verdict::Fail, 3000, 3200, 1) // grace: still excused
                              .results(3, Verdict::Pass, 3200, 3800));
     },
     Verdict::Pass,
     6,
     0,
     0,
     5,
     {},
     0,
     {}},
    {"a fault whose device never recovers unexcuses its failures",
     [] {
         return std::move(Play()
                              .results(2, Verdict::Pass, 0, 1000)
                              .faultStart(1, 1000, 500)
                              .results(4, Verdict::Fail, 1000, 3000, 1)
                              .faultEnd(1, 3000)
                              .results(2, Verdict::Fail, 3000, 3400, 1)
                              .results(2, Verdict::Fail, 3600, 4000));
     },
     Verdict::Fail,
     2,
     8,
     0,
     0,
     {QStringLiteral("calc never answered correctly after link latency #1 (within 500ms of its end): 6")},
     -1,
     {1}},
    {"a pass later than the recovery bound proves nothing",
     [] {
         return std::move(Play()
                              .results(2, Verdict::Pass, 0, 1000)
                              .faultStart(1, 1000, 500)
                              .results(2, Verdict::Error, 1000, 3000, 1)
                              .faultEnd(1, 3000)
                              .result(Verdict::Pass, 3100, 3700));
     },
     Verdict::Error,
     3,
     0,
     2,
     0,
     {QStringLiteral("read temperature on calc: 2 of 5 in error, 2 during faults")},
     -1,
     {1}},
    {"no pass before the fault: its failures are not excused",
     [] {
         return std::move(Play()
                              .faultStart(1, 0, 2000)
                              .results(3, Verdict::Fail, 0, 2000, 1)
                              .faultEnd(1, 2000)
                              .results(3, Verdict::Pass, 2000, 2600));
     },
     Verdict::Fail,
     3,
     3,
     0,
     0,
     {QStringLiteral("calc had not answered correctly before link latency #1 began"),
      QStringLiteral("read temperature on calc: 3 of 6 failed, 3 during faults")},
     2,
     {1}},
    {"a step with zero passes cannot pass, even when every failure was excused",
     [] {
         return std::move(Play()
                              .result(Verdict::Pass, 0, 100)
                              .faultStart(1, 200, 1000)
                              .result(Verdict::Fail, 200, 300, 1, 1)
                              .result(Verdict::Fail, 300, 400, 1, 1)
                              .faultEnd(1, 500)
                              .result(Verdict::Pass, 600, 700));
     },
     Verdict::Fail,
     2,
     0,
     0,
     2,
     {QStringLiteral("step 1 on calc: 0 of 2 passed, 2 during faults")},
     1,
     {}},
    {"no check ran in the steps phase is ERROR",
     [] {
         return std::move(Play().result(Verdict::Pass, 0, 10, -1, 0, QStringLiteral("calc"), Phase::Setup));
     },
     Verdict::Error,
     1,
     0,
     0,
     0,
     {QStringLiteral("no check ran in the steps phase")},
     1,
     {}},
    {"an empty run is ERROR, not PASS",
     [] { return Play(); },
     Verdict::Error,
     0,
     0,
     0,
     0,
     {QStringLiteral("no check ran in the steps phase")},
     1,
     {}},
    {"a step that only sends is no check",
     [] { return std::move(Play().result(Verdict::Pass, 0, 10, -1, 2)); },
     Verdict::Error,
     1,
     0,
     0,
     0,
     {QStringLiteral("no check ran in the steps phase")},
     1,
     {}},
    {"a failed setup FAILs, with no 'no check ran' on top",
     [] {
         return std::move(Play().result(Verdict::Fail, 0, 10, -1, 0, QStringLiteral("calc"), Phase::Setup));
     },
     Verdict::Fail,
     0,
     1,
     0,
     0,
     {QStringLiteral("read temperature on calc: 1 of 1 failed")},
     1,
     {}},
    {"precedence: ABORT over ERROR over FAIL",
     [] {
         return std::move(Play()
                              .result(Verdict::Fail, 0, 10)
                              .result(Verdict::Error, 10, 20)
                              .harness([](hil::VerdictInputs &in) {
                                  in.aborted = true;
                                  in.reasons.append(QStringLiteral("SIGINT received"));
                              }));
     },
     Verdict::Abort,
     0,
     1,
     1,
     0,
     {QStringLiteral("SIGINT received")},
     -1,
     {}},
    {"precedence: ERROR over FAIL",
     [] { return std::move(Play().result(Verdict::Fail, 0, 10).result(Verdict::Error, 10, 20)); },
     Verdict::Error,
     0,
     1,
     1,
     0,
     {QStringLiteral("read temperature on calc: 1 of 2 in error"),
      QStringLiteral("read temperature on calc: 0 of 2 passed")},
     2,
     {}},
    {"precedence: FAIL over PASS",
     [] { return std::move(Play().results(3, Verdict::Pass, 0, 30).result(Verdict::Fail, 30, 40)); },
     Verdict::Fail,
     3,
     1,
     0,
     0,
     {QStringLiteral("read temperature on calc: 1 of 4 failed")},
     1,
     {}},
    {"a clean run passes",
     [] { return std::move(Play().results(3, Verdict::Pass, 0, 30)); },
     Verdict::Pass,
     3,
     0,
     0,
     0,
     {},
     0,
     {}},
    {"a report that could not be written makes a passing run ERROR",
     [] {
         return std::move(Play().results(3, Verdict::Pass, 0, 30).harness([](hil::VerdictInputs &in) {
             in.reportsFailed = true;
             in.reasons.append(QStringLiteral("junit: cannot write /x/r.xml"));
         }));
     },
     Verdict::Error,
     3,
     0,
     0,
     0,
     {QStringLiteral("junit: cannot write")},
     1,
     {}},
    {"a store failure makes a passing run ERROR",
     [] {
         return std::move(Play().results(3, Verdict::Pass, 0, 30).harness([](hil::VerdictInputs &in) {
             in.storeFailed = true;
         }));
     },
     Verdict::Error,
     3,
     0,
     0,
     0,
     {},
     0,
     {}},
    {"a fault that begins within another's grace holds its bound",
     [] {
         return std::move(Play()
                              .result(Verdict::Pass, 0, 100)
                              .faultStart(1, 200, 1000)
                              .result(Verdict::Fail, 200, 300, 1)
                              .faultEnd(1, 400)
                              .faultStart(2, 900, 1000)
                              .result(Verdict::Fail, 900, 1000, 2)
                              .faultEnd(2, 3000)
                              .result(Verdict::Pass, 3100, 3200));
     },
     Verdict::Pass,
     2,
     0,
     0,
     2,
     {},
     0,
     {}},
    {"a pass while another fault acts proves no recovery",
     [] {
         return std::move(Play()
                              .result(Verdict::Pass, 0, 100)
                              .faultStart(1, 200, 500)
                              .faultStart(2, 300, 10'000)
                              .result(Verdict::Fail, 300, 400, 1)
                              .faultEnd(1, 500)
                              .result(Verdict::Pass, 600, 700) // under fault 2
                              .faultEnd(2, 5000)
                              .result(Verdict::Pass, 5100, 5200));
     },
     Verdict::Pass,
     3,
     0,
     0,
     1,
     {},
     0,
     {}},
    {"a pass of a step that only sends proves no recovery",
     [] {
         return std::move(Play()
                              .result(Verdict::Pass, 0, 100)
                              .faultStart(1, 200)
                              .result(Verdict::Fail, 200, 300, 1)
                              .faultEnd(1, 400)
                              .result(Verdict::Pass, 500, 600, -1, 2)); // step 2 only sends
     },
     Verdict::Fail,
     2,
     1,
     0,
     0,
     {QStringLiteral("calc never answered correctly after link latency #1")},
     -1,
     {1}},
    {"a fault that never ended proves nothing",
     [] {
         return std::move(Play()
                              .result(Verdict::Pass, 0, 100)
                              .faultStart(1, 200)
                              .result(Verdict::Fail, 200, 300, 1)
                              .harness([](hil::VerdictInputs &in) { in.interrupted = true; }));
     },
     Verdict::Error,
     1,
     1,
     0,
     0,
     {QStringLiteral("calc was still under link latency #1 when the run ended")},
     -1,
     {1}},
    {"a step that passes on its third try passes; its first two tries count for nothing",
     [] {
         return std::move(Play()
                              .tried(Verdict::Fail, 0, 100, 1, true)
                              .tried(Verdict::Error, 200, 300, 2, true)
                              .tried(Verdict::Pass, 400, 500, 3, false)
                              .result(Verdict::Pass, 600, 700, -1, 1));
     },
     Verdict::Pass,
     2,
     0,
     0,
     0,
     {},
     0,
     {}},
    {"a step whose last try fails fails once, however often it was retried",
     [] {
         return std::move(Play()
                              .tried(Verdict::Pass, 0, 100, 1, false, -1, 1)
                              .tried(Verdict::Fail, 200, 300, 1, true)
                              .tried(Verdict::Fail, 400, 500, 2, true)
                              .tried(Verdict::Fail, 600, 700, 3, false));
     },
     Verdict::Fail,
     1,
     1,
     0,
     0,
     {QStringLiteral("read temperature on calc: 0 of 1 passed")},
     1,
     {}},
    {"a retried try that passed proves no recovery from a fault",
     [] {
         return std::move(Play()
                              .result(Verdict::Pass, 0, 100)
                              .faultStart(1, 200, 1000)
                              .result(Verdict::Fail, 200, 300, 1)
                              .faultEnd(1, 400)
                              .tried(Verdict::Pass, 500, 600, 1, true) // an until: not yet met
                              .tried(Verdict::Fail, 700, 800, 2, false));
     },
     Verdict::Fail,
     1,
     2,
     0,
     0,
     {QStringLiteral("calc never answered correctly after link latency #1")},
     -1,
     {1}},
    {"a proxy fault excuses the devices it serves once each of them recovered",
     [] {
         const QString meter = QStringLiteral("meter");
         return std::move(Play()
                              .result(Verdict::Pass, 0, 100)
                              .result(Verdict::Pass, 0, 100, -1, 1, meter)
                              .proxyFaultStart(1, 1000, 1000, {QStringLiteral("calc"), meter})
                              .result(Verdict::Fail, 1000, 1200, 1)
                              .result(Verdict::Error, 1000, 1200, 1, 1, meter)
                              .faultEnd(1, 2000)
                              .result(Verdict::Pass, 2100, 2200)
                              .result(Verdict::Fail, 2100, 2300, 1, 1, meter) // still excused: not back yet
                              .result(Verdict::Pass, 2400, 2500, -1, 1, meter));
     },
     Verdict::Pass,
     4,
     0,
     0,
     3,
     {},
     0,
     {}},
    {"a proxy fault is unproven while one device it serves has not recovered",
     [] {
         const QString meter = QStringLiteral("meter");
         return std::move(Play()
                              .result(Verdict::Pass, 0, 100)
                              .result(Verdict::Pass, 0, 100, -1, 1, meter)
                              .proxyFaultStart(1, 1000, 1000, {QStringLiteral("calc"), meter})
                              .result(Verdict::Fail, 1000, 1200, 1)
                              .faultEnd(1, 2000)
                              .result(Verdict::Pass, 2100, 2200)
                              .result(Verdict::Fail, 2100, 2300, 1, 1, meter)
                              .result(Verdict::Fail, 3100, 3300, -1, 1, meter));
     },
     Verdict::Fail,
     3,
     3,
     0,
     0,
     {QStringLiteral("calc, meter (behind proxy cloud) never answered correctly after proxy blackout #1 "
                     "(within 1s of its end): 2")},
     -1,
     {1}},
    {"a fault on a proxy that serves no device excuses nothing",
     [] {
         return std::move(Play()
                              .result(Verdict::Pass, 0, 100)
                              .proxyFaultStart(1, 1000, 1000, {})
                              .result(Verdict::Fail, 1000, 1200)
                              .faultEnd(1, 2000)
                              .result(Verdict::Pass, 2100, 2200));
     },
     Verdict::Fail,
     2,
     1,
     0,
     0,
     {QStringLiteral("read temperature on calc: 1 of 3 failed")},
     1,
     {}},
};

} // namespace

BOOST_AUTO_TEST_CASE(decide_verdict_over_the_table) {
    for (const Case &c : kCases) {
        BOOST_TEST_CONTEXT(c.name) {
            const hil::VerdictDecision d = hil::decideVerdict(c.play().inputs());
            const std::string reasons = d.reasons.join(QStringLiteral(" | ")).toStdString();
            BOOST_TEST_INFO("reasons: " << reasons);
            BOOST_TEST((d.verdict == c.verdict), "verdict " << qPrintable(hil::verdictName(d.verdict)));
            BOOST_TEST(d.counts.pass == c.pass);
            BOOST_TEST(d.counts.fail == c.fail);
            BOOST_TEST(d.counts.error == c.error);
            BOOST_TEST(d.counts.expected == c.expected);
            // The store says the same: the results recorded by the real Recorder into a SQLite file, read
            // back by readVerdictInputs, decide the same verdict, counts and reasons.
            const Play play = c.play();
            QTemporaryDir dir;
            const QString path = dir.filePath(QStringLiteral("verdict.db"));
            {
                QString error;
                auto rec = hil::Recorder::open(path, &error);
                BOOST_REQUIRE_MESSAGE(rec, error.toStdString());
                play.record(*rec);
                BOOST_TEST(rec->close());
            }
            sqlite3 *db = nullptr;
            BOOST_REQUIRE(sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr)
                          == SQLITE_OK);
            QString error;
            std::optional<hil::VerdictInputs> stored = hil::readVerdictInputs(db, 1, &error);
            sqlite3_close(db);
            BOOST_REQUIRE_MESSAGE(stored, error.toStdString());
            const hil::VerdictDecision fromStore = hil::decideVerdict(play.withFacts(*stored));
            BOOST_TEST((fromStore.verdict == d.verdict),
                       "store verdict " << qPrintable(hil::verdictName(fromStore.verdict)));
            BOOST_TEST(fromStore.counts.pass == d.counts.pass);
            BOOST_TEST(fromStore.counts.fail == d.counts.fail);
            BOOST_TEST(fromStore.counts.error == d.counts.error);
            BOOST_TEST(fromStore.counts.expected == d.counts.expected);
            BOOST_TEST(fromStore.counts.retried == d.counts.retried);
            BOOST_TEST(fromStore.reasons.join(u'|').toStdString() == d.reasons.join(u'|').toStdString());
            for (const QString &want : c.reasons) {
                const bool found = std::any_of(d.reasons.cbegin(), d.reasons.cend(),
                                               [&want](const QString &r) { return r.startsWith(want); });
                BOOST_TEST(found, "no reason starts with '" << qPrintable(want) << "'");
            }
            if (c.reasonCount >= 0)
                BOOST_TEST(d.reasons.size() == c.reasonCount);
            BOOST_TEST((d.unprovenFaults == c.unproven),
                       "unproven faults differ: " << d.unprovenFaults.size());
        }
    }
}

BOOST_AUTO_TEST_CASE(reasons_are_capped) {
    hil::VerdictInputs in;
    for (int i = 0; i < 40; ++i) {
        hil::StepTally t;
        t.stepIndex = i;
        t.step = QStringLiteral("s%1").arg(i);
        t.device = QStringLiteral("d");
        t.exchange = true;
        t.fail = 1;
        in.tallies.append(t);
    }
    const hil::VerdictDecision d = hil::decideVerdict(in);
    BOOST_TEST((d.verdict == Verdict::Fail));
    BOOST_TEST(d.reasons.size() == hil::kMaxVerdictReasons);
    BOOST_TEST((d.reasons.last() == QStringLiteral("and 29 more")));
}

BOOST_AUTO_TEST_CASE(the_devices_a_proxy_served_are_read_back_from_the_fault_as_recorded) {
    const QString text = QStringLiteral("{on: cloud, link: blackout, note: \"serves: [x]\"}");
    const QStringList serves{QStringLiteral("mqsub"), QStringLiteral("meter")};
    BOOST_TEST(hil::servesFromParams(hil::paramsWithServes(text, serves)) == serves);
    BOOST_TEST(hil::paramsWithServes(text, {}) == text);
    BOOST_TEST(hil::servesFromParams(text).isEmpty());
}

BOOST_AUTO_TEST_CASE(recovery_bound_is_read_from_the_fault_as_written) {
    BOOST_TEST(
        hil::recoveryBoundFromParams(QStringLiteral("{on: sensor, link: blackout, recover: {within: 2s}}"))
        == 2'000'000'000LL);
    BOOST_TEST(hil::recoveryBoundFromParams(QStringLiteral("recover:\n  within: 250ms\n")) == 250 * ms);
    BOOST_TEST(
        hil::recoveryBoundFromParams(QStringLiteral("{at: 0s, on: calc, link: {latency: {delay: 1ms}}}"))
        == 10'000'000'000LL);
}
