#define BOOST_TEST_MODULE engine
// The engine's parts in-process, against a real simulator (hil-sim over TCP, started by the bench): the
// Bench, the FaultInjector on it, and the one assembly of a run (RunSession) that `hil run` and the desktop
// app both use. No executable of the harness in between, so a failure names the part.

#include "core/analysis/runstatistics.h"
#include "core/base/clock.h"
#include "core/config/fixtureloader.h"
#include "core/config/scenarioloader.h"
#include "core/engine/runsession.h"
#include "core/export/reportpipeline.h"
#include "core/run/faultinjector.h"
#include "core/run/resultlistener.h"
#include "core/session/bench.h"
#include "core/session/devicesession.h"
#include "support/eventloop.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <boost/test/unit_test.hpp>

using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

QString data(const char *name) {
    return QStringLiteral(HIL_TEST_DATA_DIR "/integration/") + QString::fromLatin1(name);
}

hil::Fixture simFixture() {
    hil::SourceErrors errors;
    auto f = hil::loadFixture(data("sim-tcp.yaml"), &errors);
    BOOST_REQUIRE_MESSAGE(f, "fixture did not load");
    return *f;
}

hil::Scenario scenario(const hil::Fixture &fixture, const QByteArray &text) {
    hil::SourceErrors errors;
    auto s = hil::loadScenarioText(text, QStringLiteral("engine-test.yaml"), fixture, &errors);
    BOOST_REQUIRE_MESSAGE(s, "scenario did not load");
    return *s;
}

// A connected bench of one simulated sensor; shut down when the test ends.
struct ConnectedBench {
    hil::Fixture fixture = simFixture();
    hil::Bench bench{fixture, {QStringLiteral("sensor")}, 42};
    ConnectedBench() {
        QSignalSpy ready(&bench, &hil::Bench::ready);
        QSignalSpy failed(&bench, &hil::Bench::failed);
        bench.connectAll(10000);
        BOOST_REQUIRE(hiltest::waitUntil([&] { return ready.count() + failed.count() > 0; }, 15000));
        BOOST_REQUIRE_MESSAGE(ready.count() == 1,
                              "bench failed: " << (failed.isEmpty()
                                                       ? std::string("?")
                                                       : failed.first().at(1).toString().toStdString()));
    }
    ~ConnectedBench() { bench.shutdown(); }

    // Sends a request and returns the answer line, or an empty one after timeoutMs.
    QByteArray ask(const QByteArray &line, int timeoutMs = 1000) {
        hil::DeviceSession *s = bench.session(QStringLiteral("sensor"));
        BOOST_REQUIRE(s);
        s->discardQueued();
        QByteArray answer;
        const auto c = QObject::connect(s, &hil::DeviceSession::lineReceived,
                                        [&answer](qint64, const QByteArray &l) { answer = l; });
        s->sendLine(line);
        hiltest::waitUntil([&] { return !answer.isEmpty(); }, timeoutMs);
        QObject::disconnect(c);
        return answer;
    }
};

// Counts what the engine hands to a listener, as a front end would.
struct CountingListener : hil::ResultListener {
    qint64 results = 0, pass = 0;
    bool started = false, finished = false;
    void runStarted(const hil::RunHeader &) override { started = true; }
    void stepFinished(const hil::StepResult &r) override {
        ++results;
        pass += r.verdict == hil::Verdict::Pass;
    }
    void runFinished(const hil::RunSummary &) override { finished = true; }
};

} // namespace

BOOST_AUTO_TEST_CASE(bench_connects_a_simulated_device_and_talks_to_it) {
    ConnectedBench b;
    hil::DeviceSession *s = b.bench.session(QStringLiteral("sensor"));
    BOOST_REQUIRE(s);
    BOOST_TEST((s->state() == hil::DeviceSession::State::Ready));
    BOOST_TEST(b.bench.deviceNames() == QStringList{QStringLiteral("sensor")});
    BOOST_TEST(b.bench.simulator(QStringLiteral("sensor")) != nullptr);
    const QByteArray idn = b.ask("*IDN?");
    BOOST_TEST(idn.startsWith("ACME,ENV-1,SN4242,9.8.7"), idn.toStdString());
    // Seeds of simulated devices derive from the run's seed and the device's name, and differ by name.
    BOOST_TEST(hil::Bench::deviceSeed(42, QStringLiteral("sensor"))
               == hil::Bench::deviceSeed(42, QStringLiteral("sensor")));
    BOOST_TEST(hil::Bench::deviceSeed(42, QStringLiteral("sensor"))
               != hil::Bench::deviceSeed(42, QStringLiteral("psu")));
}

BOOST_AUTO_TEST_CASE(bench_names_a_device_that_cannot_connect) {
    hil::SourceErrors errors;
    // A port nothing listens on (bound and closed again by the kernel's choice would race; port 1 is
    // privileged and unused here).
    auto fixture =
        hil::loadFixtureText("devices:\n  sensor:\n    tcp: {host: 127.0.0.1, port: 1}\n    timeout: 200ms\n",
                             QStringLiteral("closed.yaml"), &errors);
    BOOST_REQUIRE(fixture);
    hil::Bench bench(*fixture, {QStringLiteral("sensor")}, 1);
    QSignalSpy ready(&bench, &hil::Bench::ready);
    QSignalSpy failed(&bench, &hil::Bench::failed);
    bench.connectAll(500);
    BOOST_REQUIRE(hiltest::waitUntil([&] { return ready.count() + failed.count() > 0; }, 5000));
    BOOST_TEST(ready.count() == 0);
    BOOST_REQUIRE(failed.count() == 1);
    BOOST_TEST(failed.first().at(0).toString() == QStringLiteral("sensor"));
    BOOST_TEST(!failed.first().at(1).toString().isEmpty());
    bench.shutdown();
}

BOOST_AUTO_TEST_CASE(a_link_blackout_silences_the_device_until_cleared) {
    ConnectedBench b;
    BOOST_TEST(!b.ask("READ? TEMP").isEmpty());
    hil::LinkFaultSpec blackout; // Blackout, both directions
    b.bench.injectLinkFault(QStringLiteral("sensor"), 7, blackout);
    BOOST_TEST(b.ask("READ? TEMP", 300).isEmpty());
    const hil::LinkCounters counters = b.bench.clearLinkFault(QStringLiteral("sensor"), 7);
    // The device is on TCP: the blackout held the request (docs/faults.md), it dropped nothing.
    BOOST_TEST(counters.bytesDropped == 0);
    BOOST_TEST(counters.bytesDelayed > 0);
    BOOST_TEST(b.ask("READ? TEMP").startsWith("TEMP "));
}

BOOST_AUTO_TEST_CASE(fault_injector_excuses_failures_until_the_device_recovers) {
    ConnectedBench b;
    const qint64 t0 = hil::monotonicNs();
    hil::FaultInjector injector(&b.bench, 5, [t0](qint64 ns) { return ns - t0; });
    QSignalSpy started(&injector, &hil::FaultInjector::faultStarted);
    QSignalSpy ended(&injector, &hil::FaultInjector::faultEnded);
    QSignalSpy recovered(&injector, &hil::FaultInjector::faultRecovered);

    BOOST_TEST(injector.excusingFault(QStringLiteral("sensor")) == -1);
    hil::FaultEntry entry;
    entry.on = QStringLiteral("sensor");
    entry.text = QStringLiteral("{on: sensor, link: blackout}");
    entry.recoverWithin = hil::Nanoseconds(5'000'000'000LL);
    const int id = injector.inject(entry, /*manual=*/true, 200'000'000LL);
    BOOST_TEST(id >= 0);
    BOOST_TEST(started.count() == 1);
    BOOST_TEST(injector.excusingFault(QStringLiteral("sensor")) == id);
    BOOST_TEST(injector.excusingFault(QStringLiteral("other")) == -1);
    BOOST_REQUIRE(hiltest::waitUntil([&] { return ended.count() == 1; }, 3000));
    // Ended, but the device has not shown it is back: its failures are still excused.
    BOOST_TEST(injector.excusingFault(QStringLiteral("sensor")) == id);
    BOOST_TEST(recovered.count() == 0);

    // An answer that started before the fault ended proves nothing; one that started after it does.
    const auto endNs = ended.first().at(0).value<hil::FaultRecord>().endNs;
    hil::StepResult early;
    early.device = QStringLiteral("sensor");
    early.verdict = hil::Verdict::Pass;
    early.startNs = endNs - 1'000'000;
    early.endNs = endNs + 1'000'000;
    injector.stepFinished(early);
    BOOST_TEST(recovered.count() == 0);
    hil::StepResult pass = early;
    pass.startNs = endNs + 2'000'000;
    pass.endNs = endNs + 3'000'000;
    injector.stepFinished(pass);
    BOOST_REQUIRE(recovered.count() == 1);
    const auto record = recovered.first().at(0).value<hil::FaultRecord>();
    BOOST_TEST(record.id == id);
    BOOST_TEST(record.recoveryNs == pass.endNs - endNs);
    BOOST_TEST(injector.excusingFault(QStringLiteral("sensor")) == -1);
    injector.endAll();
}

BOOST_AUTO_TEST_CASE(run_session_runs_records_and_reports) {
    QTemporaryDir dir;
    BOOST_REQUIRE(dir.isValid());
    hil::RunSessionConfig config;
    config.fixture = simFixture();
    config.scenario = scenario(config.fixture, "name: engine-run\ndevices: [sensor]\nsteps:\n"
                                               "  - name: read temperature\n"
                                               "    repeat: {count: 10, every: 10ms}\n"
                                               "    send: {to: sensor, line: \"READ? TEMP\"}\n"
                                               "    expect: {match: '^TEMP (?<t>-?[0-9.]+)$', within: 1s}\n"
                                               "    measure: {t: {unit: degC, limits: [0, 50]}}\n");
    config.databasePath = dir.filePath(QStringLiteral("results.db"));
    config.reports.junit = dir.filePath(QStringLiteral("junit.xml"));
    config.reports.json = dir.filePath(QStringLiteral("summary.json"));
    config.reports.html = dir.filePath(QStringLiteral("report.html")); // no renderer: an error, not a crash
    QString error;
    auto session = hil::RunSession::prepare(std::move(config), &error);
    BOOST_REQUIRE_MESSAGE(session, error.toStdString());
    CountingListener listener;
    session->addListener(&listener);
    QSignalSpy finished(session.get(), &hil::RunSession::finished);
    session->start();
    BOOST_TEST(session->runId() > 0);
    BOOST_REQUIRE(hiltest::waitUntil([&] { return finished.count() == 1; }, 30000));
    const auto outcome = finished.first().at(0).value<hil::RunOutcome>();

    BOOST_TEST(listener.started);
    BOOST_TEST(listener.finished);
    BOOST_TEST(listener.results == 10);
    BOOST_TEST(listener.pass == 10);
    // The counts a front end shows come from the engine and agree with what it handed out.
    BOOST_TEST(outcome.counts.total() == listener.results);
    BOOST_TEST(outcome.counts.pass == listener.pass);
    BOOST_TEST(outcome.info.scenario == QStringLiteral("engine-run"));
    BOOST_TEST(outcome.runId > 0);
    // The JUnit and JSON reports came from the store; HTML needs a renderer, which this build of the test
    // does not pass: that is an error of the reports, and the run becomes ERROR, never a silent PASS.
    BOOST_TEST(outcome.reports.written.size() == 2);
    BOOST_TEST(QFile(dir.filePath(QStringLiteral("junit.xml"))).size() > 0);
    BOOST_TEST(QFile(dir.filePath(QStringLiteral("summary.json"))).size() > 0);
    BOOST_TEST(!QFile::exists(dir.filePath(QStringLiteral("report.html"))));
    BOOST_REQUIRE(outcome.reports.errors.size() == 1);
    BOOST_TEST(outcome.reports.errors.first().contains(QStringLiteral("renderer")));
    BOOST_TEST((outcome.verdict == hil::Verdict::Error));

    // What was recorded is what the engine counted.
    auto report = hil::loadReport(dir.filePath(QStringLiteral("results.db")), QString::number(outcome.runId),
                                  {}, 0.2, &error);
    BOOST_REQUIRE_MESSAGE(report, error.toStdString());
    BOOST_TEST(report->runId == outcome.runId);
}

BOOST_AUTO_TEST_CASE(run_session_refuses_a_database_it_cannot_write) {
    hil::RunSessionConfig config;
    config.fixture = simFixture();
    config.scenario = scenario(config.fixture, "name: x\ndevices: [sensor]\nsteps:\n"
                                               "  - send: {to: sensor, line: \"*IDN?\"}\n"
                                               "    expect: '^ACME'\n");
    config.databasePath = QStringLiteral("/nonexistent-dir/results.db");
    QString error;
    BOOST_TEST(!hil::RunSession::prepare(std::move(config), &error));
    BOOST_TEST(error.contains(QStringLiteral("/nonexistent-dir/results.db")), error.toStdString());
}

BOOST_AUTO_TEST_CASE(run_session_abort_ends_the_run_as_abort_with_everything_recorded) {
    QTemporaryDir dir;
    hil::RunSessionConfig config;
    config.fixture = simFixture();
    config.scenario = scenario(config.fixture, "name: long\ndevices: [sensor]\nsteps:\n"
                                               "  - send: {to: sensor, line: \"READ? TEMP\"}\n"
                                               "    expect: {match: '^TEMP', within: 1s}\n"
                                               "repeat: {for: 1h, every: 20ms}\n");
    config.databasePath = dir.filePath(QStringLiteral("results.db"));
    QString error;
    auto session = hil::RunSession::prepare(std::move(config), &error);
    BOOST_REQUIRE(session);
    QSignalSpy finished(session.get(), &hil::RunSession::finished);
    session->start();
    BOOST_REQUIRE(hiltest::waitUntil([&] { return session->counts().pass >= 5; }, 15000));
    session->finishNow(QStringLiteral("operator stopped it"));
    BOOST_REQUIRE(finished.count() == 1);
    const auto outcome = finished.first().at(0).value<hil::RunOutcome>();
    BOOST_TEST((outcome.verdict == hil::Verdict::Abort));
    BOOST_TEST(outcome.counts.pass >= 5);
    auto report = hil::loadReport(dir.filePath(QStringLiteral("results.db")), QStringLiteral("latest"), {},
                                  0.2, &error);
    BOOST_REQUIRE_MESSAGE(report, error.toStdString());
    BOOST_TEST(report->stats->run.verdict == QStringLiteral("ABORT"));
    BOOST_TEST(report->stats->run.pass == outcome.counts.pass);
}
