// What the harness exposes and runs: simulators and the proxy listen on loopback unless told otherwise, a
// run starts only the programs its fixture names, strings from files and devices reach SQLite only as
// bound parameters and reach a terminal only escaped.
#define BOOST_TEST_MODULE security
#include "core/config/fixtureloader.h"
#include "core/store/recorder.h"
#include "support/harness.h"

#include <QDir>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>

using namespace hiltest;

BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

// The local addresses (hex, as in /proc/net/tcp) of the sockets listening on `port`, IPv4 and IPv6.
QStringList listeningAddresses(quint16 port) {
    QStringList out;
    for (const char *table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        QFile f(QString::fromLatin1(table));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = f.readAll().split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> cols = lines[i].simplified().split(' ');
            if (cols.size() < 4 || cols[3] != "0A") // 0A: LISTEN
                continue;
            const QList<QByteArray> local = cols[1].split(':');
            bool ok = false;
            if (local.size() == 2 && local[1].toUInt(&ok, 16) == port && ok)
                out.append(QString::fromLatin1(local[0]));
        }
    }
    return out;
}

bool onlyLoopback(const QStringList &addresses) {
    if (addresses.isEmpty())
        return false;
    for (const QString &a : addresses) {
        if (a != u"0100007F" && a != u"00000000000000000000000001000000")
            return false;
    }
    return true;
}

quint16 portOf(const QString &hostPort) {
    return static_cast<quint16>(hostPort.section(u':', -1).toUInt());
}

// The direct children of `pid`, as the paths of their executables.
QStringList childExecutables(qint64 pid) {
    QStringList out;
    const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
    for (const QString &task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile f(tasks.filePath(task + QStringLiteral("/children")));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &child : f.readAll().simplified().split(' ')) {
            if (!child.isEmpty())
                out.append(
                    QFile::symLinkTarget(QStringLiteral("/proc/%1/exe").arg(QString::fromLatin1(child))));
        }
    }
    return out;
}

// A device the test serves itself: answers every line with "VAL <n>" and notes which children the harness
// process has while a run is under way.
class LineDevice {
public:
    LineDevice() {
        BOOST_REQUIRE(m_server.listen(QHostAddress::LocalHost, 0));
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            QTcpSocket *s = m_server.nextPendingConnection();
            QObject::connect(s, &QTcpSocket::readyRead, s, [this, s] {
                while (s->canReadLine()) {
                    s->readLine();
                    if (m_onRequest)
                        m_onRequest();
                    s->write("VAL " + QByteArray::number(++m_answers) + '\n');
                }
            });
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    int answers() const { return m_answers; }
    void onRequest(std::function<void()> f) { m_onRequest = std::move(f); }

private:
    QTcpServer m_server;
    int m_answers = 0;
    std::function<void()> m_onRequest;
};

} // namespace

BOOST_AUTO_TEST_CASE(simulator_listens_on_loopback_unless_told_otherwise) {
    for (const bool anyAddress : {false, true}) {
        QStringList args{QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")};
        if (anyAddress)
            args << QStringLiteral("--bind") << QStringLiteral("0.0.0.0");
        Child sim(simPath(), args);
        const QStringList ready = sim.firstLine().split(u' ');
        BOOST_REQUIRE_MESSAGE(ready.size() == 5 && ready[0] == u"READY", str(ready.join(u' ')));
        const QStringList device = listeningAddresses(portOf(ready[2]));
        const QStringList control = listeningAddresses(portOf(ready[4]));
        BOOST_TEST_INFO("device " << str(device.join(u',')) << " control " << str(control.join(u',')));
        BOOST_TEST(onlyLoopback(control)); // the control channel is loopback always
        if (anyAddress)
            BOOST_TEST(device == QStringList{QStringLiteral("00000000")});
        else
            BOOST_TEST(onlyLoopback(device));
    }
}

BOOST_AUTO_TEST_CASE(proxy_listens_on_loopback_unless_told_otherwise) {
    for (const bool anyAddress : {false, true}) {
        QStringList args{QStringLiteral("proxy"), QStringLiteral("--upstream"),
                         QStringLiteral("127.0.0.1:9")};
        if (anyAddress)
            args << QStringLiteral("--listen") << QStringLiteral("0.0.0.0:0");
        Child proxy(hilPath(), args);
        const QStringList ready = proxy.firstLine().split(u' ');
        BOOST_REQUIRE_MESSAGE(ready.size() == 3 && ready[0] == u"READY", str(proxy.stderrText()));
        const QStringList addresses = listeningAddresses(portOf(ready[2]));
        BOOST_TEST_INFO("proxy " << str(addresses.join(u',')));
        if (anyAddress)
            BOOST_TEST(addresses == QStringList{QStringLiteral("00000000")});
        else
            BOOST_TEST(onlyLoopback(addresses));
    }

    // A fixture's proxy without `listen` takes a free loopback port.
    Workspace w;
    w.write("bench.yaml", QStringLiteral("devices:\n  d: {tcp: {host: 127.0.0.1, port: 9}}\n"
                                         "proxies:\n  cloud: {upstream: 'broker.lab:1883'}\n"));
    hil::SourceErrors errors;
    const auto fixture = hil::loadFixture(w.path("bench.yaml"), &errors);
    BOOST_REQUIRE(fixture);
    BOOST_REQUIRE_EQUAL(fixture->proxies.size(), 1);
    BOOST_TEST(fixture->proxies[0].listenHost == QStringLiteral("127.0.0.1"));
}

BOOST_AUTO_TEST_CASE(a_run_starts_only_the_programs_its_fixture_names) {
    Workspace w;
    LineDevice device;
    w.write("tcp.yaml", QStringLiteral("devices:\n  meter: {tcp: {host: 127.0.0.1, port: %1}, timeout: 2s}\n")
                            .arg(device.port()));
    w.write("sim.yaml", QStringLiteral("devices:\n  meter: {sim: {model: envsensor, transport: tcp}}\n"));
    w.write("poll.yaml", QStringLiteral("steps:\n  - send: 'READ? TEMP'\n    expect: '^(VAL|TEMP) '\n"
                                        "    repeat: {count: 20, every: 20ms}\n"));

    // A TCP device: the harness starts nothing, looked at while it is talking to the device.
    {
        Child hil(hilPath(), {QStringLiteral("run"), w.path("poll.yaml"), QStringLiteral("--fixture"),
                              w.path("tcp.yaml"), QStringLiteral("--db"), w.db(), QStringLiteral("--quiet")});
        std::optional<QStringList> seen;
        device.onRequest([&] {
            if (!seen)
                seen = childExecutables(hil.pid());
        });
        BOOST_REQUIRE(hil.waitFinished(30000));
        BOOST_TEST(hil.process().exitCode() == 0, str(hil.stderrText()));
        BOOST_REQUIRE(seen);
        BOOST_TEST(seen->isEmpty(), str(seen->join(u' ')));
        BOOST_TEST(device.answers() == 20);
    }

    // A simulated device: exactly the simulator the fixture names, and nothing once the run is over.
    {
        Child hil(hilPath(), {QStringLiteral("run"), w.path("poll.yaml"), QStringLiteral("--fixture"),
                              w.path("sim.yaml"), QStringLiteral("--db"), w.db(), QStringLiteral("--quiet")});
        QStringList seen;
        BOOST_REQUIRE(waitUntil(
            [&] {
                // A child that is still `hil` is between fork and exec: look again.
                seen = childExecutables(hil.pid());
                return (!seen.isEmpty() && !seen.contains(QFileInfo(hilPath()).canonicalFilePath()))
                       || !hil.running();
            },
            20000, 5));
        BOOST_TEST(seen == QStringList{QFileInfo(simPath()).canonicalFilePath()}, str(seen.join(u' ')));
        BOOST_REQUIRE(hil.waitFinished(30000));
        BOOST_TEST(hil.process().exitCode() == 0, str(hil.stderrText()));
    }

    // A scenario has no way to start a program: such a key is an error before anything runs.
    w.write("exec.yaml", QStringLiteral("steps:\n  - send: 'READ? TEMP'\n    exec: 'touch pwned'\n"));
    const HilResult r = runHil({QStringLiteral("run"), w.path("exec.yaml"), QStringLiteral("--fixture"),
                                w.path("tcp.yaml"), QStringLiteral("--db"), w.path("exec.db")},
                               w.dir.path());
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("exec.yaml:3:5: unknown key 'exec'")), str(r.err));
    BOOST_TEST(!QFile::exists(w.path("pwned")));
    BOOST_TEST(!QFile::exists(w.path("exec.db")));
}

BOOST_AUTO_TEST_CASE(hostile_strings_reach_sqlite_only_as_values) {
    Workspace w;
    QString error;
    auto rec = hil::Recorder::open(w.db(), &error);
    BOOST_REQUIRE_MESSAGE(rec, str(error));
    const QString drop = QStringLiteral("x'); DROP TABLE runs; --");
    hil::RunHeader info;
    info.uuid = QStringLiteral("00000000-0000-4000-8000-00000000beef");
    info.scenario = drop;
    info.scenarioPath = QStringLiteral("scenarios/x'.yaml");
    info.fixture = QStringLiteral("bench\"; --");
    info.fixturePath = QStringLiteral("fixtures/bench.yaml");
    info.station = QStringLiteral("\"; DELETE FROM step_results; --");
    info.host = QStringLiteral("host");
    info.startedAtNs = 1'790'000'000'000'000'000LL;
    rec->runStarted(info);
    hil::StepResult r;
    r.phase = hil::Phase::Steps;
    r.step = QStringLiteral("'||(SELECT sqlite_version())||'");
    r.device = QStringLiteral("d");
    r.verdict = hil::Verdict::Fail;
    r.response = QByteArray("'); DELETE FROM runs; --\0\xff", 27);
    r.message = QStringLiteral("%1 ?1 :x @y $z");
    rec->stepFinished(r);
    rec->eventRecorded(
        {1, QStringLiteral("error"), QStringLiteral("d"), QStringLiteral("'; DROP TABLE events; --")});
    hil::RunSummary summary;
    summary.verdict = hil::Verdict::Fail;
    rec->runFinished(summary);
    BOOST_REQUIRE_MESSAGE(rec->close(), str(rec->error()));

    Database db(w.db());
    BOOST_TEST(db.value("SELECT scenario FROM runs").toString() == drop);
    BOOST_TEST(db.value("SELECT station FROM runs").toString() == info.station);
    BOOST_TEST(db.value("SELECT step FROM step_results").toString() == r.step);
    BOOST_TEST(db.value("SELECT message FROM step_results").toString() == r.message);
    BOOST_TEST(db.value("SELECT response FROM step_results").toByteArray() == r.response);
    BOOST_TEST(db.value("SELECT detail FROM events WHERE kind = 'error'").toString()
               == QStringLiteral("'; DROP TABLE events; --"));
    BOOST_TEST(db.value("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                        "('runs', 'step_results', 'events')")
                   .toInt()
               == 3);
}

BOOST_AUTO_TEST_CASE(terminal_output_escapes_what_came_from_files) {
    Workspace w;
    LineDevice device;
    w.write("tcp.yaml",
            QStringLiteral("devices:\n  meter: {tcp: {host: 127.0.0.1, port: %1}}\n").arg(device.port()));
    // A key and a name carrying terminal controls (ESC [2J clears the screen).
    w.write("bad.yaml", QStringLiteral("steps:\n  - send: 'READ?'\n    \"x\\e[2J\": 1\n"));
    w.write("ok.yaml",
            QStringLiteral("name: \"smoke\\e[2J\"\nsteps:\n  - send: 'READ?'\n    expect: '^VAL'\n"));

    const HilResult bad = runHil(
        {QStringLiteral("validate"), w.path("bad.yaml"), QStringLiteral("--fixture"), w.path("tcp.yaml")},
        w.dir.path());
    BOOST_TEST(bad.exitCode == 2);
    BOOST_TEST(!bad.err.contains(QChar(0x1b)));
    BOOST_TEST(bad.err.contains(QStringLiteral("unknown key 'x\\x1b[2J'")), str(bad.err));

    const HilResult ok = runHil({QStringLiteral("run"), w.path("ok.yaml"), QStringLiteral("--fixture"),
                                 w.path("tcp.yaml"), QStringLiteral("--db"), w.db()},
                                w.dir.path());
    BOOST_TEST(ok.exitCode == 0, str(ok.err));
    BOOST_TEST(!ok.out.contains(QChar(0x1b)));
    BOOST_TEST(ok.out.contains(QStringLiteral("smoke\\x1b[2J")), str(ok.out));
}
