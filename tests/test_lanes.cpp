#define BOOST_TEST_MODULE lanes
// The run engine's states and device lanes, in-process against real simulators (one hil-sim process per
// device, over TCP, started by the bench). Assertions are about order and overlap of what the engine
// recorded, never about how long something took, so a loaded machine cannot make them lie.

#include "core/config/fixtureloader.h"
#include "core/config/scenarioloader.h"
#include "core/run/resultlistener.h"
#include "core/run/runner.h"
#include "core/run/runstate.h"
#include "core/session/bench.h"
#include "core/session/devicesession.h"
#include "support/eventloop.h"

#include <QSignalSpy>
#include <boost/test/unit_test.hpp>

using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

using hil::RunEvent;
using hil::RunState;

// A fixture of `n` simulated sensors s1..sn, each its own hil-sim process.
hil::Fixture sensors(int n) {
    QByteArray text = "name: lanes\ndevices:\n";
    for (int i = 1; i <= n; ++i)
        text += "  s" + QByteArray::number(i)
                + ":\n    sim: {model: envsensor, transport: tcp, options: {rate: 100}}\n    timeout: 1s\n";
    hil::SourceErrors errors;
    auto f = hil::loadFixtureText(text, QStringLiteral("lanes-fixture.yaml"), &errors);
    BOOST_REQUIRE_MESSAGE(f, "fixture did not load");
    return *f;
}

hil::Scenario scenario(const hil::Fixture &fixture, const QByteArray &text) {
    hil::SourceErrors errors;
    auto s = hil::loadScenarioText(text, QStringLiteral("lanes.yaml"), fixture, &errors);
    BOOST_REQUIRE_MESSAGE(s, "scenario did not load: " << (errors.isEmpty()
                                                               ? std::string()
                                                               : errors.first().toString().toStdString()));
    return *s;
}

struct Collector : hil::ResultListener {
    QList<hil::StepResult> results;
    QList<hil::Event> events;
    std::optional<hil::RunSummary> summary;
    void stepFinished(const hil::StepResult &r) override { results.append(r); }
    void eventRecorded(const hil::Event &e) override { events.append(e); }
    void runFinished(const hil::RunSummary &s) override { summary = s; }

    QList<hil::StepResult> of(const QString &device, int stepIndex = -2) const {
        QList<hil::StepResult> out;
        for (const hil::StepResult &r : results)
            if (r.device == device && (stepIndex == -2 || r.stepIndex == stepIndex))
                out.append(r);
        return out;
    }
};

// Runs a scenario to its end and returns what the listener saw.
struct Run {
    Collector seen;
    hil::Runner runner;
    Run(hil::Fixture fixture, hil::Scenario s)
        : runner(std::move(s), std::move(fixture), hil::RunOptions{1, false, 15000}) {
        runner.addListener(&seen);
    }
    void toEnd(int timeoutMs = 60000) {
        runner.start();
        BOOST_REQUIRE_MESSAGE(hiltest::waitUntil([this] { return seen.summary.has_value(); }, timeoutMs),
                              "the run did not end");
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(transition_table) {
    const QList<RunState> states{RunState::Idle,     RunState::Connecting, RunState::Setup, RunState::Steps,
                                 RunState::Teardown, RunState::Finishing,  RunState::Done};
    const QList<RunEvent> events{RunEvent::Start,     RunEvent::BenchReady,     RunEvent::BenchFailed,
                                 RunEvent::PhaseDone, RunEvent::SetupNotPassed, RunEvent::DeviceGone,
                                 RunEvent::Abort,     RunEvent::StoreFailed,    RunEvent::Finished};
    // Every pair with a transition; every other pair leaves the state alone.
    const QMap<QPair<RunState, RunEvent>, RunState> table{
        {{RunState::Idle, RunEvent::Start}, RunState::Connecting},
        {{RunState::Idle, RunEvent::Abort}, RunState::Finishing},
        {{RunState::Idle, RunEvent::StoreFailed}, RunState::Finishing},
        {{RunState::Connecting, RunEvent::BenchReady}, RunState::Setup},
        {{RunState::Connecting, RunEvent::BenchFailed}, RunState::Finishing},
        {{RunState::Connecting, RunEvent::Abort}, RunState::Finishing},
        {{RunState::Connecting, RunEvent::StoreFailed}, RunState::Finishing},
        {{RunState::Setup, RunEvent::PhaseDone}, RunState::Steps},
        {{RunState::Setup, RunEvent::SetupNotPassed}, RunState::Teardown},
        {{RunState::Setup, RunEvent::DeviceGone}, RunState::Teardown},
        {{RunState::Setup, RunEvent::Abort}, RunState::Finishing},
        {{RunState::Setup, RunEvent::StoreFailed}, RunState::Finishing},
        {{RunState::Steps, RunEvent::PhaseDone}, RunState::Teardown},
        {{RunState::Steps, RunEvent::DeviceGone}, RunState::Teardown},
        {{RunState::Steps, RunEvent::Abort}, RunState::Finishing},
        {{RunState::Steps, RunEvent::StoreFailed}, RunState::Finishing},
        {{RunState::Teardown, RunEvent::PhaseDone}, RunState::Finishing},
        {{RunState::Teardown, RunEvent::DeviceGone}, RunState::Finishing},
        {{RunState::Teardown, RunEvent::Abort}, RunState::Finishing},
        {{RunState::Teardown, RunEvent::StoreFailed}, RunState::Finishing},
        {{RunState::Finishing, RunEvent::Finished}, RunState::Done},
    };
    for (RunState s : states) {
        for (RunEvent e : events) {
            const RunState want = table.value({s, e}, s);
            BOOST_TEST((hil::nextRunState(s, e) == want),
                       hil::runStateName(s).toStdString() << " + " << hil::runEventName(e).toStdString()
                                                          << " -> " << hil::runStateName(want).toStdString());
        }
    }
}

BOOST_AUTO_TEST_CASE(a_step_over_devices_has_all_its_exchanges_in_flight_at_once) {
    // Every device's answers are held 300 ms by its link: one after the other, the step would end each
    // exchange before the next began; in lanes, every exchange starts before any has ended.
    hil::Fixture f = sensors(4);
    Run run(f, scenario(f, "devices: [s1, s2, s3, s4]\n"
                           "faults:\n"
                           "  - {at: 0s, on: s1, link: {latency: {delay: 300ms}}}\n"
                           "  - {at: 0s, on: s2, link: {latency: {delay: 300ms}}}\n"
                           "  - {at: 0s, on: s3, link: {latency: {delay: 300ms}}}\n"
                           "  - {at: 0s, on: s4, link: {latency: {delay: 300ms}}}\n"
                           "steps:\n"
                           "  - name: read\n"
                           "    devices: all\n"
                           "    send: 'READ? TEMP'\n"
                           "    expect: {match: '^TEMP', within: 2s}\n"
                           "  - name: after\n"
                           "    send: {to: s1, line: 'READ? TEMP'}\n"
                           "    expect: '^TEMP'\n"));
    run.toEnd();
    QList<hil::StepResult> reads;
    for (const hil::StepResult &r : run.seen.results)
        if (r.step == u"read")
            reads.append(r);
    BOOST_REQUIRE_EQUAL(reads.size(), 4);
    QStringList devices;
    qint64 lastStart = 0, firstEnd = std::numeric_limits<qint64>::max(), lastEnd = 0;
    for (const hil::StepResult &r : reads) {
        BOOST_TEST((r.verdict == hil::Verdict::Pass), r.device.toStdString()
                                                          << ": " << r.message.toStdString());
        BOOST_TEST(r.latencyNs >= 300'000'000);
        devices.append(r.device);
        lastStart = std::max(lastStart, r.startNs);
        firstEnd = std::min(firstEnd, r.endNs);
        lastEnd = std::max(lastEnd, r.endNs);
    }
    devices.sort();
    BOOST_TEST(devices.join(u',').toStdString() == "s1,s2,s3,s4");
    BOOST_TEST(lastStart < firstEnd, "an exchange began only after another had ended: not concurrent");
    // The next step is a barrier of sorts: it starts when every lane has finished the step before it.
    const QList<hil::StepResult> after = run.seen.of(QStringLiteral("s1"), 1);
    BOOST_REQUIRE_EQUAL(after.size(), 1);
    BOOST_TEST(after.first().startNs >= lastEnd);
    BOOST_TEST((run.seen.summary->verdict == hil::Verdict::Pass));
}

BOOST_AUTO_TEST_CASE(a_slow_device_delays_only_its_own_lane) {
    // s3 never answers (a blackout on its link for the whole steps phase); the step repeats on each lane
    // on the lane's own slots, so s1 and s2 go on at their pace while s3 waits out each timeout.
    hil::Fixture f = sensors(3);
    Run run(f, scenario(f, "devices: [s1, s2, s3]\n"
                           "faults:\n"
                           "  - {at: 0s, on: s3, link: {blackout: {}}, count_failures: true}\n"
                           "steps:\n"
                           "  - name: poll\n"
                           "    devices: all\n"
                           "    send: 'READ? TEMP'\n"
                           "    expect: {match: '^TEMP', within: 300ms}\n"
                           "    repeat: {for: 2s, every: 50ms}\n"));
    run.toEnd();
    const qsizetype slow = run.seen.of(QStringLiteral("s3")).size();
    const qsizetype fast1 = run.seen.of(QStringLiteral("s1")).size();
    const qsizetype fast2 = run.seen.of(QStringLiteral("s2")).size();
    BOOST_TEST_MESSAGE("results: s1 " << fast1 << ", s2 " << fast2 << ", s3 " << slow);
    BOOST_TEST(slow >= 1);
    BOOST_TEST(slow <= 8); // 2 s of 300 ms timeouts
    BOOST_TEST(fast1 > 2 * slow);
    BOOST_TEST(fast2 > 2 * slow);
    for (const hil::StepResult &r : run.seen.of(QStringLiteral("s1")))
        BOOST_TEST((r.verdict == hil::Verdict::Pass), r.message.toStdString());
    // Slots skipped because of the slow device are its own.
    int overruns = 0;
    for (const hil::Event &e : run.seen.events) {
        if (e.kind != u"schedule-overrun")
            continue;
        ++overruns;
        BOOST_TEST(e.device.toStdString() != "s1");
        BOOST_TEST(e.device.toStdString() != "s2");
    }
    BOOST_TEST(overruns >= 1);
}

BOOST_AUTO_TEST_CASE(abort_books_each_exchange_in_flight_once) {
    hil::Fixture f = sensors(3);
    Run run(f, scenario(f, "devices: [s1, s2, s3]\n"
                           "faults:\n"
                           "  - {at: 0s, on: s1, link: {latency: {delay: 5s}}}\n"
                           "  - {at: 0s, on: s2, link: {latency: {delay: 5s}}}\n"
                           "  - {at: 0s, on: s3, link: {latency: {delay: 5s}}}\n"
                           "steps:\n"
                           "  - devices: all\n"
                           "    send: 'READ? TEMP'\n"
                           "    expect: {match: '^TEMP', within: 10s}\n"));
    run.runner.start();
    // Wait until all three requests are out.
    int sent = 0;
    BOOST_REQUIRE(hiltest::waitUntil(
        [&] {
            if (!run.runner.bench() || run.runner.state() != RunState::Steps)
                return false;
            sent = 0;
            for (hil::DeviceSession *s : run.runner.bench()->sessions())
                sent += s->expecting() ? 1 : 0;
            return sent == 3;
        },
        30000));
    run.runner.abort(QStringLiteral("stopped by the test"));
    BOOST_REQUIRE(run.seen.summary.has_value());
    BOOST_TEST((run.seen.summary->verdict == hil::Verdict::Abort));
    BOOST_TEST((run.runner.state() == RunState::Done));
    int aborted = 0;
    QStringList devices;
    for (const hil::StepResult &r : run.seen.results) {
        BOOST_TEST((r.verdict == hil::Verdict::Abort));
        aborted += r.verdict == hil::Verdict::Abort;
        devices.append(r.device);
    }
    devices.sort();
    BOOST_TEST(aborted == 3);
    BOOST_TEST(devices.join(u',').toStdString() == "s1,s2,s3");
    BOOST_TEST(run.seen.summary->counts.abort == 3);
}

BOOST_AUTO_TEST_CASE(a_failed_setup_goes_to_teardown_through_the_states) {
    hil::Fixture f = sensors(1);
    Run run(f, scenario(f, "setup:\n"
                           "  - send: 'READ? TEMP'\n"
                           "    expect: {match: '^NEVER', within: 200ms}\n"
                           "steps:\n"
                           "  - send: 'READ? TEMP'\n"
                           "    expect: '^TEMP'\n"
                           "teardown:\n"
                           "  - send: 'READ? TEMP'\n"
                           "    expect: '^TEMP'\n"));
    run.toEnd();
    QList<hil::Phase> phases;
    for (const hil::StepResult &r : run.seen.results)
        phases.append(r.phase);
    BOOST_TEST((phases == QList<hil::Phase>{hil::Phase::Setup, hil::Phase::Teardown}));
    BOOST_TEST((run.runner.state() == RunState::Done));
    BOOST_TEST((run.seen.summary->verdict == hil::Verdict::Fail));
}

BOOST_AUTO_TEST_CASE(a_step_over_devices_is_checked_when_loaded) {
    hil::Fixture f = sensors(2);
    hil::SourceErrors errors;
    BOOST_TEST(!hil::loadScenarioText("steps:\n  - devices: [s1, s9]\n    send: 'X'\n",
                                      QStringLiteral("a.yaml"), f, &errors));
    BOOST_REQUIRE(!errors.isEmpty());
    BOOST_TEST(errors.first().toString().contains(QStringLiteral("unknown device 's9'")),
               errors.first().toString().toStdString());
    errors.clear();
    BOOST_TEST(!hil::loadScenarioText("steps:\n  - devices: all\n    send: {to: s1, line: 'X'}\n",
                                      QStringLiteral("b.yaml"), f, &errors));
    BOOST_REQUIRE(!errors.isEmpty());
    BOOST_TEST(errors.first().toString().contains(QStringLiteral("names no device of its own")),
               errors.first().toString().toStdString());
    errors.clear();
    BOOST_TEST(!hil::loadScenarioText("steps:\n  - devices: all\n    wait: 1s\n", QStringLiteral("c.yaml"), f,
                                      &errors));
}

BOOST_AUTO_TEST_CASE(pause_holds_every_lane_and_resume_shifts_their_schedules) {
    hil::Fixture f = sensors(2);
    Run run(f, scenario(f, "steps:\n"
                           "  - devices: all\n"
                           "    send: 'READ? TEMP'\n"
                           "    expect: '^TEMP'\n"
                           "    repeat: {count: 5, every: 200ms}\n"));
    run.runner.start();
    BOOST_REQUIRE(hiltest::waitUntil([&] { return run.seen.results.size() >= 2; }, 30000));
    run.runner.pause();
    const qsizetype atPause = run.seen.results.size();
    // Long enough for several slots of both lanes to come due while paused.
    hiltest::waitUntil([] { return false; }, 700);
    // At most the exchanges under way when the pause came finish; none starts.
    BOOST_TEST(run.seen.results.size() <= atPause + 2);
    run.runner.resume();
    BOOST_REQUIRE(hiltest::waitUntil([&] { return run.seen.summary.has_value(); }, 30000));
    BOOST_TEST((run.seen.summary->verdict == hil::Verdict::Pass));
    BOOST_TEST(run.seen.of(QStringLiteral("s1")).size() == 5);
    BOOST_TEST(run.seen.of(QStringLiteral("s2")).size() == 5);
    qint64 pausedAt = -1, resumedAt = -1;
    for (const hil::Event &e : run.seen.events) {
        if (e.kind == u"pause")
            pausedAt = e.timeNs;
        if (e.kind == u"resume")
            resumedAt = e.timeNs;
    }
    BOOST_REQUIRE(pausedAt >= 0);
    BOOST_REQUIRE(resumedAt > pausedAt);
    for (const hil::StepResult &r : run.seen.results)
        BOOST_TEST(!(r.startNs > pausedAt && r.startNs < resumedAt),
                   r.device.toStdString() << " #" << r.repetition << " started while paused");
    // The schedule moved with the pause: no slot was skipped for the time spent paused (a slot is
    // skipped only when it is half a period, 100 ms, overdue).
    for (const hil::Event &e : run.seen.events)
        BOOST_TEST(e.kind.toStdString() != "schedule-overrun");
}

BOOST_AUTO_TEST_CASE(devices_on_a_period_keep_their_own_slots_spread_over_it) {
    // Deadlines are computed, not measured: start - lateness is the slot a poll was due in, exactly when the
    // poll was late, and up to the deadline timer's slack (20 us) before it when it started early.
    const auto near = [](qint64 got, qint64 want) { return std::abs(got - want) <= 20'000; };
    const auto dueSlots = [](const QByteArray &spread) {
        hil::Fixture f = sensors(4);
        Run run(f, scenario(f, "steps:\n"
                               "  - devices: all\n"
                               "    send: 'READ? TEMP'\n"
                               "    expect: '^TEMP'\n"
                               "    repeat: {count: 3, every: 100ms"
                                   + spread + "}\n"));
        run.toEnd();
        QMap<QString, QList<qint64>> due;
        for (const hil::StepResult &r : run.seen.results) {
            BOOST_TEST(r.latenessNs >= 0);
            // A slot skipped under load would shift the list; none may be skipped for the check below.
            due[r.device].append(r.startNs - r.latenessNs);
        }
        return due;
    };
    const QMap<QString, QList<qint64>> spread = dueSlots("");
    BOOST_REQUIRE_EQUAL(spread.size(), 4);
    const qint64 first = spread.value(QStringLiteral("s1")).value(0);
    for (int k = 0; k < 4; ++k) {
        const QList<qint64> d = spread.value(QStringLiteral("s%1").arg(k + 1));
        BOOST_REQUIRE_EQUAL(d.size(), 3);
        BOOST_TEST(near(d[0] - first, k * 25'000'000LL), d[0] - first); // device k: k/4 of a period later
        BOOST_TEST(near(d[1] - d[0], 100'000'000LL), d[1] - d[0]);      // and keeps its own period
        BOOST_TEST(near(d[2] - d[1], 100'000'000LL), d[2] - d[1]);
    }
    const QMap<QString, QList<qint64>> together = dueSlots(", spread: false");
    const qint64 first2 = together.value(QStringLiteral("s1")).value(0);
    for (int k = 0; k < 4; ++k)
        BOOST_TEST(near(together.value(QStringLiteral("s%1").arg(k + 1)).value(0), first2));
}
