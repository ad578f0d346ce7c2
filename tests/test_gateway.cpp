#define BOOST_TEST_MODULE gateway
// The cloud path: fixture brokers (a real mosquitto started by the harness) and `hil-sim gateway`
// publishing its sensors' readings to a real broker, read back by mosquitto_sub; outages between gateway
// and broker made by `hil proxy`; and `hil run` on a bench with a broker, a proxy and the gateway.

#include "core/config/fixtureloader.h"
#include "core/session/brokerprocess.h"
#include "support/harness.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <boost/test/unit_test.hpp>
#include <csignal>

using namespace hiltest;

BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

quint16 freePort() {
    QTcpServer probe;
    BOOST_REQUIRE(probe.listen(QHostAddress::LocalHost, 0));
    return probe.serverPort();
}

hil::BrokerConfig brokerOn(quint16 port) {
    hil::BrokerConfig c;
    c.name = QStringLiteral("broker");
    c.listenPort = port;
    return c;
}

// A BrokerProcess that is up (or the test stops here).
struct RunningBroker {
    hil::BrokerProcess broker;
    explicit RunningBroker(quint16 port)
        : broker(brokerOn(port)) {
        bool ready = false;
        QString failure;
        QObject::connect(&broker, &hil::BrokerProcess::ready, [&ready] { ready = true; });
        QObject::connect(&broker, &hil::BrokerProcess::failed, [&failure](const QString &r) { failure = r; });
        broker.start();
        BOOST_REQUIRE(waitUntil([&] { return ready || !failure.isEmpty(); }, 15000));
        BOOST_REQUIRE_MESSAGE(ready, str(failure));
    }
};

// mosquitto_sub on every reading topic, QoS 2, printing "topic payload" lines; subscribed once it has
// seen a message of its own on the probe topic.
class Reader {
public:
    explicit Reader(quint16 port)
        : m_port(port)
        , m_sub(QStringLiteral("mosquitto_sub"),
                {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                 QString::number(port), QStringLiteral("-q"), QStringLiteral("2"), QStringLiteral("-v"),
                 QStringLiteral("-t"), QStringLiteral("gw/+/+/reading"), QStringLiteral("-t"),
                 QStringLiteral("probe")}) {
        BOOST_REQUIRE(waitUntil(
            [this] {
                QProcess::execute(QStringLiteral("mosquitto_pub"),
                                  {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                                   QString::number(m_port), QStringLiteral("-t"), QStringLiteral("probe"),
                                   QStringLiteral("-m"), QStringLiteral("x")});
                return m_sub.stdoutText().contains(QStringLiteral("probe x"));
            },
            15000, 200));
    }

    // seq numbers per sensor, in arrival order.
    QMap<QString, QList<int>> sequences() {
        QMap<QString, QList<int>> out;
        static const QRegularExpression line(QStringLiteral("^gw/gw1/(s\\d+)/reading (\\{.*\\})$"),
                                             QRegularExpression::MultilineOption);
        auto it = line.globalMatch(m_sub.stdoutText());
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            const QJsonObject payload = QJsonDocument::fromJson(m.captured(2).toUtf8()).object();
            BOOST_TEST(payload.value(QStringLiteral("sensor")).toString() == m.captured(1));
            BOOST_TEST(payload.value(QStringLiteral("t_ms")).toDouble() > 1.6e12);
            BOOST_TEST(payload.contains(QStringLiteral("temp")));
            BOOST_TEST(payload.contains(QStringLiteral("hum")));
            out[m.captured(1)].append(payload.value(QStringLiteral("seq")).toInt());
        }
        return out;
    }
    qsizetype count() {
        qsizetype n = 0;
        for (const QList<int> &s : sequences())
            n += s.size();
        return n;
    }

private:
    quint16 m_port;
    Child m_sub;
};

// A gateway with a TCP service port; its STATS? as numbers.
class Gateway {
public:
    explicit Gateway(const QStringList &args)
        : m_sim(simPath(), QStringList{QStringLiteral("gateway"), QStringLiteral("--tcp"),
                                       QStringLiteral("0"), QStringLiteral("--seed"), QStringLiteral("3")}
                               + args) {
        const QStringList ready = m_sim.firstLine(10000).split(u' ');
        BOOST_REQUIRE_MESSAGE(ready.size() >= 3 && ready[0] == u"READY", str(m_sim.stderrText()));
        m_socket.connectToHost(QHostAddress::LocalHost, ready[2].section(u':', -1).toUShort());
        BOOST_REQUIRE(m_socket.waitForConnected(5000));
    }
    QByteArray ask(const QByteArray &line) {
        m_socket.write(line + '\n');
        BOOST_REQUIRE(waitUntil([this] { return m_socket.canReadLine(); }, 5000));
        return m_socket.readLine().trimmed();
    }
    QMap<QString, qint64> stats() {
        const QByteArray answer = ask("STATS?");
        BOOST_REQUIRE_MESSAGE(answer.startsWith("STATS "), answer.constData());
        QMap<QString, qint64> out;
        for (const QByteArray &field : answer.mid(6).split(' ')) {
            const QList<QByteArray> kv = field.split('=');
            if (kv.size() == 2)
                out.insert(QString::fromLatin1(kv[0]), kv[1].toLongLong());
        }
        return out;
    }

private:
    Child m_sim;
    QTcpSocket m_socket;
};

// Checks `done` every 100 ms until it holds or timeoutMs passes. Unlike waitUntil, `done` may run an
// event loop of its own (asking the gateway): waitUntil's check would run again inside it.
bool pollUntil(const std::function<bool()> &done, int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        waitUntil([] { return false; }, 100);
    }
    return true;
}

// Every sensor's readings arrived once each, in order, from `first` on.
void checkExactlyOnceInOrder(const QMap<QString, QList<int>> &seqs, int first = 1) {
    for (auto it = seqs.cbegin(); it != seqs.cend(); ++it) {
        const QList<int> &s = it.value();
        BOOST_REQUIRE(!s.isEmpty());
        BOOST_TEST(s.first() == first, str(it.key()) << " starts at " << s.first());
        for (qsizetype i = 1; i < s.size(); ++i)
            BOOST_TEST(s[i] == s[i - 1] + 1, str(it.key()) << ": " << s[i - 1] << " then " << s[i]);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(broker_process)

BOOST_AUTO_TEST_CASE(starts_a_real_mosquitto_and_stops_it) {
    const quint16 port = freePort();
    qint64 pid = 0;
    {
        RunningBroker b(port);
        pid = b.broker.pid();
        BOOST_TEST(pid > 0);
        BOOST_TEST(b.broker.isRunning());
        const QByteArray config = hil::BrokerProcess::configText(brokerOn(port));
        BOOST_TEST(config.contains(QByteArray("listener " + QByteArray::number(port) + " 127.0.0.1\n")));
        BOOST_TEST(config.contains("allow_anonymous true\n"));
        BOOST_TEST(config.contains("persistence false\n"));
        // A real MQTT client gets through.
        BOOST_TEST(QProcess::execute(QStringLiteral("mosquitto_pub"),
                                     {QStringLiteral("-p"), QString::number(port), QStringLiteral("-t"),
                                      QStringLiteral("t"), QStringLiteral("-m"), QStringLiteral("m")})
                   == 0);
        b.broker.stop();
        BOOST_TEST(!b.broker.isRunning());
    }
    QTcpServer again;
    BOOST_TEST(again.listen(QHostAddress::LocalHost, port), "the port is free again");
}

BOOST_AUTO_TEST_CASE(a_taken_port_fails_with_a_clear_reason) {
    QTcpServer squatter;
    BOOST_REQUIRE(squatter.listen(QHostAddress::LocalHost, 0));
    hil::BrokerProcess broker(brokerOn(squatter.serverPort()));
    QString failure;
    bool ready = false;
    QObject::connect(&broker, &hil::BrokerProcess::failed, [&failure](const QString &r) { failure = r; });
    QObject::connect(&broker, &hil::BrokerProcess::ready, [&ready] { ready = true; });
    broker.start();
    BOOST_REQUIRE(waitUntil([&] { return ready || !failure.isEmpty(); }, 10000));
    BOOST_TEST(!ready);
    BOOST_TEST(
        failure.contains(
            QStringLiteral("broker 'broker' cannot listen on 127.0.0.1:%1").arg(squatter.serverPort())),
        str(failure));
    BOOST_TEST(!broker.isRunning());
}

BOOST_AUTO_TEST_CASE(a_missing_mosquitto_fails_with_a_clear_reason) {
    qputenv("HIL_MOSQUITTO", "/nonexistent/mosquitto");
    hil::BrokerProcess broker(brokerOn(freePort()));
    QString failure;
    QObject::connect(&broker, &hil::BrokerProcess::failed, [&failure](const QString &r) { failure = r; });
    broker.start();
    const bool done = waitUntil([&] { return !failure.isEmpty(); }, 10000);
    qunsetenv("HIL_MOSQUITTO");
    BOOST_REQUIRE(done);
    BOOST_TEST(failure.contains(QStringLiteral("cannot start /nonexistent/mosquitto")), str(failure));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(gateway)

BOOST_AUTO_TEST_CASE(publishes_every_reading_exactly_once_in_order) {
    const quint16 port = freePort();
    RunningBroker broker(port);
    Reader reader(port);
    Gateway gw({QStringLiteral("--broker"), QStringLiteral("127.0.0.1:%1").arg(port),
                QStringLiteral("--sensors"), QStringLiteral("2"), QStringLiteral("--period"),
                QStringLiteral("50ms")});
    BOOST_TEST(gw.ask("*IDN?") == QByteArray("ACME,GW-1,GW0001,1.0.0"));
    BOOST_TEST(gw.ask("SENSORS?") == QByteArray("SENSORS s1 s2"));
    BOOST_TEST(gw.ask("BUFFER?") == QByteArray("BUFFER 500"));
    BOOST_REQUIRE(waitUntil([&] { return reader.count() >= 60; }, 30000, 100));
    const auto seqs = reader.sequences();
    BOOST_TEST(seqs.keys() == (QStringList{QStringLiteral("s1"), QStringLiteral("s2")}));
    checkExactlyOnceInOrder(seqs);
    const auto s = gw.stats();
    BOOST_TEST(s.value(QStringLiteral("dropped")) == 0);
    BOOST_TEST(s.value(QStringLiteral("reconnects")) == 0);
    BOOST_TEST(s.value(QStringLiteral("published")) >= 60);
    BOOST_TEST(s.value(QStringLiteral("connected")) == 1);
}

BOOST_AUTO_TEST_CASE(an_outage_buffers_and_flushes_every_reading_exactly_once) {
    const quint16 brokerPort = freePort();
    const quint16 proxyPort = freePort();
    RunningBroker broker(brokerPort);
    Reader reader(brokerPort);
    // Nothing gets through for 2 s, then the connection is cut and refused for 2 s, then 30 % of the
    // chunks are lost for 2 s: the MQTT stream itself is broken, not just delayed.
    Child proxy(hilPath(), {QStringLiteral("proxy"), QStringLiteral("--listen"),
                            QStringLiteral("127.0.0.1:%1").arg(proxyPort), QStringLiteral("--upstream"),
                            QStringLiteral("127.0.0.1:%1").arg(brokerPort), QStringLiteral("--fault"),
                            QStringLiteral("blackout:at=1s,for=2s"), QStringLiteral("--fault"),
                            QStringLiteral("disconnect:at=3500ms,for=2s"), QStringLiteral("--fault"),
                            QStringLiteral("loss:at=6s,for=2s,p=0.3")});
    BOOST_REQUIRE(proxy.firstLine(10000).startsWith(QStringLiteral("READY proxy")));
    Gateway gw({QStringLiteral("--broker"), QStringLiteral("127.0.0.1:%1").arg(proxyPort),
                QStringLiteral("--sensors"), QStringLiteral("2"), QStringLiteral("--period"),
                QStringLiteral("50ms"), QStringLiteral("--ack-timeout"), QStringLiteral("500ms")});
    qint64 maxBuffered = 0;
    QElapsedTimer clock;
    clock.start();
    // Past the faults (8 s from the proxy's start), then until everything taken is acknowledged.
    while (clock.elapsed() < 9000) {
        maxBuffered = std::max(maxBuffered, gw.stats().value(QStringLiteral("buffered")));
        waitUntil([] { return false; }, 100);
    }
    QMap<QString, qint64> s;
    BOOST_REQUIRE(pollUntil(
        [&] {
            s = gw.stats();
            return s.value(QStringLiteral("connected")) == 1 && s.value(QStringLiteral("buffered")) <= 2;
        },
        20000));
    BOOST_TEST(maxBuffered > 10, "readings waited for the broker: " << maxBuffered);
    BOOST_TEST(s.value(QStringLiteral("reconnects")) >= 1);
    BOOST_TEST(s.value(QStringLiteral("dropped")) == 0);
    const qint64 published = s.value(QStringLiteral("published"));
    BOOST_REQUIRE(waitUntil([&] { return reader.count() >= published; }, 10000, 100));
    const auto seqs = reader.sequences();
    checkExactlyOnceInOrder(seqs);
    BOOST_TEST(reader.count() >= published);
    BOOST_TEST(reader.count() <= s.value(QStringLiteral("readings")));
}

BOOST_AUTO_TEST_CASE(a_buffer_too_small_drops_the_oldest_and_counts_them) {
    const quint16 brokerPort = freePort();
    const quint16 proxyPort = freePort();
    RunningBroker broker(brokerPort);
    Reader reader(brokerPort);
    // The broker is unreachable for the first 3 s.
    Child proxy(hilPath(), {QStringLiteral("proxy"), QStringLiteral("--listen"),
                            QStringLiteral("127.0.0.1:%1").arg(proxyPort), QStringLiteral("--upstream"),
                            QStringLiteral("127.0.0.1:%1").arg(brokerPort), QStringLiteral("--fault"),
                            QStringLiteral("disconnect:at=0s,for=3s")});
    BOOST_REQUIRE(proxy.firstLine(10000).startsWith(QStringLiteral("READY proxy")));
    Gateway gw({QStringLiteral("--broker"), QStringLiteral("127.0.0.1:%1").arg(proxyPort),
                QStringLiteral("--sensors"), QStringLiteral("2"), QStringLiteral("--period"),
                QStringLiteral("50ms"), QStringLiteral("--buffer"), QStringLiteral("5")});
    BOOST_REQUIRE(pollUntil([&] { return gw.stats().value(QStringLiteral("readings")) >= 20; }, 10000));
    QMap<QString, qint64> s = gw.stats();
    if (s.value(QStringLiteral("connected")) == 0) {
        // Still cut off: exactly the buffer is kept, everything older is dropped.
        BOOST_TEST(s.value(QStringLiteral("buffered")) == 5);
        BOOST_TEST(s.value(QStringLiteral("dropped")) == s.value(QStringLiteral("readings")) - 5);
    }
    BOOST_REQUIRE(pollUntil(
        [&] {
            s = gw.stats();
            return s.value(QStringLiteral("connected")) == 1 && s.value(QStringLiteral("published")) >= 40;
        },
        20000));
    const qint64 dropped = s.value(QStringLiteral("dropped"));
    BOOST_TEST(dropped >= 10);
    // What arrived is each sensor's newest readings from some point on, without a gap; what is missing is
    // the oldest, and exactly as many as the gateway says it dropped.
    BOOST_REQUIRE(
        waitUntil([&] { return reader.count() >= s.value(QStringLiteral("published")); }, 10000, 100));
    const auto seqs = reader.sequences();
    qint64 missing = 0;
    for (auto it = seqs.cbegin(); it != seqs.cend(); ++it) {
        const QList<int> &q = it.value();
        BOOST_REQUIRE(!q.isEmpty());
        missing += q.first() - 1;
        for (qsizetype i = 1; i < q.size(); ++i)
            BOOST_TEST(q[i] == q[i - 1] + 1, str(it.key()) << ": " << q[i - 1] << " then " << q[i]);
    }
    BOOST_TEST(missing == dropped);
    // The service port changes the capacity; a smaller one drops at once.
    BOOST_TEST(gw.ask("BUFFER 0").startsWith("ERR"));
    BOOST_TEST(gw.ask("BUFFER 1") == QByteArray("OK"));
    BOOST_TEST(gw.ask("BUFFER?") == QByteArray("BUFFER 1"));
}

BOOST_AUTO_TEST_CASE(bad_options_are_refused_before_anything_starts) {
    const QList<QPair<QStringList, QString>> cases = {
        {{}, QStringLiteral("gateway needs --broker HOST:PORT")},
        {{QStringLiteral("--broker"), QStringLiteral("nohost")},
         QStringLiteral("--broker: expected HOST:PORT")},
        {{QStringLiteral("--broker"), QStringLiteral("127.0.0.1:1"), QStringLiteral("--buffer"),
          QStringLiteral("0")},
         QStringLiteral("--buffer: expected 1..1000000")},
        {{QStringLiteral("--broker"), QStringLiteral("127.0.0.1:1"), QStringLiteral("--keepalive"),
          QStringLiteral("2")},
         QStringLiteral("--keepalive: expected 5..600")},
        {{QStringLiteral("--broker"), QStringLiteral("127.0.0.1:1"), QStringLiteral("--id"),
          QStringLiteral("a/b")},
         QStringLiteral("--id: letters")},
    };
    for (const auto &[args, message] : cases) {
        Child sim(simPath(),
                  QStringList{QStringLiteral("gateway"), QStringLiteral("--tcp"), QStringLiteral("0")}
                      + args);
        BOOST_REQUIRE(sim.waitFinished(10000));
        BOOST_TEST(sim.process().exitCode() == 2);
        BOOST_TEST(sim.stderrText().contains(message), str(sim.stderrText()));
    }
    Child other(simPath(), {QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                            QStringLiteral("--buffer"), QStringLiteral("5")});
    BOOST_REQUIRE(other.waitFinished(10000));
    BOOST_TEST(other.stderrText().contains(QStringLiteral("--buffer only applies to gateway")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bench)

namespace {

QString benchFixture(quint16 brokerPort, quint16 proxyPort) {
    return QStringLiteral("brokers:\n"
                          "  broker: {listen: 127.0.0.1:%1}\n"
                          "proxies:\n"
                          "  uplink: {listen: 127.0.0.1:%2, upstream: 127.0.0.1:%1}\n"
                          "devices:\n"
                          "  gateway:\n"
                          "    sim:\n"
                          "      model: gateway\n"
                          "      transport: tcp\n"
                          "      options: {broker: \"127.0.0.1:%2\", sensors: 2, period: 100ms}\n"
                          "    timeout: 500ms\n")
        .arg(brokerPort)
        .arg(proxyPort);
}

const char *kStatsScenario =
    "name: gateway-stats\n"
    "steps:\n"
    "  - wait: 1500ms\n"
    "  - name: readings reach the broker\n"
    "    send: \"STATS?\"\n"
    "    expect: {match: '^STATS buffered=(?<buffered>\\d+) dropped=(?<dropped>\\d+) "
    "published=(?<published>\\d+) ', within: 1s}\n"
    "    measure:\n"
    "      published: {limits: [1, 1000000]}\n"
    "      dropped: {limits: [0, 0]}\n";

HilResult runBench(const Workspace &ws) {
    return runHil({QStringLiteral("run"), ws.path("scenario.yaml"), QStringLiteral("--fixture"),
                   ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
                  ws.dir.path(), QProcessEnvironment::systemEnvironment(), 90000);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_run_starts_the_broker_before_the_gateway_and_stops_it_after) {
    Workspace ws;
    const quint16 brokerPort = freePort();
    ws.write("fixture.yaml", benchFixture(brokerPort, freePort()));
    ws.write("scenario.yaml", QString::fromUtf8(kStatsScenario));
    const HilResult r = runBench(ws);
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("PASS"));
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'broker-start' AND device = 'broker'")
               == 1);
    // The broker was up before the proxy and the gateway.
    BOOST_TEST(
        db.value("SELECT min(t_ns) FROM events WHERE kind = 'broker-start'").toLongLong()
        <= db.value("SELECT min(t_ns) FROM events WHERE kind IN ('proxy-start', 'sim-start')").toLongLong());
    BOOST_TEST(
        db.value("SELECT CAST(value AS INTEGER) FROM measurements WHERE name = 'published'").toLongLong()
        > 0);
    // Stopped at the end: its port is free again.
    QTcpServer again;
    BOOST_TEST(again.listen(QHostAddress::LocalHost, brokerPort));
}

// The shipped cloud path (scenarios/cloud-path.yaml on fixtures/sim-cloud.yaml, on free ports): blackout,
// loss and latency on the gateway's uplink; every reading reaches the cloud exactly once and in order, the
// gateway drops nothing while its buffer is large enough and counts what it drops when it is not.
BOOST_AUTO_TEST_CASE(the_shipped_cloud_path_passes_with_every_reading_exactly_once) {
    Workspace ws;
    QFile shipped(QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-cloud.yaml"));
    BOOST_REQUIRE(shipped.open(QIODevice::ReadOnly));
    QString fixture = QString::fromUtf8(shipped.readAll());
    fixture.replace(QStringLiteral("18830"), QString::number(freePort()));
    fixture.replace(QStringLiteral("18831"), QString::number(freePort()));
    fixture.replace(QStringLiteral("client_id: hil-cloud"), QStringLiteral("client_id: hil-cloud-test"));
    ws.write("fixture.yaml", fixture);
    const HilResult r =
        runHil({QStringLiteral("run"), QStringLiteral(HIL_SOURCE_DIR "/scenarios/cloud-path.yaml"),
                QStringLiteral("--fixture"), ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db(),
                QStringLiteral("--quiet")},
               ws.dir.path(), QProcessEnvironment::systemEnvironment(), 150000);
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("PASS"));
    const auto measured = [&](const char *name, const char *step) {
        return db
            .value("SELECT m.value FROM measurements m JOIN step_results s ON s.id = m.step_result_id "
                   "WHERE m.name = ? AND s.step LIKE ?",
                   QVariantList{QString::fromLatin1(name),
                                QString(QString::fromLatin1(step) + QLatin1Char('%'))})
            .toDouble();
    };
    BOOST_TEST(measured("lost", "every reading") == 0.0);
    BOOST_TEST(measured("duplicates", "every reading") == 0.0);
    BOOST_TEST(measured("reordered", "every reading") == 0.0);
    BOOST_TEST(measured("dropped", "the gateway dropped nothing") == 0.0);
    BOOST_TEST(measured("reconnects", "the gateway dropped nothing") >= 1.0);
    BOOST_TEST(measured("dropped", "the drops are counted") >= 10.0);
    // Readings in the stream: one row each, plus the summary.
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE step LIKE 'every reading%'") > 100);
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'fault-start' AND device = 'uplink'") == 4);
}

BOOST_AUTO_TEST_CASE(a_broker_that_cannot_start_is_a_bench_error) {
    Workspace ws;
    QTcpServer squatter;
    BOOST_REQUIRE(squatter.listen(QHostAddress::LocalHost, 0));
    ws.write("fixture.yaml", benchFixture(squatter.serverPort(), freePort()));
    ws.write("scenario.yaml", QString::fromUtf8(kStatsScenario));
    const HilResult r = runBench(ws);
    BOOST_TEST(r.exitCode == 3, str(r.out + r.err));
    BOOST_TEST(
        QString(r.out + r.err)
            .contains(
                QStringLiteral("broker 'broker' cannot listen on 127.0.0.1:%1").arg(squatter.serverPort())),
        str(r.out + r.err));
}

BOOST_AUTO_TEST_CASE(a_broker_that_dies_during_the_run_ends_it_as_error) {
    Workspace ws;
    ws.write("fixture.yaml", benchFixture(freePort(), freePort()));
    ws.write("scenario.yaml", QStringLiteral("name: long\nsteps:\n  - wait: 6s\n  - send: \"STATS?\"\n"
                                             "    expect: '^STATS '\n"));
    Child hil(hilPath(),
              {QStringLiteral("run"), ws.path("scenario.yaml"), QStringLiteral("--fixture"),
               ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
              ws.dir.path());
    // The broker is the run's mosquitto child.
    qint64 brokerPid = 0;
    const auto findBroker = [&] {
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            const QByteArray text = stat.readAll();
            const qsizetype close = text.lastIndexOf(')');
            const QList<QByteArray> fields = text.mid(close + 2).split(' ');
            if (text.contains("(mosquitto)") && fields.size() > 1 && fields[1].toLongLong() == hil.pid())
                brokerPid = entry.toLongLong();
        }
        return brokerPid != 0;
    };
    BOOST_REQUIRE(pollUntil(findBroker, 20000));
    BOOST_REQUIRE(pollUntil(
        [&] { return countNow(ws.db(), "SELECT count(*) FROM events WHERE kind = 'sim-start'") > 0; },
        20000));
    BOOST_REQUIRE(::kill(static_cast<pid_t>(brokerPid), SIGKILL) == 0);
    BOOST_REQUIRE(hil.waitFinished(60000));
    BOOST_TEST(hil.process().exitCode() == 3, str(hil.stdoutText() + hil.stderrText()));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("ERROR"));
    BOOST_TEST(
        db.count("SELECT count(*) FROM events WHERE kind = 'error' AND device = 'broker' AND detail LIKE "
                 "'%broker ''broker'' (mosquitto on 127.0.0.1:%) was killed%'")
        == 1);
}

BOOST_AUTO_TEST_CASE(bad_brokers_are_errors_at_their_line_and_column) {
    const struct {
        const char *yaml;
        const char *message;
    } cases[] = {
        {"devices:\n  d: {tcp: {host: h, port: 1}}\nbrokers:\n  b: {listen: 127.0.0.1}\n",
         "t.yaml:4:15: listen must be host:port"},
        {"devices:\n  d: {tcp: {host: h, port: 1}}\nbrokers:\n  b: {listen: 127.0.0.1:0}\n",
         "t.yaml:4:15: a broker's listen needs a port"},
        {"devices:\n  d: {tcp: {host: h, port: 1}}\nbrokers:\n  b: {}\n",
         "t.yaml:4:6: broker 'b' needs listen"},
        {"devices:\n  d: {tcp: {host: h, port: 1}}\nbrokers:\n  d: {listen: 127.0.0.1:5}\n",
         "t.yaml:4:3: broker 'd' has the name of a device or proxy"},
        {"devices:\n  d: {tcp: {host: h, port: 1}}\nbrokers:\n  b: {listen: 127.0.0.1:5, port: 3}\n",
         "t.yaml:4:"},
    };
    for (const auto &c : cases) {
        hil::SourceErrors errors;
        const auto fixture = hil::loadFixtureText(QByteArray(c.yaml), QStringLiteral("t.yaml"), &errors);
        BOOST_TEST(!fixture);
        QString all;
        for (const auto &e : errors)
            all += e.toString() + u'\n';
        BOOST_TEST(all.contains(QString::fromUtf8(c.message)), str(all));
    }
    const auto ok = hil::loadFixtureText(
        "devices:\n  d: {tcp: {host: h, port: 1}}\nbrokers:\n  b: {listen: 0.0.0.0:1884}\n",
        QStringLiteral("t.yaml"), nullptr);
    BOOST_REQUIRE(ok);
    BOOST_REQUIRE(ok->brokers.size() == 1);
    BOOST_TEST(ok->brokers.first().name == QStringLiteral("b"));
    BOOST_TEST(ok->brokers.first().listenHost == QStringLiteral("0.0.0.0"));
    BOOST_TEST(ok->brokers.first().listenPort == 1884);
}

BOOST_AUTO_TEST_SUITE_END()
