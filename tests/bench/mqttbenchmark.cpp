#include "mqttbenchmark.h"

#include "core/base/clock.h"
#include "core/config/fixture.h"
#include "core/link/faultproxy.h"
#include "core/session/devicesession.h"
#include "core/transport/mqtttransport.h"
#include "stats.h"

#include <QEventLoop>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <functional>
#include <memory>
#include <mosquitto.h>
#include <unistd.h>

namespace hilbench {

namespace {

constexpr auto kWithin = std::chrono::seconds(2);

class Broker {
public:
    bool start(QString *error) {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        port = probe.serverPort();
        probe.close();
        QFile conf(m_dir.filePath(QStringLiteral("mosquitto.conf")));
        if (!m_dir.isValid() || !conf.open(QIODevice::WriteOnly)) {
            *error = QStringLiteral("cannot write the broker's config");
            return false;
        }
        QString text =
            QStringLiteral("listener %1 127.0.0.1\nallow_anonymous true\npersistence false\nlog_type error\n")
                .arg(port);
        if (::getuid() == 0)
            text += QStringLiteral("user root\n"); // mosquitto will not run as root otherwise
        conf.write(text.toUtf8());
        conf.close();
        m_process.start(QStringLiteral("mosquitto"), {QStringLiteral("-c"), conf.fileName()});
        if (!m_process.waitForStarted(5000)) {
            *error = QStringLiteral("cannot start mosquitto: %1").arg(m_process.errorString());
            return false;
        }
        for (int i = 0; i < 100; ++i) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, port);
            if (s.waitForConnected(100))
                return true;
            QThread::msleep(50);
        }
        *error = QStringLiteral("mosquitto did not listen on port %1").arg(port);
        return false;
    }
    ~Broker() {
        m_process.terminate();
        if (!m_process.waitForFinished(3000))
            m_process.kill();
    }
    quint16 port = 0;

private:
    QTemporaryDir m_dir;
    QProcess m_process;
};

hil::DeviceConfig deviceConfig(quint16 port, const QString &topic) {
    hil::DeviceConfig c;
    c.name = QStringLiteral("cloud");
    c.kind = hil::DeviceConfig::Kind::Mqtt;
    c.framing.kind = hil::FramingSpec::Kind::Mqtt;
    c.mqtt.host = QStringLiteral("127.0.0.1");
    c.mqtt.port = port;
    c.mqtt.subscriptions = {topic};
    return c;
}

// The harness: a DeviceSession as the runner drives it (discardQueued, sendLine, expect with the frame
// pattern an MQTT expect compiles to, the capture read).
class HarnessClient {
public:
    HarnessClient(quint16 brokerPort, quint16 connectPort, const QString &topic)
        : m_topic(topic)
        , m_session(deviceConfig(brokerPort, topic),
                    std::make_unique<hil::MqttTransport>(deviceConfig(brokerPort, topic).mqtt,
                                                         QStringLiteral("127.0.0.1"), connectPort))
        , m_pattern(QStringLiteral("(?m)\\A(?:%1)\\n.*?(?:^ping (?<n>\\d+)$)")
                        .arg(QRegularExpression::escape(topic))) {
        m_pattern.optimize();
    }

    bool connectSession(QString *error) {
        QEventLoop loop;
        QObject::connect(&m_session, &hil::DeviceSession::stateChanged, &loop,
                         [&](hil::DeviceSession::State s, const QString &reason) {
                             if (s == hil::DeviceSession::State::Ready)
                                 loop.exit(0);
                             else if (s == hil::DeviceSession::State::Lost) {
                                 *error = reason;
                                 loop.exit(1);
                             }
                         });
        QTimer::singleShot(10000, &loop, [&] {
            *error = QStringLiteral("the MQTT session did not connect within 10 s");
            loop.exit(1);
        });
        m_session.start();
        return loop.exec() == 0;
    }

    bool run(int warmup, int count, std::vector<qint64> *samples, QString *error) {
        QEventLoop loop;
        int done = 0;
        std::function<void()> next;
        next = [&] {
            m_session.discardQueued();
            const QByteArray text = m_topic.toUtf8() + "\nqos 0\nping " + QByteArray::number(m_seq);
            const qint64 startNs = hil::monotonicNs();
            m_session.sendLine(text);
            const qint64 want = m_seq++;
            m_session.expect(m_pattern, kWithin, true,
                             [&, startNs, want](const hil::DeviceSession::Answer &a) {
                                 const qint64 endNs = hil::monotonicNs();
                                 if (a.outcome != hil::DeviceSession::Answer::Outcome::Matched
                                     || a.match.captured(QStringLiteral("n")).toLongLong() != want) {
                                     *error = QStringLiteral("harness: no echo of ping %1 ('%2' %3)")
                                                  .arg(want)
                                                  .arg(QString::fromUtf8(a.line), a.reason);
                                     loop.exit(1);
                                     return;
                                 }
                                 if (done++ >= warmup)
                                     samples->push_back(endNs - startNs);
                                 if (done == warmup + count)
                                     loop.exit(0);
                                 else
                                     QMetaObject::invokeMethod(
                                         &loop, [&next] { next(); }, Qt::QueuedConnection);
                             });
        };
        QMetaObject::invokeMethod(
            &loop, [&next] { next(); }, Qt::QueuedConnection);
        const bool ok = loop.exec() == 0;
        m_session.cancelExpect();
        return ok;
    }

    void stop() { m_session.stop(); }

private:
    QString m_topic;
    hil::DeviceSession m_session;
    QRegularExpression m_pattern;
    qint64 m_seq = 1;
};

// The baseline: libmosquitto's own blocking loop, as its command-line clients use it.
class BaselineClient {
public:
    explicit BaselineClient(quint16 port, const QByteArray &topic)
        : m_topic(topic) {
        m_mosq = mosquitto_new(nullptr, true, this);
        mosquitto_message_callback_set(m_mosq, [](mosquitto *, void *self, const mosquitto_message *m) {
            auto *c = static_cast<BaselineClient *>(self);
            c->m_gotNs = hil::monotonicNs();
            c->m_got = QByteArray(static_cast<const char *>(m->payload), m->payloadlen);
        });
        mosquitto_subscribe_callback_set(m_mosq, [](mosquitto *, void *self, int, int, const int *) {
            static_cast<BaselineClient *>(self)->m_subscribed = true;
        });
        m_port = port;
    }
    ~BaselineClient() {
        mosquitto_disconnect(m_mosq);
        mosquitto_destroy(m_mosq);
    }

    bool connectClient(QString *error) {
        if (mosquitto_connect(m_mosq, "127.0.0.1", m_port, 30) != MOSQ_ERR_SUCCESS
            || mosquitto_subscribe(m_mosq, nullptr, m_topic.constData(), 0) != MOSQ_ERR_SUCCESS) {
            *error = QStringLiteral("baseline: cannot connect and subscribe");
            return false;
        }
        for (int i = 0; i < 100 && !m_subscribed; ++i)
            mosquitto_loop(m_mosq, 100, 1);
        if (!m_subscribed)
            *error = QStringLiteral("baseline: no SUBACK");
        return m_subscribed;
    }

    bool run(int warmup, int count, std::vector<qint64> *samples, QString *error) {
        for (int i = 0; i < warmup + count; ++i) {
            const QByteArray payload = "ping " + QByteArray::number(m_seq++);
            m_got.clear();
            const qint64 startNs = hil::monotonicNs();
            mosquitto_publish(m_mosq, nullptr, m_topic.constData(), static_cast<int>(payload.size()),
                              payload.constData(), 0, false);
            const qint64 deadline = startNs + 2'000'000'000;
            while (m_got != payload && hil::monotonicNs() < deadline)
                mosquitto_loop(m_mosq, 100, 1);
            if (m_got != payload) {
                *error = QStringLiteral("baseline: no echo of '%1'").arg(QString::fromUtf8(payload));
                return false;
            }
            if (i >= warmup)
                samples->push_back(m_gotNs - startNs);
        }
        return true;
    }

private:
    mosquitto *m_mosq = nullptr;
    QByteArray m_topic;
    quint16 m_port = 0;
    bool m_subscribed = false;
    QByteArray m_got;
    qint64 m_gotNs = 0;
    qint64 m_seq = 1;
};

void printRow(QTextStream &out, const char *name, const std::vector<qint64> &samples) {
    const Percentiles p = percentiles(samples);
    out << QStringLiteral("  %1 p50 %2 us  p90 %3  p99 %4  max %5  (n=%6)\n")
               .arg(QString::fromLatin1(name), -28)
               .arg(p.p50, 0, 'f', 1)
               .arg(p.p90, 0, 'f', 1)
               .arg(p.p99, 0, 'f', 1)
               .arg(p.max, 0, 'f', 1)
               .arg(samples.size());
}

} // namespace

bool runMqttBenchmark(const MqttBenchOptions &options, QTextStream &out, QString *error) {
    mosquitto_lib_init();
    Broker broker;
    if (!broker.start(error))
        return false;
    hil::FaultProxy proxy(QStringLiteral("127.0.0.1"), broker.port, 1);
    if (!proxy.listen(QHostAddress::LocalHost, 0, error))
        return false;
    HarnessClient harness(broker.port, broker.port, QStringLiteral("bench/harness"));
    HarnessClient proxied(broker.port, proxy.port(), QStringLiteral("bench/proxied"));
    BaselineClient baseline(broker.port, "bench/baseline");
    if (!harness.connectSession(error) || !proxied.connectSession(error) || !baseline.connectClient(error))
        return false;
    std::vector<qint64> h, hp, b;
    const int perBlock = std::max(1, options.exchanges / options.blocks);
    for (int block = 0; block < options.blocks; ++block) {
        if (!baseline.run(options.warmup, perBlock, &b, error)
            || !harness.run(options.warmup, perBlock, &h, error)
            || !proxied.run(options.warmup, perBlock, &hp, error))
            return false;
    }
    harness.stop();
    proxied.stop();
    out << "\n12. MQTT publish -> receive, QoS 0, one mosquitto on 127.0.0.1 (" << options.blocks
        << " blocks per client, taking turns)\n";
    printRow(out, "baseline (libmosquitto loop)", b);
    printRow(out, "harness (DeviceSession)", h);
    printRow(out, "harness via fault proxy", hp);
    const double base = percentiles(b).p50;
    out << QStringLiteral("  ratio harness/baseline p50 %1, via proxy %2 (goal <= 1.2)\n")
               .arg(percentiles(h).p50 / base, 0, 'f', 2)
               .arg(percentiles(hp).p50 / base, 0, 'f', 2);
    mosquitto_lib_cleanup();
    return true;
}

} // namespace hilbench
