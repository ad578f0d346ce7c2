// The real executables end to end: `hil` runs scenarios from tests/data/integration/ on simulated
// benches (hil-sim over TCP and a PTY, libserialport through the test-only PTY shim, a socat pair),
// and every case then reads the SQLite database read-only and asserts on its rows. Nothing here
// sleeps: the tests wait on conditions (process state, database rows) through the event loop.
#define BOOST_TEST_MODULE integration
#include "support/harness.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QVariant>
#include <QXmlStreamReader>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sqlite3.h>
#include <string>
#include <sys/mount.h>
#include <sys/types.h>
#include <unistd.h>

namespace {

using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

using hiltest::waitUntil;
using namespace hiltest;

QString data(const char *name) {
    return QStringLiteral(HIL_TEST_DATA_DIR "/integration/") + QString::fromUtf8(name);
}

bool processExists(qint64 pid) {
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// The parent pid and the command name of a running process, from /proc.
std::optional<qint64> parentOf(qint64 pid) {
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray stat = f.readAll();
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 2)
        return std::nullopt;
    return fields[1].toLongLong();
}

QString commandOf(qint64 pid) {
    QFile f(QStringLiteral("/proc/%1/comm").arg(pid));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()).trimmed() : QString();
}

// The simulator's pid, from the `sim-start` event ("pid N at pty /dev/pts/M").
qint64 simulatorPid(const Database &db) {
    static const QRegularExpression re(QStringLiteral("^pid (\\d+) at "));
    const QRegularExpressionMatch m =
        re.match(db.value("SELECT detail FROM events WHERE kind = 'sim-start'").toString());
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

// Starts a `hil-sim envsensor` the test owns and returns what its READY line says ("pty /dev/pts/N" or
// "tcp 127.0.0.1:PORT" as link and address).
struct OwnSimulator {
    Child process;
    QString link;
    QString address;

    explicit OwnSimulator(const QStringList &args)
        : process(simPath(), QStringList{QStringLiteral("envsensor")} + args) {
        const QString ready = process.firstLine();
        const QStringList parts = ready.split(u' ');
        BOOST_REQUIRE_MESSAGE(parts.size() >= 3 && parts[0] == u"READY",
                              "hil-sim said '" << str(ready) << "'; stderr: " << str(process.stderrText()));
        link = parts[1];
        address = parts[2];
    }
};

// The checks every passing read-temp.yaml run must meet, whatever the link.
void checkPassingReadTempRun(const QString &dbPath, const QString &serial, const QString &firmware) {
    const Database db(dbPath);
    BOOST_REQUIRE(db.isOpen());
    const auto runs =
        db.rows("SELECT verdict, dut_serial, firmware, n_pass, n_fail, n_error, n_abort, ended_at_ns,"
                " duration_ns, scenario FROM runs");
    BOOST_REQUIRE(runs);
    BOOST_REQUIRE_EQUAL(runs->size(), 1);
    const Database::Row &run = runs->first();
    BOOST_TEST(str(run[0]) == "PASS");
    BOOST_TEST(str(run[1]) == str(serial));
    BOOST_TEST(str(run[2]) == str(firmware));
    BOOST_TEST(run[3].toLongLong() == 21);
    BOOST_TEST(run[4].toLongLong() == 0);
    BOOST_TEST(run[5].toLongLong() == 0);
    BOOST_TEST(run[6].toLongLong() == 0);
    BOOST_TEST(!run[7].isNull());
    BOOST_TEST(run[8].toLongLong() > 0);
    BOOST_TEST(str(run[9]) == "it-read-temp");

    BOOST_TEST(db.count("SELECT count(*) FROM step_results") == 21);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS' AND latency_ns > 0") == 21);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE phase = 'setup' AND step = 'identify'")
               == 1);
    BOOST_TEST(db.count("SELECT count(DISTINCT repetition) FROM step_results WHERE phase = 'steps'") == 20);

    const auto ms = db.rows(
        "SELECT name, value, unit, low, high, marginal_low, marginal_high, verdict FROM measurements");
    BOOST_REQUIRE(ms);
    BOOST_TEST(ms->size() == 20);
    for (const Database::Row &m : *ms) {
        BOOST_TEST(str(m[0]) == "t");
        BOOST_TEST(m[1].toDouble() > 0.0);
        BOOST_TEST(m[1].toDouble() < 50.0);
        BOOST_TEST(str(m[2]) == "degC");
        BOOST_TEST(m[3].toDouble() == 0.0);
        BOOST_TEST(!m[3].isNull());
        BOOST_TEST(m[4].toDouble() == 50.0);
        BOOST_TEST(m[5].toDouble() == 5.0);
        BOOST_TEST(m[6].toDouble() == 45.0);
        BOOST_TEST(str(m[7]) == "PASS");
    }
    const QStringList kinds = db.strings("SELECT kind FROM events ORDER BY t_ns");
    BOOST_TEST(kinds.contains(QStringLiteral("sim-start")));
    BOOST_TEST(kinds.contains(QStringLiteral("connect")));
}

QString connectDetail(const QString &dbPath) {
    return Database(dbPath).value("SELECT detail FROM events WHERE kind = 'connect'").toString();
}

} // namespace

BOOST_AUTO_TEST_CASE(tcp_simulator_passes_and_records_everything) {
    Workspace ws;
    const HilResult r =
        runHil({QStringLiteral("run"), data("read-temp.yaml"), QStringLiteral("--fixture"),
                data("sim-tcp.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--junit"),
                ws.path("junit.xml"), QStringLiteral("--seed"), QStringLiteral("12345")},
               ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitStatus == QProcess::NormalExit);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stderr: " << str(r.err));
    BOOST_TEST(r.out.startsWith(QStringLiteral("PASS")));

    checkPassingReadTempRun(ws.db(), QStringLiteral("SN4242"), QStringLiteral("9.8.7"));
    BOOST_TEST(Database(ws.db()).count("SELECT seed FROM runs") == 12345);
    BOOST_TEST(connectDetail(ws.db()).startsWith(QStringLiteral("tcp 127.0.0.1:")));

    QFile junit(ws.path("junit.xml"));
    BOOST_REQUIRE(junit.open(QIODevice::ReadOnly));
    QXmlStreamReader x(&junit);
    int testcases = 0;
    QMap<QString, QString> properties; // of the test cases and suites, last one wins
    while (!x.atEnd()) {
        x.readNext();
        if (!x.isStartElement())
            continue;
        if (x.name() == u"testcase")
            ++testcases;
        else if (x.name() == u"property")
            properties.insert(x.attributes().value(QLatin1StringView("name")).toString(),
                              x.attributes().value(QLatin1StringView("value")).toString());
    }
    BOOST_TEST(!x.hasError(), str(x.errorString()));
    BOOST_TEST(testcases == 2); // identify, read temperature
    BOOST_REQUIRE(properties.contains(QStringLiteral("t.low")));
    BOOST_TEST(str(properties.value(QStringLiteral("t.low"))) == "0");
    BOOST_TEST(str(properties.value(QStringLiteral("t.high"))) == "50");
    BOOST_TEST(str(properties.value(QStringLiteral("t.unit"))) == "degC");
    BOOST_TEST(str(properties.value(QStringLiteral("dut_serial"))) == "SN4242");
    BOOST_TEST(str(properties.value(QStringLiteral("run.verdict"))) == "PASS");
}

BOOST_AUTO_TEST_CASE(pty_simulator_passes_and_records_exchanges) {
    Workspace ws;
    const HilResult r = runHil({QStringLiteral("run"), data("read-temp.yaml"), QStringLiteral("--fixture"),
                                data("sim-pty.yaml"), QStringLiteral("--db"), ws.db(),
                                QStringLiteral("--quiet"), QStringLiteral("--record-exchanges")},
                               ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitStatus == QProcess::NormalExit);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stderr: " << str(r.err));
    BOOST_TEST(r.out.isEmpty()); // --quiet

    checkPassingReadTempRun(ws.db(), QStringLiteral("SN4242"), QStringLiteral("9.8.7"));
    BOOST_TEST(connectDetail(ws.db()).startsWith(QStringLiteral("pty /dev/pts/")));
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM exchanges WHERE direction = 'tx'") == 21);
    BOOST_TEST(db.count("SELECT count(*) FROM exchanges WHERE direction = 'rx'") == 21);
    BOOST_TEST(
        db.count(
            "SELECT count(*) FROM exchanges WHERE direction = 'tx' AND data = CAST('READ? TEMP' AS BLOB)")
        == 20);
}

BOOST_AUTO_TEST_CASE(libserialport_path_through_the_pty_shim) {
    Workspace ws;
    OwnSimulator sim({QStringLiteral("--pty"), QStringLiteral("--serial"), QStringLiteral("SNLSP1")});
    BOOST_REQUIRE(sim.link == u"pty");
    ws.write("lsp.yaml", QStringLiteral("name: it-libserialport\n"
                                        "devices:\n"
                                        "  sensor:\n"
                                        "    serial: {port: %1, backend: libserialport, baud: 115200}\n"
                                        "    timeout: 1s\n")
                             .arg(sim.address));
    const auto args = [&](const QString &db) {
        return QStringList{QStringLiteral("run"),    data("read-temp.yaml"), QStringLiteral("--fixture"),
                           ws.path("lsp.yaml"),      QStringLiteral("--db"), db,
                           QStringLiteral("--quiet")};
    };

    // Without the shim libserialport 0.1.1 cannot open a PTY: an ERROR of the bench, which shows that
    // backend: libserialport is honoured and not quietly replaced by the PTY path.
    QProcessEnvironment plain = QProcessEnvironment::systemEnvironment();
    plain.remove(QStringLiteral("LD_PRELOAD"));
    Workspace bare;
    const HilResult without = runHil(args(bare.db()), bare.dir.path(), plain);
    BOOST_REQUIRE(without.finished);
    BOOST_TEST(without.exitCode == 3);
    {
        const Database db(bare.db());
        BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "ERROR");
        const QString error = db.value("SELECT detail FROM events WHERE kind = 'error'").toString();
        BOOST_TEST(error.contains(QStringLiteral("sp_get_port_by_name failed")), str(error));
    }

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LD_PRELOAD"), QStringLiteral(HIL_PTYSHIM_PATH));
    // An ASan build wants its runtime first among the libraries; the shim comes before it.
    const QString asan = env.value(QStringLiteral("ASAN_OPTIONS"));
    env.insert(QStringLiteral("ASAN_OPTIONS"),
               (asan.isEmpty() ? QString() : asan + u':') + QStringLiteral("verify_asan_link_order=0"));
    const HilResult r = runHil(args(ws.db()), ws.dir.path(), env);
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitStatus == QProcess::NormalExit);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stderr: " << str(r.err));

    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "PASS");
    BOOST_TEST(str(db.value("SELECT dut_serial FROM runs")) == "SNLSP1");
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS' AND latency_ns > 0") == 21);
    BOOST_TEST(db.count("SELECT count(*) FROM measurements") == 20);
    // SerialTransport::describe(); PtyTransport would say "pty /dev/pts/N".
    BOOST_TEST(str(connectDetail(ws.db())) == str(QStringLiteral("serial %1 115200 8N1").arg(sim.address)));
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'sim-start'") == 0);
}

BOOST_AUTO_TEST_CASE(socat_pty_pair_bridged_to_a_tcp_simulator) {
    const QString socat = QStandardPaths::findExecutable(QStringLiteral("socat"));
    if (socat.isEmpty()) {
        BOOST_TEST_MESSAGE("SKIPPED socat_pty_pair_bridged_to_a_tcp_simulator: socat is not installed "
                           "(cmake/setup.sh installs it)");
        return;
    }
    Workspace ws;
    const QString dut = ws.path("ttyDUT");
    const QString simEnd = ws.path("ttySIM");
    const QString transferring = QStringLiteral("starting data transfer loop");
    Child pair(socat,
               {QStringLiteral("-d"), QStringLiteral("-d"), QStringLiteral("pty,raw,echo=0,link=%1").arg(dut),
                QStringLiteral("pty,raw,echo=0,link=%1").arg(simEnd)});
    BOOST_REQUIRE_MESSAGE(waitUntil([&] {
                              return QFileInfo::exists(dut) && QFileInfo::exists(simEnd)
                                     && pair.stderrText().contains(transferring);
                          }),
                          "socat pty pair did not come up: " << str(pair.stderrText()));

    OwnSimulator sim({QStringLiteral("--tcp"), QStringLiteral("0")});
    BOOST_REQUIRE(sim.link == u"tcp");
    const QString port = sim.address.mid(sim.address.lastIndexOf(u':') + 1);
    Child bridge(socat, {QStringLiteral("-d"), QStringLiteral("-d"), simEnd + QStringLiteral(",raw,echo=0"),
                         QStringLiteral("TCP:127.0.0.1:%1").arg(port)});
    BOOST_REQUIRE_MESSAGE(waitUntil([&] {
                              return bridge.stderrText().contains(transferring) || !bridge.running();
                          }) && bridge.running(),
                          "socat bridge did not come up: " << str(bridge.stderrText()));

    // No backend: auto must see through the symlink to a PTY and take the PTY path by itself.
    ws.write("socat.yaml", QStringLiteral("name: it-socat\n"
                                          "devices:\n"
                                          "  sensor:\n"
                                          "    serial: {port: %1}\n"
                                          "    timeout: 1s\n")
                               .arg(dut));
    const HilResult r =
        runHil({QStringLiteral("run"), data("read-temp.yaml"), QStringLiteral("--fixture"),
                ws.path("socat.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
               ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitStatus == QProcess::NormalExit);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stderr: " << str(r.err));
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "PASS");
    BOOST_TEST(str(db.value("SELECT dut_serial FROM runs")) == "SN0001");
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'") == 21);
    BOOST_TEST(str(connectDetail(ws.db())) == str(QStringLiteral("pty ") + dut));
}

BOOST_AUTO_TEST_CASE(out_of_limits_and_wrong_answer_fail) {
    Workspace ws;
    const HilResult r =
        runHil({QStringLiteral("run"), data("fail.yaml"), QStringLiteral("--fixture"), data("sim-tcp.yaml"),
                QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
               ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitStatus == QProcess::NormalExit);
    BOOST_TEST(r.exitCode == 1, "stderr: " << str(r.err));

    const Database db(ws.db());
    const auto run = db.rows("SELECT verdict, n_pass, n_fail, n_error FROM runs");
    BOOST_REQUIRE(run && run->size() == 1);
    BOOST_TEST(str(run->first()[0]) == "FAIL");
    BOOST_TEST(run->first()[1].toLongLong() == 0);
    BOOST_TEST(run->first()[2].toLongLong() == 4);
    BOOST_TEST(run->first()[3].toLongLong() == 0);

    const auto limits = db.rows("SELECT verdict, message, CAST(response AS TEXT) FROM step_results"
                                " WHERE step = 'too cold for the limits'");
    BOOST_REQUIRE(limits);
    BOOST_TEST(limits->size() == 3);
    static const QRegularExpression reading(QStringLiteral("^TEMP -?[0-9]+\\.[0-9]{3}$"));
    for (const Database::Row &row : *limits) {
        BOOST_TEST(str(row[0]) == "FAIL");
        BOOST_TEST(row[1].toString().contains(QStringLiteral("outside limits")), str(row[1]));
        BOOST_TEST(reading.match(row[2].toString()).hasMatch(), str(row[2]));
    }
    BOOST_TEST(
        db.count("SELECT count(*) FROM measurements WHERE verdict = 'FAIL' AND low = 100 AND high = 200")
        == 3);

    const auto wrong = db.rows("SELECT verdict, message, CAST(response AS TEXT), latency_ns FROM step_results"
                               " WHERE step = 'wrong answer'");
    BOOST_REQUIRE(wrong && wrong->size() == 1);
    BOOST_TEST(str(wrong->first()[0]) == "FAIL");
    BOOST_TEST(str(wrong->first()[2]) == "ACME,ENV-1,SN4242,9.8.7"); // the actual answer
    BOOST_TEST(wrong->first()[1].toString().contains(QStringLiteral("unexpected answer")),
               str(wrong->first()[1]));
    BOOST_TEST(wrong->first()[3].toLongLong() > 0);
}

BOOST_AUTO_TEST_CASE(device_that_never_answers_fails_with_timeout) {
    Workspace ws;
    const HilResult r =
        runHil({QStringLiteral("run"), data("timeout.yaml"), QStringLiteral("--fixture"),
                data("sim-noreply.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
               ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitStatus == QProcess::NormalExit);
    BOOST_TEST(r.exitCode == 1, "stderr: " << str(r.err)); // FAIL: the device's fault, not ERROR

    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "FAIL");
    BOOST_TEST(db.count("SELECT n_error FROM runs") == 0);
    const auto rows = db.rows("SELECT verdict, message, latency_ns, end_ns - start_ns FROM step_results");
    BOOST_REQUIRE(rows && rows->size() == 1);
    const Database::Row &row = rows->first();
    BOOST_TEST(str(row[0]) == "FAIL");
    BOOST_TEST(row[1].toString().contains(QStringLiteral("timeout")), str(row[1]));
    BOOST_TEST(row[2].isNull()); // no answer, no latency
    BOOST_TEST(row[3].toLongLong() >= 300'000'000);
}

namespace {

// Runs long.yaml on `fixture`, waits until the database shows passing steps, SIGKILLs the simulator
// child of hil, and checks that hil ends the run as ERROR by itself.
void killSimulatorMidRun(const QString &fixture) {
    Workspace ws;
    Child hil(hilPath(),
              {QStringLiteral("run"), data("long.yaml"), QStringLiteral("--fixture"), fixture,
               QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
              ws.dir.path());
    const char *passing = "SELECT count(*) FROM step_results WHERE verdict = 'PASS'";
    BOOST_REQUIRE(waitUntil([&] { return countNow(ws.db(), passing) >= 5 || !hil.running(); }, 15000, 20));
    BOOST_REQUIRE_MESSAGE(hil.running(), "hil ended early: " << str(hil.stderrText()));

    const qint64 simPid = simulatorPid(Database(ws.db()));
    BOOST_REQUIRE(simPid > 0);
    // Make sure of whom we kill: hil's own hil-sim child.
    BOOST_REQUIRE(parentOf(simPid) == std::optional<qint64>(hil.pid()));
    BOOST_REQUIRE(str(commandOf(simPid)) == "hil-sim");
    BOOST_REQUIRE(::kill(static_cast<pid_t>(simPid), SIGKILL) == 0);

    BOOST_REQUIRE_MESSAGE(hil.waitFinished(5000), "hil did not end within 5 s of losing its simulator");
    BOOST_TEST(hil.process().exitStatus() == QProcess::NormalExit); // not a crash
    BOOST_TEST(hil.process().exitCode() == 3, "stderr: " << str(hil.stderrText()));

    const Database db(ws.db());
    const auto run = db.rows("SELECT verdict, n_pass, n_fail, n_error, ended_at_ns, reason FROM runs");
    BOOST_REQUIRE(run && run->size() == 1);
    BOOST_TEST(str(run->first()[0]) == "ERROR");
    // The device is named, in the run's reason and in the one line --quiet still prints.
    BOOST_TEST(str(run->first()[5]) == "device 'sensor' was lost");
    BOOST_TEST(hil.stderrText().contains(QStringLiteral("hil run: ERROR: device 'sensor' was lost")),
               str(hil.stderrText()));
    BOOST_TEST(run->first()[1].toLongLong() >= 5);
    BOOST_TEST(run->first()[2].toLongLong() == 0); // the bench failed, not the device
    BOOST_TEST(run->first()[3].toLongLong() >= 1);
    BOOST_TEST(!run->first()[4].isNull());
    const QStringList errors = db.strings("SELECT message FROM step_results WHERE verdict = 'ERROR'");
    BOOST_REQUIRE(!errors.isEmpty());
    static const QRegularExpression lost(QStringLiteral("device 'sensor' (lost|is not connected)"));
    BOOST_TEST(lost.match(errors.first()).hasMatch(), str(errors.first()));
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind IN ('sim-exit', 'disconnect')") >= 1);
}

} // namespace

BOOST_AUTO_TEST_CASE(simulator_killed_mid_run_is_an_error_pty) {
    killSimulatorMidRun(data("sim-pty.yaml"));
}

BOOST_AUTO_TEST_CASE(simulator_killed_mid_run_is_an_error_tcp) {
    killSimulatorMidRun(data("sim-tcp.yaml"));
}

// SIGINT (Ctrl-C), SIGTERM (a CI job cancelled) and SIGHUP (an ssh session closed) all end a run the same
// way: ABORT, exit 130, everything so far committed, the run closed, no simulator left behind.
void signalAbortsCleanly(int signal, const char *name) {
    Workspace ws;
    Child hil(hilPath(),
              {QStringLiteral("run"), data("long.yaml"), QStringLiteral("--fixture"), data("sim-pty.yaml"),
               QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
              ws.dir.path());
    const char *passing = "SELECT count(*) FROM step_results WHERE verdict = 'PASS'";
    BOOST_REQUIRE(waitUntil([&] { return countNow(ws.db(), passing) >= 5 || !hil.running(); }, 15000, 20));
    BOOST_REQUIRE_MESSAGE(hil.running(), "hil ended early: " << str(hil.stderrText()));
    const qint64 passedBefore = countNow(ws.db(), passing);
    const qint64 simPid = simulatorPid(Database(ws.db()));
    BOOST_REQUIRE(simPid > 0);
    BOOST_REQUIRE(processExists(simPid));

    BOOST_REQUIRE(::kill(static_cast<pid_t>(hil.pid()), signal) == 0);
    BOOST_REQUIRE_MESSAGE(hil.waitFinished(5000), "hil did not end within 5 s of " << name);
    BOOST_TEST(hil.process().exitStatus() == QProcess::NormalExit);
    BOOST_TEST(hil.process().exitCode() == 130, "stderr: " << str(hil.stderrText()));
    BOOST_TEST(!processExists(simPid), "hil-sim " << simPid << " outlived hil");

    const Database db(ws.db());
    BOOST_TEST(str(db.value("PRAGMA integrity_check")) == "ok");
    const auto run = db.rows("SELECT verdict, reason, n_fail, n_error, ended_at_ns FROM runs");
    BOOST_REQUIRE(run && run->size() == 1);
    BOOST_TEST(str(run->first()[0]) == "ABORT");
    BOOST_TEST(run->first()[1].toString().contains(QString::fromLatin1(name)), str(run->first()[1]));
    BOOST_TEST(run->first()[2].toLongLong() == 0);
    BOOST_TEST(run->first()[3].toLongLong() == 0);
    BOOST_TEST(!run->first()[4].isNull());
    BOOST_TEST(db.count(passing) >= passedBefore);
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'abort' AND detail LIKE ?",
                        {QStringLiteral("%%1%").arg(QString::fromLatin1(name))})
               == 1);
}

BOOST_AUTO_TEST_CASE(sigint_aborts_cleanly) {
    signalAbortsCleanly(SIGINT, "SIGINT");
}

BOOST_AUTO_TEST_CASE(sigterm_aborts_cleanly) {
    signalAbortsCleanly(SIGTERM, "SIGTERM");
}

BOOST_AUTO_TEST_CASE(sighup_aborts_cleanly) {
    signalAbortsCleanly(SIGHUP, "SIGHUP");
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected_before_the_database) {
    Workspace ws;
    const QStringList args{QStringLiteral("run"),    data("bad-key.yaml"),   QStringLiteral("--fixture"),
                           data("sim-tcp.yaml"),     QStringLiteral("--db"), ws.db(),
                           QStringLiteral("--quiet")};
    const HilResult r = runHil(args, ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitStatus == QProcess::NormalExit);
    BOOST_TEST(r.exitCode == 2);
    static const QRegularExpression where(QStringLiteral("bad-key\\.yaml:7:5: .*'expext'"));
    BOOST_TEST(where.match(r.err).hasMatch(), str(r.err));
    BOOST_TEST(!QFileInfo::exists(ws.db()));

    // A database that already holds a run gains no row from bad input.
    const HilResult good =
        runHil({QStringLiteral("run"), data("read-temp.yaml"), QStringLiteral("--fixture"),
                data("sim-tcp.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
               ws.dir.path());
    BOOST_REQUIRE(good.finished && good.exitCode == 0);
    const HilResult again = runHil(args, ws.dir.path());
    BOOST_TEST(again.exitCode == 2);
    BOOST_TEST(Database(ws.db()).count("SELECT count(*) FROM runs") == 1);

    const HilResult validate = runHil(
        {QStringLiteral("validate"), data("bad-key.yaml"), QStringLiteral("--fixture"), data("sim-tcp.yaml")},
        ws.dir.path());
    BOOST_TEST(validate.exitCode == 2);
    BOOST_TEST(where.match(validate.err).hasMatch(), str(validate.err));
}

BOOST_AUTO_TEST_CASE(validate_runs_and_help) {
    Workspace ws;
    const HilResult validate = runHil({QStringLiteral("validate"), data("read-temp.yaml"),
                                       QStringLiteral("--fixture"), data("sim-tcp.yaml")},
                                      ws.dir.path());
    BOOST_TEST(validate.exitCode == 0, str(validate.err));
    BOOST_TEST(validate.out.contains(QStringLiteral("OK")), str(validate.out));

    for (int i = 0; i < 2; ++i) {
        const HilResult r =
            runHil({QStringLiteral("run"), data("read-temp.yaml"), QStringLiteral("--fixture"),
                    data("sim-tcp.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
                   ws.dir.path());
        BOOST_REQUIRE(r.finished && r.exitCode == 0);
    }
    const HilResult runs = runHil({QStringLiteral("runs"), QStringLiteral("--db"), ws.db()}, ws.dir.path());
    BOOST_TEST(runs.exitCode == 0, str(runs.err));
    QStringList listed;
    static const QRegularExpression idLine(QStringLiteral("^\\s*(\\d+)\\s+\\S"));
    for (const QString &line : runs.out.split(u'\n')) {
        const QRegularExpressionMatch m = idLine.match(line);
        if (m.hasMatch()) {
            listed.append(m.captured(1));
            BOOST_TEST(line.contains(QStringLiteral("PASS")), str(line));
            BOOST_TEST(line.contains(QStringLiteral("SN4242")), str(line));
        }
    }
    const QStringList recorded = Database(ws.db()).strings("SELECT id FROM runs ORDER BY id");
    BOOST_TEST(recorded.size() == 2);
    BOOST_TEST(str(listed.join(u',')) == str(recorded.join(u',')), str(runs.out));

    const HilResult top = runHil({QStringLiteral("--help")}, ws.dir.path());
    BOOST_TEST(top.exitCode == 0);
    BOOST_TEST(top.out.contains(QStringLiteral("Usage")));
    for (const char *command : {"run", "validate", "runs", "ports"}) {
        BOOST_TEST_CONTEXT("hil " << command << " --help") {
            const HilResult h = runHil({QString::fromUtf8(command), QStringLiteral("--help")}, ws.dir.path());
            BOOST_TEST(h.exitCode == 0);
            BOOST_TEST(h.out.contains(QStringLiteral("Usage")), str(h.out));
        }
    }
}

// ---- Fail safe: outputs and baseline checked before the run, reports written whole or not at all ----

namespace {

// A tmpfs of 32 KiB mounted on a fresh directory, for a disk that is full or read-only for real. Needs
// root (or CAP_SYS_ADMIN); mounted() is false with why() otherwise, and the test is skipped.
class SmallTmpfs {
public:
    explicit SmallTmpfs(bool readOnly = false) {
        BOOST_REQUIRE(m_dir.isValid());
        if (::mount("tmpfs", QFile::encodeName(m_dir.path()).constData(), "tmpfs",
                    readOnly ? static_cast<unsigned long>(MS_RDONLY) : 0UL, "size=32k")
            == 0)
            m_mounted = true;
        else
            m_why = QString::fromLocal8Bit(std::strerror(errno));
    }
    ~SmallTmpfs() {
        if (m_mounted)
            ::umount2(QFile::encodeName(m_dir.path()).constData(), MNT_DETACH);
    }
    SmallTmpfs(const SmallTmpfs &) = delete;
    SmallTmpfs &operator=(const SmallTmpfs &) = delete;

    bool mounted() const { return m_mounted; }
    const QString &why() const { return m_why; }
    QString path(const char *name) const { return m_dir.filePath(QString::fromUtf8(name)); }
    // The files in it, hidden ones (temporary names) included.
    QStringList files() const {
        return QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
    }

    // Fills it with one file, then gives back pagesFree pages of 4 KiB.
    void fill(int pagesFree) const {
        const QByteArray name = QFile::encodeName(path("filler"));
        const int fd = ::open(name.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        BOOST_REQUIRE(fd >= 0);
        const QByteArray page(4096, 'x');
        qint64 written = 0;
        for (;;) {
            const ssize_t n = ::write(fd, page.constData(), static_cast<size_t>(page.size()));
            if (n <= 0)
                break;
            written += n;
        }
        BOOST_REQUIRE(errno == ENOSPC);
        const qint64 keep = (written / 4096 - pagesFree) * 4096;
        BOOST_REQUIRE(keep > 0);
        BOOST_REQUIRE(::ftruncate(fd, keep) == 0);
        ::close(fd);
    }

private:
    QTemporaryDir m_dir;
    bool m_mounted = false;
    QString m_why;
};

// HIL_SIM for hil: a script that notes that a simulator was started, then runs the real hil-sim.
struct SimulatorWitness {
    QString marker;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();

    explicit SimulatorWitness(const Workspace &ws)
        : marker(ws.path("simulator-started")) {
        const QString script = ws.path("hil-sim-witness.sh");
        ws.write("hil-sim-witness.sh",
                 QStringLiteral("#!/bin/sh\necho \"$$\" >> '%1'\nexec '%2' \"$@\"\n").arg(marker, simPath()));
        BOOST_REQUIRE(QFile::setPermissions(script, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        env.insert(QStringLiteral("HIL_SIM"), script);
    }
    bool started() const { return QFileInfo::exists(marker); }
};

QStringList runArgs(const Workspace &ws, const QStringList &extra) {
    return QStringList{QStringLiteral("run"), data("report-size.yaml"), QStringLiteral("--fixture"),
                       data("sim-tcp.yaml"),  QStringLiteral("--db"),   ws.db()}
           + extra;
}

} // namespace

// A disk that fills up during the run: the reports fail whole, the run is an ERROR (exit 3) that names
// each file and the cause, and nothing is left behind, neither an empty nor a partial file.
BOOST_AUTO_TEST_CASE(reports_to_a_full_disk_are_an_error_and_leave_no_file) {
    const SmallTmpfs disk;
    if (!disk.mounted()) {
        BOOST_TEST_MESSAGE("skipped: cannot mount a tmpfs (" << str(disk.why()) << "); needs root");
        return;
    }
    Workspace ws;
    // One page free: room for the preflight's probe, none for a report of more than 4 KiB.
    disk.fill(1);
    const QString json = disk.path("summary.json");
    const QString junit = disk.path("junit.xml");
    const HilResult r = runHil(
        runArgs(ws, {QStringLiteral("--json"), json, QStringLiteral("--junit"), junit}), ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitCode == 3, "stdout: " << str(r.out) << "stderr: " << str(r.err));
    BOOST_TEST(r.out.startsWith(QStringLiteral("ERROR")), str(r.out));
    for (const QString &file : {json, junit}) {
        const QRegularExpression named(QStringLiteral("hil run: cannot write %1: .*No space left on device")
                                           .arg(QRegularExpression::escape(file)));
        BOOST_TEST(named.match(r.err).hasMatch(), str(r.err));
    }
    BOOST_TEST(str(disk.files().join(u',')) == "filler", "no report and no temporary file left");
    // The run itself is recorded whole, as passing: only its reports failed.
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM runs WHERE verdict = 'PASS'") == 1);

    // The same reports later, with room, are whole files.
    ::unlink(QFile::encodeName(disk.path("filler")).constData());
    const HilResult again = runHil({QStringLiteral("report"), QStringLiteral("--db"), ws.db(),
                                    QStringLiteral("--json"), json, QStringLiteral("--junit"), junit},
                                   ws.dir.path());
    BOOST_TEST(again.exitCode == 0, str(again.err));
    BOOST_TEST(QFileInfo(junit).size() > 4096);
    BOOST_TEST(QFileInfo(json).size() > 4096);
}

// Outputs that cannot be written are found before anything runs: no simulator starts, no run row is
// written, and the exit code tells bad input (2) from a bench that refuses the file (3).
BOOST_AUTO_TEST_CASE(unwritable_outputs_are_refused_before_the_run) {
    Workspace ws;
    const SimulatorWitness witness(ws);
    // A database that already holds a run, so that "no new run row" is a real observation.
    const HilResult first = runHil(runArgs(ws, {}), ws.dir.path(), witness.env);
    BOOST_REQUIRE_MESSAGE(first.exitCode == 0, str(first.err));
    BOOST_REQUIRE_MESSAGE(witness.started(), "the witness sees a simulator start");
    BOOST_REQUIRE(QFile::remove(witness.marker));

    struct Case {
        QStringList args;
        int exitCode;
        QString message;
    };
    const SmallTmpfs full;
    const SmallTmpfs readOnly(true);
    QList<Case> cases{
        {{QStringLiteral("--junit"), ws.path("no-such-dir/junit.xml")}, 2, QStringLiteral("does not exist")},
        {{QStringLiteral("--json"), ws.dir.path()}, 2, QStringLiteral("is a directory")},
        {{QStringLiteral("--html"), ws.path("results.db/report.html")},
         2,
         QStringLiteral("is not a directory")},
        {{QStringLiteral("--csv"), ws.db()}, 2, QStringLiteral("is a file, not a directory")},
    };
    if (full.mounted()) {
        full.fill(0);
        cases.append({{QStringLiteral("--junit"), full.path("junit.xml")},
                      3,
                      QStringLiteral("No space left on device")});
    } else {
        BOOST_TEST_MESSAGE("full-disk case skipped: cannot mount a tmpfs (" << str(full.why()) << ")");
    }
    if (readOnly.mounted())
        cases.append({{QStringLiteral("--json"), readOnly.path("s.json")},
                      3,
                      QStringLiteral("Read-only file system")});
    for (const Case &c : cases) {
        BOOST_TEST_CONTEXT(str(c.args.join(u' '))) {
            const HilResult r = runHil(runArgs(ws, c.args), ws.dir.path(), witness.env);
            BOOST_REQUIRE(r.finished);
            BOOST_TEST(r.exitCode == c.exitCode, str(r.err));
            BOOST_TEST(r.err.contains(c.message), str(r.err));
            BOOST_TEST(r.err.contains(c.args.first()), "the option is named: " << str(r.err));
            BOOST_TEST(r.out.isEmpty(), str(r.out));
            BOOST_TEST(!witness.started(), "a simulator was started");
            BOOST_TEST(Database(ws.db()).count("SELECT count(*) FROM runs") == 1);
        }
    }
    if (full.mounted())
        BOOST_TEST(str(full.files().join(u',')) == "filler", "the probe left nothing behind");

    // `hil report` checks the same before reading anything.
    const HilResult report = runHil({QStringLiteral("report"), QStringLiteral("--db"), ws.db(),
                                     QStringLiteral("--junit"), ws.path("no-such-dir/junit.xml")},
                                    ws.dir.path());
    BOOST_TEST(report.exitCode == 2, str(report.err));
    BOOST_TEST(report.err.contains(QStringLiteral("does not exist")), str(report.err));
}

// EACCES needs a user the directory refuses, which root is not: hil runs as nobody (setpriv), in a
// directory it may write for the database, with the report directory root's and closed to others.
BOOST_AUTO_TEST_CASE(a_forbidden_output_directory_is_a_bench_error) {
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    if (::geteuid() != 0 || setpriv.isEmpty()) {
        BOOST_TEST_MESSAGE("skipped: needs root and setpriv to run hil as another user");
        return;
    }
    Workspace ws;
    const QFileDevice::Permissions all =
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadGroup
        | QFileDevice::WriteGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther
        | QFileDevice::ExeOther;
    BOOST_REQUIRE(QFile::setPermissions(ws.dir.path(), all));
    const SimulatorWitness witness(ws);
    BOOST_REQUIRE(QFile::setPermissions(ws.path("hil-sim-witness.sh"),
                                        all & ~(QFileDevice::WriteGroup | QFileDevice::WriteOther)));
    BOOST_REQUIRE(QDir(ws.dir.path()).mkdir(QStringLiteral("closed")));
    BOOST_REQUIRE(QFile::setPermissions(
        ws.path("closed"), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                               | QFileDevice::ReadOther | QFileDevice::ExeOther));
    const HilResult r =
        runHil(QStringList{QStringLiteral("--reuid=nobody"), QStringLiteral("--regid=nogroup"),
                           QStringLiteral("--clear-groups"), hilPath()}
                   + runArgs(ws, {QStringLiteral("--junit"), ws.path("closed/junit.xml")}),
               ws.dir.path(), witness.env, 60000, setpriv);
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitCode == 3, str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("--junit: cannot write in ") + ws.path("closed")), str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("Permission denied")), str(r.err));
    BOOST_TEST(!QFileInfo::exists(ws.db()), "no database, so no run row");
    BOOST_TEST(!witness.started());
}

// --baseline names a run that must already be there: checked before the run, not after hours of it.
BOOST_AUTO_TEST_CASE(an_unknown_baseline_is_refused_before_the_run) {
    Workspace ws;
    const SimulatorWitness witness(ws);
    // No database at all: there can be no baseline in it, and none is created.
    HilResult r =
        runHil(runArgs(ws, {QStringLiteral("--baseline"), QStringLiteral("1")}), ws.dir.path(), witness.env);
    BOOST_TEST(r.exitCode == 2, str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("--baseline 1")), str(r.err));
    BOOST_TEST(!QFileInfo::exists(ws.db()));
    BOOST_TEST(!witness.started());

    const HilResult first = runHil(runArgs(ws, {}), ws.dir.path(), witness.env);
    BOOST_REQUIRE_MESSAGE(first.exitCode == 0, str(first.err));
    BOOST_REQUIRE(QFile::remove(witness.marker));
    r = runHil(runArgs(ws, {QStringLiteral("--baseline"), QStringLiteral("42"), QStringLiteral("--json"),
                            ws.path("s.json")}),
               ws.dir.path(), witness.env);
    BOOST_TEST(r.exitCode == 2, str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("--baseline 42")), str(r.err));
    BOOST_TEST(!witness.started());
    BOOST_TEST(Database(ws.db()).count("SELECT count(*) FROM runs") == 1);
    BOOST_TEST(!QFileInfo::exists(ws.path("s.json")));

    // "previous" needs a finished run of the same scenario on the same fixture.
    r = runHil({QStringLiteral("run"), data("read-temp.yaml"), QStringLiteral("--fixture"),
                data("sim-tcp.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--baseline"),
                QStringLiteral("previous")},
               ws.dir.path(), witness.env);
    BOOST_TEST(r.exitCode == 2, str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("no finished run of scenario 'it-read-temp' on fixture")),
               str(r.err));
    BOOST_TEST(!witness.started());
    BOOST_TEST(Database(ws.db()).count("SELECT count(*) FROM runs") == 1);
    r = runHil(
        runArgs(ws, {QStringLiteral("--baseline"), QStringLiteral("previous"), QStringLiteral("--quiet")}),
        ws.dir.path(), witness.env);
    BOOST_TEST(r.exitCode == 0, str(r.err));

    // The run that is there is a baseline.
    r = runHil(runArgs(ws, {QStringLiteral("--baseline"), QStringLiteral("1"), QStringLiteral("--json"),
                            ws.path("s.json"), QStringLiteral("--quiet")}),
               ws.dir.path(), witness.env);
    BOOST_TEST(r.exitCode == 0, str(r.err));
    BOOST_TEST(QFileInfo(ws.path("s.json")).size() > 0);
}

// --quiet hides progress and the summary, never why a run did not pass.
BOOST_AUTO_TEST_CASE(quiet_still_says_why_a_run_failed) {
    Workspace ws;
    const HilResult r =
        runHil({QStringLiteral("run"), data("fail.yaml"), QStringLiteral("--fixture"), data("sim-tcp.yaml"),
                QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
               ws.dir.path());
    BOOST_TEST(r.exitCode == 1, str(r.err));
    BOOST_TEST(r.out.isEmpty(), str(r.out));
    const QStringList lines = r.err.trimmed().split(u'\n');
    BOOST_TEST(lines.size() == 1, str(r.err));
    BOOST_TEST(lines.first().startsWith(QStringLiteral("hil run: FAIL: ")), str(r.err));
    BOOST_TEST(lines.first().contains(QStringLiteral("failed")), str(r.err));
}

// A simulator's `link` option never removes a file it did not make: hil-sim refuses (exit 2) and the run
// is an ERROR naming the device, even with --quiet; the file is untouched. A stale link of its own kind
// (to a pseudo-terminal) is replaced, and removed when the simulator ends.
BOOST_AUTO_TEST_CASE(a_simulator_link_never_replaces_someone_elses_file) {
    Workspace ws;
    const QString path = ws.path("ttyENV0");
    ws.write("ttyENV0", QStringLiteral("precious\n"));
    const auto content = [&] {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    };

    Child sim(simPath(),
              {QStringLiteral("envsensor"), QStringLiteral("--pty"), QStringLiteral("--link"), path});
    BOOST_REQUIRE(sim.waitFinished(10000));
    BOOST_TEST(sim.process().exitCode() == 2);
    BOOST_TEST(sim.stderrText().contains(path + QStringLiteral(" exists and is a regular file")),
               str(sim.stderrText()));
    BOOST_TEST(str(content()) == "precious\n");

    ws.write("fixture.yaml", QStringLiteral("name: linked\n"
                                            "devices:\n"
                                            "  sensor:\n"
                                            "    sim:\n"
                                            "      model: envsensor\n"
                                            "      transport: pty\n"
                                            "      options: {link: '%1'}\n"
                                            "    timeout: 1s\n")
                                 .arg(path));
    const HilResult r =
        runHil({QStringLiteral("run"), data("read-temp.yaml"), QStringLiteral("--fixture"),
                ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
               ws.dir.path());
    BOOST_TEST(r.exitCode == 3, str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("hil run: ERROR: ")), str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("'sensor'")), str(r.err));
    BOOST_TEST(r.err.contains(path), str(r.err));
    BOOST_TEST(str(content()) == "precious\n");

    // A link left by a killed simulator points at a pseudo-terminal: that one is replaced.
    BOOST_REQUIRE(QFile::remove(path));
    BOOST_REQUIRE(::symlink("/dev/pts/999999", QFile::encodeName(path).constData()) == 0);
    {
        OwnSimulator own({QStringLiteral("--pty"), QStringLiteral("--link"), path});
        BOOST_TEST(str(own.address) == str(path));
        BOOST_TEST(QFileInfo(path).symLinkTarget().startsWith(QStringLiteral("/dev/pts/")));
        BOOST_TEST(str(QFileInfo(path).symLinkTarget()) != "/dev/pts/999999");
        own.process.process().terminate();
        BOOST_REQUIRE(own.process.waitFinished(5000));
    }
    BOOST_TEST(!QFileInfo(path).isSymLink(), "the simulator removes its own link when it ends");
}
