#define BOOST_TEST_MODULE faultrun
// Fault injection end to end: `hil run` with fault timelines against real simulators, and what the
// database holds afterwards. The fidelity checks of issue "fault injection" that need a whole run
// (blackout window, latency over a run, drift slope, same seed twice, power, recovery) live here; the
// pipeline's own fidelity is in test_faults.
#include "core/config/fixtureloader.h"
#include "core/config/scenarioloader.h"
#include "core/run/faultscheduler.h"
#include "support/harness.h"

#include <QTcpServer>
#include <QUdpSocket>
#include <cmath>

using namespace hiltest;
using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

QString data(const char *name) {
    return QStringLiteral(HIL_TEST_DATA_DIR "/faults/") + QString::fromUtf8(name);
}

// Runs a scenario of tests/data/faults on a fixture, into a fresh database.
HilResult run(const Workspace &ws, const char *scenario, const QString &fixture,
              const QStringList &extra = {}) {
    return runHil(QStringList{QStringLiteral("run"), data(scenario), QStringLiteral("--fixture"), fixture,
                              QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")}
                      + extra,
                  ws.dir.path(), QProcessEnvironment::systemEnvironment(), 90000);
}

double toDouble(const QVariant &v) {
    return v.toDouble();
}

} // namespace

BOOST_AUTO_TEST_CASE(a_blackout_delivers_nothing_inside_its_window_and_the_device_recovers) {
    Workspace ws;
    const HilResult r = run(ws, "blackout.yaml", data("sensor-pty.yaml"));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    const auto fault =
        db.rows("SELECT kind, target, start_ns, end_ns, recovery_ns, bytes_dropped, params FROM faults");
    BOOST_REQUIRE(fault && fault->size() == 1);
    const auto &f = fault->first();
    BOOST_TEST(f[0].toString() == QStringLiteral("blackout"));
    BOOST_TEST(f[1].toString() == QStringLiteral("link"));
    const qint64 start = f[2].toLongLong(), end = f[3].toLongLong();
    BOOST_TEST(std::abs((end - start) - 2'000'000'000LL) < 100'000'000LL, "window " << (end - start));
    BOOST_TEST(f[5].toLongLong() > 0, "the requests sent into the blackout were dropped");
    BOOST_REQUIRE(f[4].isValid());
    BOOST_TEST(f[4].toLongLong() < 2'000'000'000LL, "recovered within the 2 s bound");
    // Nothing delivered inside the window: no answer arrived between its start and end.
    BOOST_TEST(
        db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS' AND end_ns > ?1 AND end_ns < ?2",
                 {start + 5'000'000LL, end})
        == 0);
    // Inside it every exchange failed, and every failure was expected. A request that timed out stays owed
    // for its late window (80 ms), so the next one waits and every other 100 ms slot is skipped: about 10.
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE start_ns > ?1 AND end_ns < ?2", {start, end})
               >= 8);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict != 'PASS' AND expected = 0") == 0);
    BOOST_TEST(db.count("SELECT n_expected FROM runs") >= 8);
    BOOST_TEST(db.count("SELECT n_fail FROM runs") == 0);
    // Everything after it flows again.
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS' AND start_ns > ?1",
                        {end + 300'000'000LL})
               >= 15);
    BOOST_TEST(
        db.strings(
            "SELECT kind FROM events WHERE kind IN ('fault-start', 'fault-end', 'recovered') ORDER BY t_ns")
        == (QStringList{QStringLiteral("fault-start"), QStringLiteral("fault-end"),
                        QStringLiteral("recovered")}));
    BOOST_TEST(db.value("SELECT detail FROM events WHERE kind = 'fault-start'")
                   .toString()
                   .contains(QStringLiteral("seed")));
}

BOOST_AUTO_TEST_CASE(injected_latency_adds_50ms_to_the_measured_round_trip) {
    Workspace ws;
    const HilResult r = run(ws, "latency.yaml", data("sensor-pty.yaml"));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    const auto f = db.rows("SELECT start_ns, end_ns FROM faults");
    BOOST_REQUIRE(f && f->size() == 1);
    const qint64 start = f->first()[0].toLongLong(), end = f->first()[1].toLongLong();
    const qint64 margin = 200'000'000; // keep exchanges that straddle an edge out of both sets
    // Minimum round trips: load and timer jitter only ever add latency, so the fastest of hundreds of
    // exchanges is the one the machine did not disturb, and the figures hold on a slow or busy machine.
    const char *inside = "SELECT min(latency_ns), avg(latency_ns), count(*) FROM step_results"
                         " WHERE latency_ns IS NOT NULL AND start_ns > ?1 AND end_ns < ?2";
    const char *outside = "SELECT min(latency_ns), avg(latency_ns), count(*) FROM step_results"
                          " WHERE latency_ns IS NOT NULL AND (end_ns < ?1 OR start_ns > ?2)";
    const auto in = db.rows(inside, {start + margin, end - margin});
    const auto out = db.rows(outside, {start - margin, end + margin});
    BOOST_REQUIRE(in && out);
    BOOST_TEST(in->first()[2].toLongLong() >= 200,
               "exchanges in the window: " << in->first()[2].toLongLong());
    BOOST_TEST(out->first()[2].toLongLong() >= 100);
    const double fastestFaulted = toDouble(in->first()[0]) / 1e6,
                 fastestPlain = toDouble(out->first()[0]) / 1e6;
    BOOST_TEST_MESSAGE("round trip without the fault: fastest "
                       << fastestPlain << " ms, mean " << toDouble(out->first()[1]) / 1e6
                       << " ms; with 50 ms latency: fastest " << fastestFaulted << " ms, mean "
                       << toDouble(in->first()[1]) / 1e6 << " ms");
    // The pipeline never delivers early: no answer in the window came faster than the injected delay.
    BOOST_TEST(fastestFaulted >= 50.0, "fastest faulted round trip " << fastestFaulted << " ms");
    // And it adds the delay once, in the one direction asked for: not twice (100 ms), not to everything.
    BOOST_TEST(fastestFaulted - fastestPlain < 50.0 + 25.0,
               "fastest faulted " << fastestFaulted << " ms, fastest plain " << fastestPlain << " ms");
    BOOST_TEST(fastestPlain < 50.0, "fastest plain round trip " << fastestPlain << " ms");
}

BOOST_AUTO_TEST_CASE(a_drift_of_0_1_per_second_is_recorded_with_its_slope) {
    Workspace ws;
    const HilResult r = run(ws, "drift.yaml", data("sensor-pty.yaml"));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    const auto f = db.rows("SELECT start_ns, end_ns, kind, target FROM faults");
    BOOST_REQUIRE(f && f->size() == 1);
    BOOST_TEST(f->first()[2].toString() == QStringLiteral("drift"));
    BOOST_TEST(f->first()[3].toString() == QStringLiteral("device"));
    const qint64 start = f->first()[0].toLongLong() + 200'000'000,
                 end = f->first()[1].toLongLong() - 100'000'000;
    const auto points =
        db.rows("SELECT t_ns, value FROM measurements WHERE t_ns > ?1 AND t_ns < ?2", {start, end});
    BOOST_REQUIRE(points && points->size() > 100);
    // Least squares slope of value over time (s).
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const auto &p : *points) {
        const double x = p[0].toDouble() / 1e9, y = p[1].toDouble();
        n += 1;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    BOOST_TEST_MESSAGE("fitted drift " << slope << " /s over " << points->size() << " readings");
    BOOST_TEST(std::abs(slope - 0.1) <= 0.005, "slope " << slope);
}

BOOST_AUTO_TEST_CASE(the_same_seed_gives_the_same_fault_timeline) {
    const auto timeline = [](const QString &seed) {
        Workspace ws;
        const HilResult r = run(ws, "random.yaml", data("sensor-pty.yaml"), {QStringLiteral("--seed"), seed});
        BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
        const Database db(ws.db());
        // The timeline counts from the start of the steps, which comes after the bench connected: a
        // moment that differs from run to run.
        const qint64 origin =
            db.value("SELECT min(start_ns) FROM step_results WHERE phase = 'steps'").toLongLong();
        QList<std::pair<QString, qint64>> out;
        if (const auto rows =
                db.rows("SELECT kind, start_ns, end_ns - start_ns FROM faults ORDER BY start_ns")) {
            for (const auto &row : *rows)
                out.append({row[0].toString(), row[1].toLongLong() - origin});
        }
        return out;
    };
    const auto a = timeline(QStringLiteral("42"));
    const auto b = timeline(QStringLiteral("42"));
    const auto c = timeline(QStringLiteral("43"));
    BOOST_REQUIRE(a.size() >= 3);
    BOOST_REQUIRE(a.size() == b.size());
    for (int i = 0; i < a.size(); ++i) {
        BOOST_TEST(a[i].first == b[i].first);
        // Planned times are identical; actual starts differ only by timer jitter (tens of ms on a loaded
        // box).
        BOOST_TEST(std::abs(a[i].second - b[i].second) < 150'000'000LL,
                   "fault " << i << ": " << a[i].second << " vs " << b[i].second);
    }
    bool differs = a.size() != c.size();
    for (int i = 0; !differs && i < a.size(); ++i)
        differs = std::abs(a[i].second - c[i].second) > 150'000'000LL;
    BOOST_TEST(differs, "another seed, another timeline");

    // And the plan itself, without timers: exactly the same numbers for the same seed.
    hil::SourceErrors errors;
    const auto fixture = hil::loadFixture(data("sensor-pty.yaml"), &errors);
    BOOST_REQUIRE(fixture);
    const auto scenario = hil::loadScenario(data("random.yaml"), *fixture, &errors);
    BOOST_REQUIRE(scenario);
    const auto p1 = hil::FaultScheduler::plan(scenario->faults, 42, 60'000'000'000LL);
    const auto p2 = hil::FaultScheduler::plan(scenario->faults, 42, 60'000'000'000LL);
    BOOST_REQUIRE(p1.size() == p2.size());
    BOOST_REQUIRE(p1.size() > 20);
    for (int i = 0; i < p1.size(); ++i) {
        BOOST_TEST(p1[i].startNs == p2[i].startNs);
        BOOST_TEST(*p1[i].durationNs == *p2[i].durationNs);
    }
    // Exponential times between faults: their mean is the mtbf (800 ms) within a loose bound.
    double sum = 0;
    int count = 0;
    qint64 previousEnd = 0;
    for (const auto &o : p1) {
        if (o.entry != 0)
            continue;
        sum += static_cast<double>(o.startNs - previousEnd);
        previousEnd = o.startNs + *o.durationNs;
        ++count;
    }
    BOOST_TEST(std::abs(sum / count / 1e6 - 800) < 800 * 3 / std::sqrt(count),
               "mean gap " << sum / count / 1e6 << " ms");
}

BOOST_AUTO_TEST_CASE(a_power_cycle_restarts_a_simulator_with_its_state_lost) {
    Workspace ws;
    const HilResult r = run(ws, "power-kill.yaml", data("sensor-pty.yaml"));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    const QStringList starts = db.strings("SELECT detail FROM events WHERE kind = 'sim-start' ORDER BY t_ns");
    BOOST_REQUIRE(starts.size() == 2);
    BOOST_TEST(starts[0].section(u' ', 1, 1) != starts[1].section(u' ', 1, 1),
               "a new process: " << str(starts.join(u'|')));
    BOOST_TEST(
        db.strings(
            "SELECT kind FROM events WHERE kind IN ('power-off', 'power-on', 'reconnect') ORDER BY t_ns")
        == (QStringList{QStringLiteral("power-off"), QStringLiteral("power-on"),
                        QStringLiteral("reconnect")}));
    const auto f = db.rows("SELECT kind, target, end_ns - start_ns, recovery_ns FROM faults");
    BOOST_REQUIRE(f && f->size() == 1);
    BOOST_TEST(f->first()[0].toString() == QStringLiteral("cycle"));
    BOOST_TEST(f->first()[1].toString() == QStringLiteral("power"));
    BOOST_TEST(std::abs(f->first()[2].toLongLong() - 1'000'000'000LL) < 100'000'000LL);
    BOOST_TEST(f->first()[3].isValid());
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict != 'PASS' AND expected = 0") == 0);
    BOOST_TEST(db.count("SELECT n_expected FROM runs") > 0);
}

BOOST_AUTO_TEST_CASE(a_supply_switches_the_device_it_feeds) {
    Workspace ws;
    const HilResult r =
        run(ws, "power-supply.yaml", QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(
        db.strings("SELECT detail FROM events WHERE kind IN ('power-off', 'power-on') ORDER BY t_ns")
        == (QStringList{QStringLiteral("OUTP OFF at supply psu"), QStringLiteral("OUTP ON at supply psu")}));
    // One simulator start per device: the sensor was switched off and on, not restarted.
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'sim-start'") == 2);
    const auto f = db.rows("SELECT start_ns, end_ns, recovery_ns FROM faults");
    BOOST_REQUIRE(f && f->size() == 1);
    BOOST_TEST(f->first()[2].isValid());
    // While the sensor was off, the supply measured (almost) no current; the scenario never saw the
    // supply's answers to the harness's own OUTP commands.
    const qint64 start = f->first()[0].toLongLong(), end = f->first()[1].toLongLong();
    const auto off =
        db.rows("SELECT m.value FROM measurements m JOIN step_results s ON s.id = m.step_result_id"
                " WHERE s.device = 'psu' AND s.start_ns > ?1 AND s.end_ns < ?2",
                {start + 100'000'000LL, end});
    BOOST_REQUIRE(off && !off->isEmpty());
    for (const auto &row : *off)
        BOOST_TEST(row[0].toDouble() < 0.01);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE device = 'psu' AND verdict != 'PASS'") == 0);
}

BOOST_AUTO_TEST_CASE(a_disconnect_refuses_the_link_then_the_session_reconnects) {
    Workspace ws;
    const HilResult r = run(ws, "disconnect.yaml", data("sensor-tcp.yaml"));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    const QStringList kinds = db.strings("SELECT kind FROM events WHERE kind IN ('fault-start', "
                                         "'disconnect', 'fault-end', 'reconnect', 'recovered')"
                                         " ORDER BY t_ns, id");
    BOOST_TEST(kinds
                   == (QStringList{QStringLiteral("fault-start"), QStringLiteral("disconnect"),
                                   QStringLiteral("fault-end"), QStringLiteral("reconnect"),
                                   QStringLiteral("recovered")}),
               str(kinds.join(u' ')));
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'ERROR' AND expected = 1") > 0);
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("PASS"));
}

// A loop without a period does not hammer a device that is away: each step gives it its `within` to come
// back, so a one-second disconnect costs a handful of errors, not thousands.
BOOST_AUTO_TEST_CASE(a_back_to_back_loop_waits_for_a_reconnecting_device) {
    Workspace ws;
    const HilResult r = run(ws, "disconnect-back-to-back.yaml", data("sensor-tcp.yaml"));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    const qint64 errors = db.count("SELECT count(*) FROM step_results WHERE verdict = 'ERROR'");
    const qint64 waited =
        db.count("SELECT count(*) FROM step_results WHERE verdict = 'ERROR' AND message LIKE '%(waited %'");
    BOOST_TEST_MESSAGE(errors << " errors during a 1 s disconnect, " << waited << " after waiting");
    BOOST_TEST(errors >= 1);
    BOOST_TEST(errors <= 12);
    BOOST_TEST(waited >= 1);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'") > 100);
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("PASS"));
}

// A fault that starts before another's recovery bound has passed holds that bound: it counts from the
// later fault's end, and the recovery is still the earlier fault's.
BOOST_AUTO_TEST_CASE(an_overlapping_fault_holds_the_recovery_bound_until_it_ends) {
    Workspace ws;
    const HilResult r = run(ws, "overlapping-faults.yaml", data("sensor-tcp.yaml"));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE step_index = -1") == 0);
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("PASS"));
    // Recovered after the noise ended (4.5 s), measured from the disconnect's end (2 s).
    const qint64 recovery = db.value("SELECT recovery_ns FROM faults WHERE kind = 'disconnect'").toLongLong();
    BOOST_TEST(recovery > 2'000'000'000LL, "recovery " << recovery);
    BOOST_TEST(recovery < 4'000'000'000LL, "recovery " << recovery);
}

BOOST_AUTO_TEST_CASE(a_device_that_does_not_recover_in_time_fails) {
    Workspace ws;
    const HilResult r = run(ws, "no-recovery.yaml", data("sensor-pty.yaml"));
    BOOST_TEST(r.exitCode == 1, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("FAIL"));
    const auto miss = db.rows("SELECT step, message FROM step_results WHERE step_index = -1");
    BOOST_REQUIRE(miss && miss->size() == 1);
    BOOST_TEST(miss->first()[0].toString() == QStringLiteral("recover after device reboot"));
    BOOST_TEST(miss->first()[1].toString().contains(QStringLiteral("did not answer correctly")));
    // Excused while the bound ran, but the device missed it: at the end those rows count too (the verdict
    // rule), fault id kept; it did come back later, which is recorded too.
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'FAIL' AND step_index >= 0"
                        " AND fault_id IS NOT NULL")
               > 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE expected = 1") == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'FAIL' AND expected = 0") > 1);
    BOOST_TEST(db.count("SELECT n_expected FROM runs") == 0);
    BOOST_TEST(db.value("SELECT recovery_ns FROM faults").toLongLong() > 2'000'000'000LL);
}

BOOST_AUTO_TEST_CASE(a_fixture_proxy_is_faulted_on_the_timeline) {
    Workspace ws;
    Child sim(simPath(), {QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const QStringList ready = sim.firstLine().split(u' ');
    BOOST_REQUIRE(ready.size() >= 3);
    // A free port for the proxy to listen on, found by binding and releasing it.
    quint16 port = 0;
    {
        QTcpServer probe;
        BOOST_REQUIRE(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    ws.write("fixture.yaml", QStringLiteral("devices:\n"
                                            "  sensor:\n"
                                            "    tcp: {host: 127.0.0.1, port: %1}\n"
                                            "    timeout: 400ms\n"
                                            "proxies:\n"
                                            "  cloud: {listen: 127.0.0.1:%1, upstream: %2}\n")
                                 .arg(port)
                                 .arg(ready[2]));
    const HilResult r = run(ws, "proxy.yaml", ws.path("fixture.yaml"));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'proxy-start' AND device = 'cloud'") == 1);
    const auto f = db.rows("SELECT start_ns, end_ns, device, bytes_delayed FROM faults");
    BOOST_REQUIRE(f && f->size() == 1);
    BOOST_TEST(f->first()[2].toString() == QStringLiteral("cloud"));
    BOOST_TEST(f->first()[3].toLongLong() > 0);
    const qint64 start = f->first()[0].toLongLong(), end = f->first()[1].toLongLong();
    BOOST_TEST(db.value("SELECT min(latency_ns) FROM step_results WHERE start_ns > ?1 AND end_ns < ?2",
                        {start + 50'000'000LL, end})
                   .toLongLong()
               >= 100'000'000LL);
    BOOST_TEST(db.value("SELECT max(latency_ns) FROM step_results WHERE start_ns > ?1", {end + 300'000'000LL})
                   .toLongLong()
               < 50'000'000LL);
}

namespace {

// A fixture with the TCP simulator `sim` behind the proxy 'cloud': the device is reached through the
// proxy, whose `serves:` line is `serves` (none when empty).
QString proxiedFixture(Workspace &ws, Child &sim, const QString &serves) {
    const QStringList ready = sim.firstLine().split(u' ');
    BOOST_REQUIRE(ready.size() >= 3);
    quint16 port = 0;
    {
        QTcpServer probe;
        BOOST_REQUIRE(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    ws.write("fixture.yaml", QStringLiteral("devices:\n"
                                            "  sensor:\n"
                                            "    tcp: {host: 127.0.0.1, port: %1}\n"
                                            "    timeout: 300ms\n"
                                            "    reconnect_timeout: 5s\n"
                                            "proxies:\n"
                                            "  cloud:\n"
                                            "    listen: 127.0.0.1:%1\n"
                                            "    upstream: %2\n"
                                            "%3")
                                 .arg(port)
                                 .arg(ready[2], serves));
    return ws.path("fixture.yaml");
}

// A run's report as `hil report` prints it and writes it as JSON and HTML (findings, what broke, the
// Faults table), in one text.
QString reportText(const Workspace &ws) {
    const HilResult r =
        runHil({QStringLiteral("report"), QStringLiteral("--db"), ws.db(), QStringLiteral("--json"),
                ws.path("report.json"), QStringLiteral("--html"), ws.path("report.html")},
               ws.dir.path());
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    QString all;
    for (const char *name : {"report.json", "report.html"}) {
        QFile f(ws.path(name));
        BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
        all += QString::fromUtf8(f.readAll());
    }
    const HilResult text = runHil({QStringLiteral("report"), QStringLiteral("--db"), ws.db()}, ws.dir.path());
    return all + text.out;
}

} // namespace

// Issue 17, case 3: a blackout on the proxy in front of a device. The proxy serves the device, so the
// device's failures during the blackout are excused as a fault on the device would excuse them, `recover:`
// is accepted, the recovery is measured (the device's first pass after the end) and the report does not
// say the proxy did not recover.
BOOST_AUTO_TEST_CASE(a_fault_on_a_proxy_acts_on_the_devices_it_serves) {
    Workspace ws;
    Child sim(simPath(), {QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const QString fixture = proxiedFixture(ws, sim, QStringLiteral("    serves: [sensor]\n"));
    const HilResult r = run(ws, "proxy-blackout.yaml", fixture);
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("PASS"));
    const auto f = db.rows("SELECT device, target, params, end_ns, recovery_ns FROM faults");
    BOOST_REQUIRE(f && f->size() == 1);
    BOOST_TEST(f->first()[0].toString() == QStringLiteral("cloud"));
    BOOST_TEST(f->first()[1].toString() == QStringLiteral("proxy"));
    BOOST_TEST(f->first()[2].toString().endsWith(QStringLiteral("; serves: [sensor]")),
               str(f->first()[2].toString()));
    BOOST_REQUIRE(f->first()[4].isValid());
    const qint64 end = f->first()[3].toLongLong(), recovery = f->first()[4].toLongLong();
    BOOST_TEST(recovery < 2'000'000'000LL, "recovery " << recovery);
    // recovery_ns is the end of the device's first pass that started after the fault ended.
    BOOST_TEST(
        recovery
        == db.value("SELECT min(end_ns) - ?1 FROM step_results WHERE verdict = 'PASS' AND start_ns >= ?1",
                    {end})
               .toLongLong());
    // The blackout failed the exchanges inside it, each excused by the proxy's fault.
    BOOST_TEST(db.count("SELECT n_expected FROM runs") > 0);
    BOOST_TEST(db.count("SELECT n_fail + n_error FROM runs") == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE expected = 1 AND fault_id IS NULL") == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'recovered' AND device = 'cloud'") == 1);
    const QString report = reportText(ws);
    BOOST_TEST(!report.contains(QStringLiteral("did not recover")), str(report));
    BOOST_TEST(!report.contains(QStringLiteral("never recovered")), str(report));
}

// A proxy that names no device: its fault excuses nothing (the failures are the device's), and its
// recovery is not tracked, so the report says so instead of "did not recover". `recover:` on it is bad
// input, named at its place, before anything runs.
BOOST_AUTO_TEST_CASE(a_proxy_that_serves_no_device_excuses_nothing_and_tracks_no_recovery) {
    Workspace ws;
    Child sim(simPath(), {QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const QString fixture = proxiedFixture(ws, sim, QString());
    const HilResult refused = run(ws, "proxy-blackout.yaml", fixture);
    BOOST_TEST(refused.exitCode == 2, str(refused.out + refused.err));
    BOOST_TEST(refused.err.contains(QStringLiteral("proxy-blackout.yaml:8:")), str(refused.err));
    BOOST_TEST(refused.err.contains(QStringLiteral("proxy 'cloud' serves none")), str(refused.err));

    const HilResult r = run(ws, "proxy-blackout-untracked.yaml", fixture);
    BOOST_TEST(r.exitCode == 1, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("FAIL"));
    BOOST_TEST(db.count("SELECT n_expected FROM runs") == 0);
    BOOST_TEST(db.count("SELECT n_fail + n_error FROM runs") > 0);
    BOOST_TEST(db.value("SELECT target FROM faults").toString() == QStringLiteral("proxy"));
    BOOST_TEST(!db.value("SELECT recovery_ns FROM faults").isValid());
    const QString report = reportText(ws);
    BOOST_TEST(!report.contains(QStringLiteral("did not recover")), str(report));
    BOOST_TEST(report.contains(QStringLiteral("recovery not tracked: proxy serves no device")), str(report));
}

BOOST_AUTO_TEST_CASE(a_proxy_serves_only_devices_of_its_fixture) {
    Workspace ws;
    ws.write("fixture.yaml", QStringLiteral("devices:\n"
                                            "  sensor: {tcp: {host: 127.0.0.1, port: 1}}\n"
                                            "proxies:\n"
                                            "  cloud:\n"
                                            "    upstream: 127.0.0.1:2\n"
                                            "    serves: [sensor, mqsub]\n"));
    const HilResult r = run(ws, "proxy-blackout.yaml", ws.path("fixture.yaml"));
    BOOST_TEST(r.exitCode == 2, str(r.out + r.err));
    BOOST_TEST(r.err.contains(
                   QStringLiteral("fixture.yaml:6:22: proxy 'cloud' serves 'mqsub', which is not a device")),
               str(r.err));
    const bool noRun = !QFile::exists(ws.db()) || Database(ws.db()).count("SELECT count(*) FROM runs") == 0;
    BOOST_TEST(noRun);
}

namespace {

// Three udp devices whose datagrams all cross the fixture's udp proxy 'cloud' to one simulator (it answers
// whoever asked last; the scenarios ask one device at a time). `serves` is the proxy's `serves:` list.
QString sharedProxyFixture(Workspace &ws, Child &sim, const QString &serves) {
    const QStringList ready = sim.firstLine(10000).split(u' ');
    BOOST_REQUIRE_MESSAGE(ready.size() >= 3 && ready[1] == u"udp", str(ready.join(u' ')));
    quint16 port = 0;
    {
        QUdpSocket probe;
        BOOST_REQUIRE(probe.bind(QHostAddress::LocalHost, 0));
        port = probe.localPort();
    }
    QString devices;
    for (const char *name : {"alpha", "beta", "gamma"})
        devices += QStringLiteral("  %1: {udp: {host: 127.0.0.1, port: %2}, timeout: 300ms}\n")
                       .arg(QString::fromLatin1(name))
                       .arg(port);
    ws.write("fixture.yaml", QStringLiteral("devices:\n%1"
                                            "proxies:\n"
                                            "  cloud: {transport: udp, listen: 127.0.0.1:%2, upstream: %3, "
                                            "serves: [%4]}\n")
                                 .arg(devices)
                                 .arg(port)
                                 .arg(ready[2], serves));
    return ws.path("fixture.yaml");
}

// The end of each device's first pass that started at or after `fromNs`.
QMap<QString, qint64> firstPassEnds(const Database &db, qint64 fromNs) {
    QMap<QString, qint64> out;
    if (const auto rows = db.rows("SELECT device, min(end_ns) FROM step_results WHERE verdict = 'PASS' "
                                  "AND start_ns >= ?1 GROUP BY device",
                                  {fromNs}))
        for (const Database::Row &r : *rows)
            out.insert(r[0].toString(), r[1].toLongLong());
    return out;
}

} // namespace

// One blackout on a proxy that serves two devices: the failures of both are excused, and the fault's
// recovery is the time until the later of the two passed again after its end.
BOOST_AUTO_TEST_CASE(a_proxy_fault_recovers_when_every_device_it_serves_has_passed) {
    Workspace ws;
    Child sim(simPath(), {QStringLiteral("envsensor"), QStringLiteral("--udp"), QStringLiteral("0")});
    const QString fixture = sharedProxyFixture(ws, sim, QStringLiteral("alpha, beta"));
    const HilResult r = run(ws, "proxy-serves-several.yaml", fixture);
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("PASS"));
    const auto f = db.rows("SELECT params, end_ns, recovery_ns FROM faults");
    BOOST_REQUIRE(f && f->size() == 1);
    BOOST_TEST(f->first()[0].toString().endsWith(QStringLiteral("; serves: [alpha, beta]")));
    for (const char *device : {"alpha", "beta"})
        BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE expected = 1 AND device = ?1",
                            {QString::fromLatin1(device)})
                       > 0,
                   device << " has failures excused by the proxy's blackout");
    BOOST_TEST(db.count("SELECT n_fail + n_error FROM runs") == 0);
    BOOST_REQUIRE(f->first()[2].isValid());
    const qint64 end = f->first()[1].toLongLong(), recovery = f->first()[2].toLongLong();
    const QMap<QString, qint64> passes = firstPassEnds(db, end);
    BOOST_REQUIRE(passes.contains(QStringLiteral("alpha")) && passes.contains(QStringLiteral("beta")));
    BOOST_TEST_MESSAGE("alpha back after "
                       << (passes[QStringLiteral("alpha")] - end) / 1e6 << " ms, beta after "
                       << (passes[QStringLiteral("beta")] - end) / 1e6 << " ms, recovery " << recovery / 1e6
                       << " ms");
    BOOST_TEST(recovery == std::max(passes[QStringLiteral("alpha")], passes[QStringLiteral("beta")]) - end);
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'recovered' AND device = 'cloud'") == 1);
}

// The same blackout when a third device's datagrams cross the proxy but it is not among those it serves:
// the proxy's fault excuses the served devices' failures, not the third's, and the run is FAIL.
BOOST_AUTO_TEST_CASE(a_device_the_proxy_does_not_serve_is_not_excused_by_its_fault) {
    Workspace ws;
    Child sim(simPath(), {QStringLiteral("envsensor"), QStringLiteral("--udp"), QStringLiteral("0")});
    const QString fixture = sharedProxyFixture(ws, sim, QStringLiteral("alpha, beta"));
    const HilResult r = run(ws, "proxy-serves-not-all.yaml", fixture);
    BOOST_TEST(r.exitCode == 1, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("FAIL"));
    const auto window = db.rows("SELECT start_ns, end_ns, recovery_ns FROM faults");
    BOOST_REQUIRE(window && window->size() == 1);
    const qint64 start = window->first()[0].toLongLong(), end = window->first()[1].toLongLong();
    const char *failedInWindow = "SELECT count(*) FROM step_results WHERE device = ?1 AND verdict <> 'PASS' "
                                 "AND start_ns >= ?2 AND start_ns < ?3";
    const char *excused = "SELECT count(*) FROM step_results WHERE device = ?1 AND expected = 1";
    const QString gamma = QStringLiteral("gamma");
    BOOST_TEST(db.count(failedInWindow, {gamma, start, end}) > 0);
    BOOST_TEST(db.count(excused, {gamma}) == 0);
    BOOST_TEST(db.count("SELECT n_fail FROM runs")
               == db.count("SELECT count(*) FROM step_results WHERE verdict = 'FAIL' AND expected = 0"));
    BOOST_TEST(
        db.count("SELECT count(*) FROM step_results WHERE verdict = 'FAIL' AND expected = 0 AND device <> "
                 "'gamma'")
        == 0);
    for (const char *device : {"alpha", "beta"})
        BOOST_TEST(db.count(excused, {QString::fromLatin1(device)}) > 0, device);
    // Its recovery is still measured on the devices it serves.
    BOOST_TEST(window->first()[2].isValid());
}
