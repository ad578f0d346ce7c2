// TCP-true link faults against real peers: `hil proxy` (the executable) between a real mosquitto broker
// and mosquitto_pub/mosquitto_sub, and between pymodbus's client and server. On TCP a lost segment is
// retransmitted and an outage stalls the stream (or resets it past the user timeout): QoS 1 must deliver
// everything in order, the publisher must never hang, a reset must be a RST both peers see.

#define BOOST_TEST_MODULE faults_tcp

#include "core/base/clock.h"
#include "support/eventloop.h"
#include "support/mosquittobroker.h"
#include "support/pymodbus.h"

#include <QByteArray>
#include <QProcess>
#include <QStringList>
#include <QTimer>
#include <boost/test/unit_test.hpp>
#include <memory>
#include <vector>

using hiltest::QtApplicationFixture;
using hiltest::waitUntil;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

std::string str(const QByteArray &b) {
    return b.toStdString();
}

// `hil proxy` as a process in front of 127.0.0.1:upstream.
class HilProxy {
public:
    HilProxy(quint16 upstream, const QStringList &faults, int seed = 7) {
        QStringList args{QStringLiteral("proxy"),
                         QStringLiteral("--listen"),
                         QStringLiteral("127.0.0.1:0"),
                         QStringLiteral("--upstream"),
                         QStringLiteral("127.0.0.1:%1").arg(upstream),
                         QStringLiteral("--seed"),
                         QString::number(seed)};
        for (const QString &f : faults)
            args << QStringLiteral("--fault") << f;
        m_process.start(QStringLiteral(HIL_BIN_DIR "/hil"), args);
        waitUntil([&] { return m_process.canReadLine() || m_process.state() == QProcess::NotRunning; }, 10000,
                  10);
        const QByteArray ready = m_process.readLine().trimmed();
        BOOST_REQUIRE_MESSAGE(ready.startsWith("READY proxy 127.0.0.1:"), "hil proxy: " << str(ready));
        m_port = ready.mid(ready.lastIndexOf(':') + 1).toUShort();
        QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process,
                         [this] { m_log += m_process.readAllStandardError(); });
    }
    ~HilProxy() { stop(); }
    quint16 port() const { return m_port; }
    // The log so far ("+1.234s connection 1 closed: ...").
    QByteArray log() {
        m_log += m_process.readAllStandardError();
        return m_log;
    }
    // SIGTERM; the log then ends with the totals.
    QByteArray stop() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            m_process.waitForFinished(10000);
        }
        return log();
    }

private:
    QProcess m_process;
    quint16 m_port = 0;
    QByteArray m_log;
};

// A mosquitto client process whose output lines are kept with their arrival times.
class MqttClient {
public:
    MqttClient(const QString &program, const QStringList &args) {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this] {
            while (m_process.canReadLine()) {
                lines.append(m_process.readLine().trimmed());
                times.push_back(hil::monotonicNs());
            }
        });
        m_process.start(program, args);
        BOOST_REQUIRE_MESSAGE(m_process.waitForStarted(5000), str(program.toUtf8()) << " did not start");
    }
    ~MqttClient() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
    QProcess &process() { return m_process; }
    bool finished(int ms) {
        return waitUntil([&] { return m_process.state() == QProcess::NotRunning; }, ms);
    }
    QList<QByteArray> lines;
    std::vector<qint64> times;

private:
    QProcess m_process;
};

QStringList subArgs(quint16 port, const QString &id, int qos, bool persistent, int count = 0) {
    QStringList a{QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                  QStringLiteral("-p"), QString::number(port),
                  QStringLiteral("-t"), QStringLiteral("hil/tcp"),
                  QStringLiteral("-q"), QString::number(qos),
                  QStringLiteral("-i"), id};
    if (persistent)
        a << QStringLiteral("-c");
    if (count > 0)
        a << QStringLiteral("-C") << QString::number(count);
    return a;
}

QStringList pubArgs(quint16 port, const QString &id, int qos) {
    return {QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
            QStringLiteral("-p"), QString::number(port),
            QStringLiteral("-t"), QStringLiteral("hil/tcp"),
            QStringLiteral("-q"), QString::number(qos),
            QStringLiteral("-i"), id,
            QStringLiteral("-l")};
}

const QString kSub = QStringLiteral("mosquitto_sub");
const QString kPub = QStringLiteral("mosquitto_pub");

// Waits until the subscriber is connected and subscribed: a message published straight to the broker
// reaches it.
void awaitSubscribed(MqttClient &sub, quint16 brokerPort, int qos) {
    for (int attempt = 0; attempt < 50; ++attempt) {
        QProcess ping;
        ping.start(kPub, {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                          QString::number(brokerPort), QStringLiteral("-t"), QStringLiteral("hil/tcp"),
                          QStringLiteral("-q"), QString::number(qos), QStringLiteral("-m"),
                          QStringLiteral("ping")});
        ping.waitForFinished(5000);
        if (waitUntil([&] { return sub.lines.contains("ping"); }, 300))
            return;
    }
    BOOST_FAIL("the subscriber never got a message published straight to the broker");
}

// The messages "m0".."m{n-1}" the subscriber got, without pings, must be exactly these, in order.
void checkAllInOrder(const MqttClient &sub, int n) {
    QList<QByteArray> got;
    for (const QByteArray &l : sub.lines)
        if (l != "ping")
            got.append(l);
    BOOST_TEST(got.size() == n);
    for (int i = 0; i < std::min<qsizetype>(n, got.size()); ++i)
        BOOST_TEST(got[i] == QByteArray("m" + QByteArray::number(i)), "message " << i << ": " << str(got[i]));
}

// Writes "m0".."m{n-1}" to a `mosquitto_pub -l`, one line every intervalMs.
void publishPaced(MqttClient &pub, int n, int intervalMs) {
    int sent = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &tick, [&] {
        if (sent < n)
            pub.process().write("m" + QByteArray::number(sent++) + '\n');
    });
    tick.start(intervalMs);
    BOOST_REQUIRE(waitUntil([&] { return sent == n; }, 60000));
}

qint64 retransmissions(const QByteArray &log) {
    // "totals: to-device ..., 12 retransmissions; from-device ..., 3 retransmissions"
    qint64 total = 0;
    const qsizetype at = log.indexOf("totals:");
    for (const QByteArray &part : log.mid(at).split(',')) {
        const QByteArray p = part.trimmed();
        if (p.contains(" retransmissions"))
            total += p.left(p.indexOf(' ')).toLongLong();
    }
    return total;
}

} // namespace

BOOST_AUTO_TEST_SUITE(mqtt_through_hil_proxy)

BOOST_AUTO_TEST_CASE(qos1_persistent_session_under_loss_delivers_all_100_in_order) {
    hiltest::MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    HilProxy proxy(broker.port(), {QStringLiteral("loss:p=0.05")});
    MqttClient sub(kSub, subArgs(proxy.port(), QStringLiteral("hil-tcp-sub1"), 1, true));
    awaitSubscribed(sub, broker.port(), 1);
    MqttClient pub(kPub, pubArgs(proxy.port(), QStringLiteral("hil-tcp-pub1"), 1));
    publishPaced(pub, 100, 10); // one message per chunk: ~100 draws of the loss per direction
    pub.process().closeWriteChannel();
    BOOST_REQUIRE_MESSAGE(pub.finished(30000), "the QoS 1 publisher hangs under loss");
    BOOST_TEST(pub.process().exitCode() == 0);
    BOOST_REQUIRE(waitUntil([&] { return sub.lines.size() >= 101; }, 20000));
    checkAllInOrder(sub, 100);
    const QByteArray log = proxy.stop();
    BOOST_TEST_MESSAGE("loss p=0.05: " << retransmissions(log) << " retransmissions");
    BOOST_TEST(retransmissions(log) > 0, str(log)); // the fault did act
    BOOST_TEST(!log.contains("B dropped ("), str(log));
}

BOOST_AUTO_TEST_CASE(qos0_clean_session_under_loss_delivers_all_100_in_order) {
    hiltest::MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    HilProxy proxy(broker.port(), {QStringLiteral("loss:p=0.05")}, 11);
    MqttClient sub(kSub, subArgs(proxy.port(), QStringLiteral("hil-tcp-sub0"), 0, false));
    awaitSubscribed(sub, broker.port(), 0);
    MqttClient pub(kPub, pubArgs(proxy.port(), QStringLiteral("hil-tcp-pub0"), 0));
    publishPaced(pub, 100, 10); // one message per chunk: ~100 draws of the loss per direction
    pub.process().closeWriteChannel();
    BOOST_REQUIRE(pub.finished(30000));
    BOOST_REQUIRE(waitUntil([&] { return sub.lines.size() >= 101; }, 20000));
    checkAllInOrder(sub, 100); // QoS 0 over TCP: nothing lost either
    BOOST_TEST(retransmissions(proxy.stop()) > 0);
}

BOOST_AUTO_TEST_CASE(a_3_s_blackout_stalls_the_stream_and_delivers_everything_after) {
    hiltest::MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    HilProxy proxy(broker.port(), {QStringLiteral("blackout:at=1s,for=3s")});
    const qint64 t0 = hil::monotonicNs();
    MqttClient sub(kSub, subArgs(broker.port(), QStringLiteral("hil-tcp-subB"), 1, true));
    awaitSubscribed(sub, broker.port(), 1);
    MqttClient pub(kPub, pubArgs(proxy.port(), QStringLiteral("hil-tcp-pubB"), 1));
    publishPaced(pub, 100, 50); // before, through and after the window
    pub.process().closeWriteChannel();
    BOOST_REQUIRE_MESSAGE(pub.finished(20000), "the publisher hangs after the blackout");
    BOOST_TEST(pub.process().exitCode() == 0);
    BOOST_REQUIRE(waitUntil([&] { return sub.lines.size() >= 101; }, 20000));
    checkAllInOrder(sub, 100);
    // The stream stood still for the window: the longest silence at the subscriber is about 3 s.
    qint64 gap = 0;
    for (std::size_t i = 1; i < sub.times.size(); ++i)
        gap = std::max(gap, sub.times[i] - sub.times[i - 1]);
    BOOST_TEST_MESSAGE("longest silence " << gap / 1e6 << " ms, run " << (hil::monotonicNs() - t0) / 1e9
                                          << " s");
    BOOST_TEST(gap >= 2'500'000'000);
    const QByteArray log = proxy.stop();
    BOOST_TEST(!log.contains("reset"), str(log));
    BOOST_TEST(log.contains("fault 1 end: blackout"), str(log));
}

BOOST_AUTO_TEST_CASE(a_blackout_past_its_user_timeout_resets_and_the_client_reconnects) {
    hiltest::MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    HilProxy proxy(broker.port(), {QStringLiteral("blackout:at=1500ms,for=4s,user_timeout=2s")});
    MqttClient sub(kSub, subArgs(proxy.port(), QStringLiteral("hil-tcp-subR"), 1, true));
    awaitSubscribed(sub, broker.port(), 1);
    BOOST_REQUIRE(
        waitUntil([&] { return proxy.log().contains("reset: blackout outlasted user timeout 2s"); }, 10000));
    // mosquitto_sub reconnects; its CONNECT waits for the end of the blackout, then the persistent session
    // carries on: a message published now arrives.
    BOOST_REQUIRE(waitUntil([&] { return proxy.log().contains("connection 2 from"); }, 10000));
    QProcess after;
    after.start(kPub, {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                       QString::number(broker.port()), QStringLiteral("-t"), QStringLiteral("hil/tcp"),
                       QStringLiteral("-q"), QStringLiteral("1"), QStringLiteral("-m"),
                       QStringLiteral("after-reset")});
    BOOST_REQUIRE(after.waitForFinished(10000));
    BOOST_TEST(waitUntil([&] { return sub.lines.contains("after-reset"); }, 15000), str(proxy.log()));
    const QByteArray log = proxy.stop();
    BOOST_TEST(log.contains("connection 1 closed: reset: blackout outlasted user timeout 2s"), str(log));
}

BOOST_AUTO_TEST_CASE(latency_and_bandwidth_still_deliver_everything) {
    hiltest::MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    HilProxy proxy(broker.port(), {QStringLiteral("latency:delay=100ms,dir=to-device"),
                                   QStringLiteral("bandwidth:rate=2000")});
    MqttClient sub(kSub, subArgs(broker.port(), QStringLiteral("hil-tcp-subL"), 1, false));
    awaitSubscribed(sub, broker.port(), 1);
    const qint64 t0 = hil::monotonicNs();
    MqttClient pub(kPub, pubArgs(proxy.port(), QStringLiteral("hil-tcp-pubL"), 1));
    // 20 messages of ~200 B: at 2000 B/s they cannot be through in less than about 2 s.
    for (int i = 0; i < 20; ++i)
        pub.process().write("m" + QByteArray::number(i) + QByteArray(200, ' ').replace(' ', '.') + '\n');
    pub.process().closeWriteChannel();
    BOOST_REQUIRE(pub.finished(30000));
    BOOST_REQUIRE(waitUntil([&] { return sub.lines.size() >= 21; }, 20000));
    const double seconds = static_cast<double>(sub.times.back() - t0) / 1e9;
    BOOST_TEST_MESSAGE("20 x 200 B at 2000 B/s + 100 ms: " << seconds << " s");
    BOOST_TEST(seconds >= 1.9);
    QList<QByteArray> got;
    for (const QByteArray &l : sub.lines)
        if (l != "ping")
            got.append(l.left(l.indexOf('.')));
    BOOST_REQUIRE(got.size() == 20);
    for (int i = 0; i < 20; ++i)
        BOOST_TEST(got[i] == QByteArray("m" + QByteArray::number(i)));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(raw_tcp_through_hil_proxy)

namespace {

struct Ending {
    QByteArray peers; // "client RESET\nupstream RESET\n" and the like
    QByteArray proxyLog;
};

// Raw TCP through `hil proxy` with one fault: how each peer's connection ended.
Ending endingsThroughTheProxy(const QString &fault) {
    // Python plays both peers: it listens (the upstream), connects through the proxy (the client), sends
    // both ways every 100 ms and says how each side ended: RESET (ECONNRESET) or EOF (an orderly close).
    const char *script = R"(
import socket, sys, time
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(1)
print("PORT", srv.getsockname()[1], flush=True)
proxy = int(sys.stdin.readline())
cli = socket.create_connection(("127.0.0.1", proxy)); up, _ = srv.accept()
for s in (cli, up): s.settimeout(0.1)
ended = {}
start = time.time()
while len(ended) < 2 and time.time() - start < 15:
    for name, s in (("client", cli), ("upstream", up)):
        if name in ended: continue
        try:
            s.send(b"x")
            if s.recv(100) == b"": ended[name] = "EOF"
        except socket.timeout: pass
        except (ConnectionResetError, BrokenPipeError): ended[name] = "RESET"
for name in ("client", "upstream"): print(name, ended.get(name, "OPEN"), flush=True)
)";
    QProcess py;
    py.start(hiltest::debianPython(), {QStringLiteral("-c"), QString::fromUtf8(script)});
    if (!waitUntil([&] { return py.canReadLine(); }, 10000))
        return {};
    const QByteArray portLine = py.readLine().trimmed();
    if (!portLine.startsWith("PORT "))
        return {};
    HilProxy proxy(static_cast<quint16>(portLine.mid(5).toUInt()), {fault});
    py.write(QByteArray::number(proxy.port()) + '\n');
    py.waitForFinished(30000);
    Ending e;
    e.peers = py.readAllStandardOutput() + py.readAllStandardError();
    e.proxyLog = proxy.stop();
    return e;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_reset_is_a_rst_on_both_sides) {
    const Ending e = endingsThroughTheProxy(QStringLiteral("blackout:at=300ms,user_timeout=1s"));
    BOOST_TEST_MESSAGE(str(e.peers));
    BOOST_TEST(e.peers.contains("client RESET"), str(e.peers));
    BOOST_TEST(e.peers.contains("upstream RESET"), str(e.peers));
    BOOST_TEST(e.proxyLog.contains("closed: reset: blackout outlasted user timeout 1s"), str(e.proxyLog));
}

BOOST_AUTO_TEST_CASE(a_chunk_lost_16_times_is_a_rst_on_both_sides) {
    // Every transmission lost from 300 ms on: the first chunk after it is given up after its original and
    // 15 retransmissions, 1 + 2 + 4 + 8 + 16 + 11 x 20 = 251 ms of timeouts with rto 1ms, rto_max 20ms.
    const Ending e = endingsThroughTheProxy(QStringLiteral("loss:at=300ms,p=1,rto=1ms,rto_max=20ms"));
    BOOST_TEST_MESSAGE(str(e.peers));
    BOOST_TEST(e.peers.contains("client RESET"), str(e.peers));
    BOOST_TEST(e.peers.contains("upstream RESET"), str(e.peers));
    BOOST_TEST(
        e.proxyLog.contains("closed: reset: a chunk was lost 16 times (retransmissions gave up after 251ms)"),
        str(e.proxyLog));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(modbus_through_hil_proxy)

BOOST_AUTO_TEST_CASE(reads_under_loss_all_succeed_some_later) {
    REQUIRE_PYMODBUS();
    QProcess server;
    server.start(hiltest::debianPython(),
                 {QStringLiteral(HIL_MODBUS_SERVER), QStringLiteral("--tcp"), QStringLiteral("0")});
    BOOST_REQUIRE(waitUntil([&] { return server.canReadLine(); }, 20000));
    const QByteArray ready = server.readLine().trimmed();
    BOOST_REQUIRE_MESSAGE(ready.startsWith("READY "), str(ready));
    HilProxy proxy(static_cast<quint16>(ready.mid(6).toUInt()), {QStringLiteral("loss:p=0.05")}, 5);
    // pymodbus 3.0's sync client, no retries: a read that failed would show as an error.
    const char *client = R"(
import sys, time
from pymodbus.client import ModbusTcpClient
c = ModbusTcpClient("127.0.0.1", port=int(sys.argv[1]), timeout=10, retries=0)
assert c.connect()
for i in range(100):
    t = time.monotonic()
    r = c.read_holding_registers(i % 50, 2, slave=1)
    dt = time.monotonic() - t
    ok = (not r.isError()) and r.registers == [1000 + i % 50, 1001 + i % 50]
    print("ok" if ok else "bad", "%.4f" % dt, flush=True)
c.close()
)";
    QProcess py;
    py.start(hiltest::debianPython(),
             {QStringLiteral("-c"), QString::fromUtf8(client), QString::number(proxy.port())});
    BOOST_REQUIRE(py.waitForFinished(50000));
    const QList<QByteArray> lines = py.readAllStandardOutput().trimmed().split('\n');
    BOOST_TEST(lines.size() == 100, str(py.readAllStandardError()));
    int ok = 0;
    int late = 0;
    double slowest = 0;
    for (const QByteArray &l : lines) {
        const QList<QByteArray> parts = l.split(' ');
        ok += parts.value(0) == "ok" ? 1 : 0;
        const double dt = parts.value(1).toDouble();
        late += dt >= 0.2 ? 1 : 0; // at least one retransmission timeout
        slowest = std::max(slowest, dt);
    }
    const QByteArray log = proxy.stop();
    BOOST_TEST_MESSAGE("modbus under loss p=0.05: " << ok << " of 100 ok, " << late << " took >= 200 ms, "
                                                    << "slowest " << slowest << " s, " << retransmissions(log)
                                                    << " retransmissions");
    BOOST_TEST(ok == 100);
    BOOST_TEST(retransmissions(log) > 0);
    BOOST_TEST(late >= 1); // a lost request or answer came an RTO late, not never
    server.closeWriteChannel();
    server.waitForFinished(5000);
}

BOOST_AUTO_TEST_SUITE_END()
