// Datagrams: `hil proxy --udp` as a process between real UDP sockets on 127.0.0.1, and `hil run` over a
// `udp:` device (hil-sim --udp), with faults per datagram (docs/faults.md, "Datagrams (UDP)").

#define BOOST_TEST_MODULE udp
#include "core/link/datagramfaults.h"
#include "core/transport/udptransport.h"
#include "support/eventloop.h"
#include "support/faulthelpers.h"
#include "support/harness.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkDatagram>
#include <QRegularExpression>
#include <QSet>
#include <QTimer>
#include <QUdpSocket>
#include <QVariant>
#include <boost/test/unit_test.hpp>
#include <cmath>

using namespace hiltest;
using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

// A UDP server on 127.0.0.1: keeps every datagram it gets, and echoes it back when asked to.
class Peer {
public:
    explicit Peer(bool echo)
        : m_echo(echo) {
        BOOST_REQUIRE(m_socket.bind(QHostAddress::LocalHost, 0));
        m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(4 * 1024 * 1024));
        QObject::connect(&m_socket, &QUdpSocket::readyRead, [this] {
            while (m_socket.hasPendingDatagrams()) {
                const QNetworkDatagram d = m_socket.receiveDatagram();
                received.append(d.data());
                senderPorts.append(static_cast<quint16>(d.senderPort()));
                if (m_echo)
                    m_socket.writeDatagram(d.data(), d.senderAddress(), static_cast<quint16>(d.senderPort()));
            }
        });
    }
    quint16 port() const { return m_socket.localPort(); }

    QList<QByteArray> received;
    QList<quint16> senderPorts; // the source port of each datagram received

private:
    bool m_echo;
    QUdpSocket m_socket;
};

// A client socket that keeps what comes back.
class Client {
public:
    Client() {
        BOOST_REQUIRE(m_socket.bind(QHostAddress::LocalHost, 0));
        m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(4 * 1024 * 1024));
        QObject::connect(&m_socket, &QUdpSocket::readyRead, [this] {
            while (m_socket.hasPendingDatagrams()) {
                received.append(m_socket.receiveDatagram().data());
                arrivals.append(m_clock.nsecsElapsed());
            }
        });
        m_clock.start();
    }
    void send(quint16 port, const QByteArray &d) { m_socket.writeDatagram(d, QHostAddress::LocalHost, port); }
    qint64 now() const { return m_clock.nsecsElapsed(); }

    QList<QByteArray> received;
    QList<qint64> arrivals;

private:
    QUdpSocket m_socket;
    QElapsedTimer m_clock;
};

// `hil proxy --udp` to the upstream port with the given faults; the port it listens on, or 0.
class Proxy {
public:
    Proxy(quint16 upstream, const QStringList &faults, const QString &seed = QStringLiteral("7"),
          const QStringList &options = {}) {
        QStringList args =
            QStringList{QStringLiteral("proxy"),      QStringLiteral("--udp"),
                        QStringLiteral("--upstream"), QStringLiteral("127.0.0.1:%1").arg(upstream),
                        QStringLiteral("--seed"),     seed}
            + options;
        for (const QString &f : faults)
            args << QStringLiteral("--fault") << f;
        child = std::make_unique<Child>(hilPath(), args);
        const QString ready = child->firstLine(10000);
        static const QRegularExpression re(QStringLiteral("^READY proxy udp 127\\.0\\.0\\.1:(\\d+)$"));
        const auto m = re.match(ready);
        BOOST_REQUIRE_MESSAGE(m.hasMatch(),
                              "proxy said '" << str(ready) << "'; " << str(child->stderrText()));
        port = m.captured(1).toUShort();
    }
    // Stops the proxy and returns its log (with the totals line).
    QString stop() {
        child->process().terminate();
        BOOST_REQUIRE(child->waitFinished(10000));
        BOOST_TEST(child->process().exitCode() == 0);
        return child->stderrText();
    }

    std::unique_ptr<Child> child;
    quint16 port = 0;
};

QByteArray numbered(int i, int size = 32) {
    QByteArray d = QByteArray::number(i).rightJustified(8, '0');
    d += QByteArray(size - d.size(), 'x');
    return d;
}

// Waits until `count()` has not grown for 4 ticks of 5 ms: what is on its way has arrived.
void settle(const std::function<qsizetype()> &count) {
    QEventLoop loop;
    QTimer tick;
    qsizetype last = -1;
    int quiet = 0;
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        const qsizetype now = count();
        quiet = now == last ? quiet + 1 : 0;
        last = now;
        if (quiet >= 4)
            loop.quit();
    });
    tick.start(5);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
}

// Sends `n` numbered datagrams through the proxy to the sink, in batches small enough for the socket
// buffers; returns the numbers that arrived.
QList<int> pushThrough(quint16 proxyPort, Peer &sink, int n) {
    Client client;
    for (int i = 0; i < n; i += 20) {
        for (int j = i; j < std::min(n, i + 20); ++j)
            client.send(proxyPort, numbered(j));
        settle([&] { return sink.received.size(); });
    }
    QList<int> got;
    for (const QByteArray &d : std::as_const(sink.received))
        got.append(d.left(8).toInt());
    return got;
}

// "to-device 2000 datagrams in, 1800 out, 200 dropped" from the proxy's totals line.
std::array<qint64, 3> totals(const QString &log) {
    static const QRegularExpression re(
        QStringLiteral("totals: to-device (\\d+) datagrams in, (\\d+) out, (\\d+) dropped"));
    const auto m = re.match(log);
    BOOST_REQUIRE_MESSAGE(m.hasMatch(), str(log));
    return {m.captured(1).toLongLong(), m.captured(2).toLongLong(), m.captured(3).toLongLong()};
}

quint16 startSim(Child &sim) {
    const QStringList ready = sim.firstLine(10000).split(u' ');
    BOOST_REQUIRE_MESSAGE(ready.size() >= 3 && ready[1] == u"udp", str(ready.join(u' ')));
    return ready[2].mid(ready[2].lastIndexOf(u':') + 1).toUShort();
}

HilResult runScenario(const Workspace &ws, const QString &fixture) {
    return runHil({QStringLiteral("run"), ws.path("scenario.yaml"), QStringLiteral("--fixture"), fixture,
                   QStringLiteral("--db"), ws.db(), QStringLiteral("--seed"), QStringLiteral("3"),
                   QStringLiteral("--quiet")},
                  ws.dir.path(), QProcessEnvironment::systemEnvironment(), 90000);
}

} // namespace

BOOST_AUTO_TEST_SUITE(datagram_faults)

BOOST_AUTO_TEST_CASE(every_datagram_is_accounted_for_and_a_seed_replays_the_same_faults) {
    const auto runOnce = [](quint64 seed) {
        hil::DatagramFaults faults(seed);
        QList<QByteArray> out;
        QObject::connect(&faults, &hil::DatagramFaults::output, [&](const QByteArray &d) { out.append(d); });
        faults.activate(1, faulttest::spec("loss:burst=0.05/0.3"));
        faults.activate(2, faulttest::spec("duplicate:p=0.1"));
        faults.activate(3, faulttest::spec("corrupt:p=0.001"));
        for (int i = 0; i < 3000; ++i)
            faults.push(numbered(i));
        const hil::DatagramCounters c = faults.counters();
        BOOST_TEST(c.in == 3000);
        BOOST_TEST(c.in + c.duplicated == c.out + c.dropped + faults.held());
        BOOST_TEST(faults.held() == 0); // nothing delays: everything left from inside push()
        BOOST_TEST(c.out == out.size());
        BOOST_TEST(c.dropped > 0);
        BOOST_TEST(c.duplicated > 0);
        BOOST_TEST(c.bitsFlipped > 0);
        for (const QByteArray &d : std::as_const(out))
            BOOST_TEST(d.size() == 32); // whole datagrams, never cut or merged
        return out;
    };
    BOOST_TEST((runOnce(11) == runOnce(11)));
    BOOST_TEST((runOnce(11) != runOnce(12)));
}

BOOST_AUTO_TEST_CASE(a_udp_transport_gives_one_line_per_datagram) {
    QUdpSocket device;
    BOOST_REQUIRE(device.bind(QHostAddress::LocalHost, 0));
    hil::UdpTransport transport(QStringLiteral("127.0.0.1"), device.localPort(), QByteArrayLiteral("\n"));
    QList<QByteArray> got;
    bool opened = false;
    QObject::connect(&transport, &hil::Transport::opened, [&] { opened = true; });
    QObject::connect(&transport, &hil::Transport::bytesReceived, [&](const QByteArray &b) { got.append(b); });
    transport.open();
    BOOST_REQUIRE(waitUntil([&] { return opened; }, 5000));
    transport.write(QByteArrayLiteral("READ? TEMP\n"));
    BOOST_REQUIRE(waitUntil([&] { return device.hasPendingDatagrams(); }, 5000));
    const QNetworkDatagram request = device.receiveDatagram();
    BOOST_TEST((request.data() == QByteArrayLiteral("READ? TEMP\n")));
    const auto reply = [&](const QByteArray &d) {
        device.writeDatagram(d, request.senderAddress(), static_cast<quint16>(request.senderPort()));
    };
    reply("TEMP 1\n");
    reply("TEMP 2");     // no terminator: one is appended, so it is not glued to the next
    reply(QByteArray()); // empty: ignored
    reply("A\nB\n");     // two lines in one datagram: both reach the framer
    reply("END\n");
    BOOST_REQUIRE(waitUntil([&] { return !got.isEmpty() && got.last() == "END\n"; }, 5000));
    BOOST_TEST((got == QList<QByteArray>{"TEMP 1\n", "TEMP 2\n", "A\nB\n", "END\n"}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(udp_proxy)

BOOST_AUTO_TEST_CASE(without_faults_every_datagram_arrives_unchanged_and_replies_find_their_client) {
    Peer echo(true);
    Proxy proxy(echo.port(), {});
    Client a, b;
    for (int i = 0; i < 200; ++i) {
        a.send(proxy.port, QByteArray("a") + numbered(i));
        b.send(proxy.port, QByteArray("b") + numbered(i, 100));
        if (i % 20 == 19)
            settle([&] { return a.received.size() + b.received.size(); });
    }
    settle([&] { return a.received.size() + b.received.size(); });
    BOOST_REQUIRE(a.received.size() == 200);
    BOOST_REQUIRE(b.received.size() == 200);
    for (int i = 0; i < 200; ++i) {
        BOOST_TEST((a.received[i] == QByteArray("a") + numbered(i)), "datagram " << i);
        BOOST_TEST((b.received[i] == QByteArray("b") + numbered(i, 100)), "datagram " << i);
    }
    BOOST_TEST(proxy.stop().contains(QStringLiteral("flow 2 from 127.0.0.1:")));
}

BOOST_AUTO_TEST_CASE(loss_drops_whole_datagrams_within_the_binomial_interval_and_repeats_with_the_seed) {
    constexpr int n = 2000;
    constexpr double p = 0.1;
    QList<int> first;
    for (int round = 0; round < 2; ++round) {
        Peer sink(false);
        Proxy proxy(sink.port(), {QStringLiteral("loss:p=0.1,dir=to-device")});
        const QList<int> got = pushThrough(proxy.port, sink, n);
        const auto t = totals(proxy.stop());
        // Nothing lost by the kernel on either side: the proxy saw every datagram, the sink all it sent.
        BOOST_REQUIRE(t[0] == n);
        BOOST_REQUIRE(t[1] == got.size());
        BOOST_TEST(t[2] == n - got.size());
        // Whole datagrams: every one that arrived is one that was sent, byte for byte, once, in order.
        for (qsizetype i = 0; i < got.size(); ++i) {
            BOOST_TEST((sink.received[i] == numbered(got[i])), "datagram " << got[i]);
            if (i > 0)
                BOOST_TEST(got[i] > got[i - 1]);
        }
        // 99.9 % two-sided binomial interval (normal approximation: n·p·(1-p) = 180).
        const double mean = n * p, sd = std::sqrt(n * p * (1 - p));
        const qint64 lost = n - got.size();
        BOOST_TEST_MESSAGE("loss p=0.1: " << lost << " of " << n << " lost, interval [" << mean - 3.29 * sd
                                          << ", " << mean + 3.29 * sd << "]");
        BOOST_TEST(std::abs(static_cast<double>(lost) - mean) <= 3.29 * sd);
        if (round == 0)
            first = got;
        else
            BOOST_TEST((got == first), "the same seed loses the same datagrams");
    }
}

BOOST_AUTO_TEST_CASE(duplicate_sends_some_datagrams_twice) {
    Peer sink(false);
    Proxy proxy(sink.port(), {QStringLiteral("duplicate:p=0.2")});
    const QList<int> got = pushThrough(proxy.port, sink, 500);
    QMap<int, int> times;
    for (const int i : got)
        ++times[i];
    BOOST_TEST(times.size() == 500); // none lost
    const auto twice = std::count_if(times.cbegin(), times.cend(), [](int c) { return c == 2; });
    BOOST_TEST(std::count_if(times.cbegin(), times.cend(), [](int c) { return c > 2; }) == 0);
    BOOST_TEST_MESSAGE("duplicate p=0.2: " << twice << " of 500 twice");
    BOOST_TEST(twice > 60); // expected 100, sd 9
    BOOST_TEST(twice < 140);
    BOOST_TEST(got.size() == 500 + twice);
    BOOST_TEST(proxy.stop().contains(QStringLiteral("%1 duplicated").arg(twice)));
}

BOOST_AUTO_TEST_CASE(reorder_holds_some_datagrams_back_behind_later_ones) {
    Peer sink(false);
    Proxy proxy(sink.port(), {QStringLiteral("reorder:p=0.1,delay=30ms")});
    Client client;
    for (int i = 0; i < 200; ++i) {
        client.send(proxy.port, numbered(i));
        waitUntil([] { return false; }, 2, 1); // a datagram every ~2 ms: a held one is overtaken
    }
    waitUntil([&] { return sink.received.size() >= 200; }, 10000);
    BOOST_REQUIRE(sink.received.size() == 200);
    int late = 0;
    QSet<int> seen;
    for (const QByteArray &d : std::as_const(sink.received)) {
        const int i = d.left(8).toInt();
        seen.insert(i);
        // Overtaken: a datagram sent after it arrived before it.
        if (std::any_of(seen.cbegin(), seen.cend(), [i](int s) { return s > i; }))
            ++late;
    }
    BOOST_TEST(seen.size() == 200);
    BOOST_TEST_MESSAGE("reorder p=0.1: " << late << " of 200 arrived after a later one");
    BOOST_TEST(late > 0);
    proxy.stop();
}

BOOST_AUTO_TEST_CASE(latency_delays_each_datagram_and_jitter_may_reorder) {
    Peer echo(true);
    Proxy proxy(echo.port(), {QStringLiteral("latency:delay=50ms,dir=to-device")});
    Client client;
    QList<qint64> sent;
    for (int i = 0; i < 20; ++i) {
        sent.append(client.now());
        client.send(proxy.port, numbered(i));
        waitUntil([] { return false; }, 5, 1);
    }
    waitUntil([&] { return client.received.size() >= 20; }, 10000);
    BOOST_REQUIRE(client.received.size() == 20);
    for (int i = 0; i < 20; ++i) {
        const int k = client.received[i].left(8).toInt();
        BOOST_TEST(client.arrivals[i] - sent[k] >= 50'000'000LL, "datagram " << k);
    }
    proxy.stop();

    // Jitter as large as the delay, datagrams 1 ms apart: some overtake others, none is lost.
    Peer sink(false);
    Proxy jittery(sink.port(), {QStringLiteral("latency:delay=20ms,jitter=20ms")});
    const QList<int> got = pushThrough(jittery.port, sink, 200);
    BOOST_TEST(got.size() == 200);
    BOOST_TEST(!std::is_sorted(got.cbegin(), got.cend()));
    jittery.stop();
}

// A flow is a NAT entry: within the idle timeout a client's datagrams leave from the same upstream socket
// (the server sees one source port); once the flow has been idle past it, the proxy ends it and the next
// datagram opens a new flow from a new socket.
BOOST_AUTO_TEST_CASE(a_flow_idle_past_its_timeout_gets_a_new_upstream_socket) {
    Peer server(false);
    Proxy proxy(server.port(), {}, QStringLiteral("7"),
                {QStringLiteral("--idle-timeout"), QStringLiteral("1s")});
    Client client;
    client.send(proxy.port, numbered(0));
    BOOST_REQUIRE(waitUntil([&] { return server.received.size() == 1; }, 5000));
    client.send(proxy.port, numbered(1));
    BOOST_REQUIRE(waitUntil([&] { return server.received.size() == 2; }, 5000));
    BOOST_TEST(server.senderPorts[1] == server.senderPorts[0]); // the same flow, well within 1 s
    BOOST_TEST(!proxy.child->stderrText().contains(QStringLiteral("ended")));

    // Nothing either way: the sweep ends the flow after 1 s.
    BOOST_REQUIRE(waitUntil(
        [&] { return proxy.child->stderrText().contains(QStringLiteral("flow 1 ended: idle for 1s")); },
        10000));
    client.send(proxy.port, numbered(2));
    BOOST_REQUIRE(waitUntil([&] { return server.received.size() == 3; }, 5000));
    BOOST_TEST(server.senderPorts[2] != server.senderPorts[0]);
    const QString log = proxy.stop();
    BOOST_TEST(log.contains(QStringLiteral("flows end after 1s idle")), str(log));
    BOOST_TEST(log.contains(QStringLiteral("flow 2 from 127.0.0.1:")), str(log));
}

BOOST_AUTO_TEST_CASE(the_idle_timeout_is_checked) {
    const auto proxy = [](const QStringList &extra) {
        return runHil(
            QStringList{QStringLiteral("proxy"), QStringLiteral("--upstream"), QStringLiteral("127.0.0.1:9")}
                + extra,
            QString());
    };
    HilResult r = proxy({QStringLiteral("--idle-timeout"), QStringLiteral("5s")});
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("--idle-timeout is for the flows of --udp")), str(r.err));
    r = proxy({QStringLiteral("--udp"), QStringLiteral("--idle-timeout"), QStringLiteral("5")});
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("--idle-timeout:")), str(r.err));
    r = proxy({QStringLiteral("--udp"), QStringLiteral("--idle-timeout"), QStringLiteral("1ms")});
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("--idle-timeout must be at least 10ms")), str(r.err));
}

BOOST_AUTO_TEST_CASE(stream_kinds_are_refused_with_udp_and_datagram_kinds_without) {
    const HilResult slice =
        runHil({QStringLiteral("proxy"), QStringLiteral("--udp"), QStringLiteral("--upstream"),
                QStringLiteral("127.0.0.1:9"), QStringLiteral("--fault"), QStringLiteral("slice:bytes=1")},
               QString());
    BOOST_TEST(slice.exitCode == 2);
    BOOST_TEST(slice.err.contains(QStringLiteral("slice acts on a byte stream")), str(slice.err));
    const HilResult dup =
        runHil({QStringLiteral("proxy"), QStringLiteral("--upstream"), QStringLiteral("127.0.0.1:9"),
                QStringLiteral("--fault"), QStringLiteral("duplicate:p=0.1")},
               QString());
    BOOST_TEST(dup.exitCode == 2);
    BOOST_TEST(dup.err.contains(QStringLiteral("add --udp")), str(dup.err));
    const HilResult reorder =
        runHil({QStringLiteral("proxy"), QStringLiteral("--udp"), QStringLiteral("--upstream"),
                QStringLiteral("127.0.0.1:9"), QStringLiteral("--fault"), QStringLiteral("reorder:p=0.1")},
               QString());
    BOOST_TEST(reorder.exitCode == 2);
    BOOST_TEST(reorder.err.contains(QStringLiteral("needs delay")), str(reorder.err));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(udp_device)

namespace {

QString fixtureFor(const Workspace &ws, quint16 port) {
    ws.write("fixture.yaml", QStringLiteral("devices:\n"
                                            "  sensor:\n"
                                            "    udp: {host: 127.0.0.1, port: %1}\n"
                                            "    timeout: 300ms\n")
                                 .arg(port));
    return ws.path("fixture.yaml");
}

} // namespace

BOOST_AUTO_TEST_CASE(a_run_over_a_udp_device_passes) {
    Workspace ws;
    Child sim(simPath(), {QStringLiteral("envsensor"), QStringLiteral("--udp"), QStringLiteral("0")});
    const quint16 port = startSim(sim);
    ws.write("scenario.yaml", QStringLiteral("name: udp\n"
                                             "devices: [sensor]\n"
                                             "steps:\n"
                                             "  - send: \"READ? TEMP\"\n"
                                             "    expect: {match: '^TEMP (?<t>-?[0-9.]+)$', within: 300ms}\n"
                                             "repeat: {count: 40, every: 20ms}\n"));
    const HilResult r = runScenario(ws, fixtureFor(ws, port));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("PASS"));
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'") == 40);
}

BOOST_AUTO_TEST_CASE(loss_on_a_udp_device_records_its_failures_as_such) {
    Workspace ws;
    Child sim(simPath(), {QStringLiteral("envsensor"), QStringLiteral("--udp"), QStringLiteral("0")});
    const quint16 port = startSim(sim);
    ws.write("scenario.yaml",
             QStringLiteral("name: udp-loss\n"
                            "devices: [sensor]\n"
                            "steps:\n"
                            "  - send: \"READ? TEMP\"\n"
                            "    expect: {match: '^TEMP (?<t>-?[0-9.]+)$', within: 300ms}\n"
                            "repeat: {count: 40, every: 20ms}\n"
                            "faults:\n"
                            "  - {on: sensor, link: {loss: {p: 0.3}, direction: to-device}}\n"));
    const HilResult r = runScenario(ws, fixtureFor(ws, port));
    BOOST_TEST(r.exitCode == 1, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("FAIL"));
    const qint64 failed = db.count("SELECT count(*) FROM step_results WHERE verdict = 'FAIL'");
    const qint64 passed = db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'");
    BOOST_TEST_MESSAGE("loss p=0.3 on a udp device: " << failed << " FAIL, " << passed << " PASS");
    BOOST_TEST(failed > 0);
    BOOST_TEST(passed > 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'ERROR'") == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM faults WHERE kind = 'loss' AND device = 'sensor'") == 1);
}

BOOST_AUTO_TEST_CASE(a_udp_device_nobody_listens_for_is_a_recorded_device_error) {
    Workspace ws;
    quint16 dead = 0;
    {
        QUdpSocket probe; // a port nobody listens on: the kernel answers ICMP port unreachable
        BOOST_REQUIRE(probe.bind(QHostAddress::LocalHost, 0));
        dead = probe.localPort();
    }
    ws.write("scenario.yaml", QStringLiteral("name: udp-dead\n"
                                             "devices: [sensor]\n"
                                             "steps:\n"
                                             "  - send: \"READ? TEMP\"\n"
                                             "    expect: {match: '^TEMP', within: 100ms}\n"
                                             "repeat: {count: 5, every: 50ms}\n"));
    const HilResult r = runScenario(ws, fixtureFor(ws, dead));
    BOOST_TEST(r.finished);
    BOOST_TEST(r.exitStatus == QProcess::NormalExit);
    BOOST_TEST(r.exitCode == 1, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'error' AND device = 'sensor'") >= 1);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'") == 0);
}

BOOST_AUTO_TEST_CASE(a_stream_fault_on_a_udp_device_is_refused_at_load) {
    Workspace ws;
    ws.write("scenario.yaml", QStringLiteral("name: udp-bad\n"
                                             "devices: [sensor]\n"
                                             "steps:\n"
                                             "  - send: \"READ? TEMP\"\n"
                                             "faults:\n"
                                             "  - {on: sensor, link: {slice: {bytes: 1}}}\n"));
    const HilResult r = runScenario(ws, fixtureFor(ws, 9));
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("scenario.yaml:6:")), str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("slice acts on a byte stream")), str(r.err));
    BOOST_TEST(!QFile::exists(ws.db()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(fixture_udp_proxy)

namespace {

// A fixture whose udp device 'sensor' reaches the simulator through the fixture's udp proxy 'cloud'
// (which serves it); `extra` is added to the proxy's entry.
QString proxiedFixture(const Workspace &ws, quint16 simPort, const QString &extra = {}) {
    quint16 port = 0;
    {
        QUdpSocket probe;
        BOOST_REQUIRE(probe.bind(QHostAddress::LocalHost, 0));
        port = probe.localPort();
    }
    ws.write("fixture.yaml", QStringLiteral("devices:\n"
                                            "  sensor:\n"
                                            "    udp: {host: 127.0.0.1, port: %1}\n"
                                            "    timeout: 300ms\n"
                                            "proxies:\n"
                                            "  cloud:\n"
                                            "    transport: udp\n"
                                            "    listen: 127.0.0.1:%1\n"
                                            "    upstream: 127.0.0.1:%2\n"
                                            "    serves: [sensor]\n"
                                            "%3")
                                 .arg(port)
                                 .arg(simPort)
                                 .arg(extra));
    return ws.path("fixture.yaml");
}

} // namespace

// Loss on a udp proxy in front of a udp device: the datagrams it drops fail the device's exchanges in the
// window, each excused by the proxy's fault, and the device's first pass after the end is its recovery.
BOOST_AUTO_TEST_CASE(loss_on_a_udp_proxy_excuses_the_served_devices_failures_and_measures_recovery) {
    Workspace ws;
    Child sim(simPath(), {QStringLiteral("envsensor"), QStringLiteral("--udp"), QStringLiteral("0")});
    const quint16 simPort = startSim(sim);
    ws.write(
        "scenario.yaml",
        QStringLiteral("name: udp-proxy-loss\n"
                       "devices: [sensor]\n"
                       "steps:\n"
                       "  - send: \"READ? TEMP\"\n"
                       "    expect: {match: '^TEMP (?<t>-?[0-9.]+)$', within: 300ms}\n"
                       "repeat: {for: 4s, every: 100ms}\n"
                       "faults:\n"
                       "  - {at: 1s, for: 1s, on: cloud, link: {loss: {p: 0.6}}, recover: {within: 2s}}\n"));
    const HilResult r = runScenario(ws, proxiedFixture(ws, simPort));
    BOOST_TEST(r.exitCode == 0, str(r.out + r.err));
    const Database db(ws.db());
    BOOST_TEST(db.value("SELECT verdict FROM runs").toString() == QStringLiteral("PASS"));
    BOOST_TEST(db.value("SELECT detail FROM events WHERE kind = 'proxy-start' AND device = 'cloud'")
                   .toString()
                   .startsWith(QStringLiteral("udp ")));
    const auto f = db.rows("SELECT device, target, kind, params, end_ns, recovery_ns FROM faults");
    BOOST_REQUIRE(f && f->size() == 1);
    BOOST_TEST(f->first()[0].toString() == QStringLiteral("cloud"));
    BOOST_TEST(f->first()[1].toString() == QStringLiteral("proxy"));
    BOOST_TEST(f->first()[2].toString() == QStringLiteral("loss"));
    BOOST_TEST(f->first()[3].toString().endsWith(QStringLiteral("; serves: [sensor]")));
    // The datagrams the proxy dropped failed exchanges inside the window, all of them excused.
    const qint64 expected = db.count("SELECT n_expected FROM runs");
    BOOST_TEST_MESSAGE("loss p=0.6 on the udp proxy: " << expected << " failures excused");
    BOOST_TEST(expected > 0);
    BOOST_TEST(db.count("SELECT n_fail + n_error FROM runs") == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE expected = 1 AND fault_id IS NULL") == 0);
    BOOST_REQUIRE(f->first()[5].isValid());
    const qint64 end = f->first()[4].toLongLong(), recovery = f->first()[5].toLongLong();
    BOOST_TEST_MESSAGE("recovery after the udp proxy's loss: " << recovery / 1e6 << " ms");
    BOOST_TEST(
        recovery
        == db.value("SELECT min(end_ns) - ?1 FROM step_results WHERE verdict = 'PASS' AND start_ns >= ?1",
                    {end})
               .toLongLong());
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'recovered' AND device = 'cloud'") == 1);
}

BOOST_AUTO_TEST_CASE(a_udp_proxy_is_checked_at_load) {
    Workspace ws;
    ws.write("scenario.yaml", QStringLiteral("name: udp-proxy-bad\n"
                                             "devices: [sensor]\n"
                                             "steps:\n"
                                             "  - send: \"READ? TEMP\"\n"
                                             "faults:\n"
                                             "  - {on: cloud, link: {slice: {bytes: 1}}}\n"));
    HilResult r = runScenario(ws, proxiedFixture(ws, 9));
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("scenario.yaml:6:")), str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("'cloud': slice acts on a byte stream")), str(r.err));

    r = runScenario(ws, proxiedFixture(ws, 9, QStringLiteral("    idle_timeout: 1ms\n")));
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("fixture.yaml:11:19: idle_timeout must be at least 10ms")),
               str(r.err));

    ws.write("fixture.yaml",
             QStringLiteral("devices:\n"
                            "  sensor: {udp: {host: 127.0.0.1, port: 9}}\n"
                            "proxies:\n"
                            "  cloud: {transport: sctp, upstream: 127.0.0.1:9, idle_timeout: 5s}\n"));
    r = runScenario(ws, ws.path("fixture.yaml"));
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("fixture.yaml:4:22: transport must be tcp or udp, not 'sctp'")),
               str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("idle_timeout is for a udp proxy's flows")), str(r.err));
    BOOST_TEST(!QFile::exists(ws.db()));
}

BOOST_AUTO_TEST_SUITE_END()
