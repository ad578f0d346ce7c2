#include "roundtripbenchmark.h"

#include "core/base/clock.h"
#include "core/config/fixture.h"
#include "core/session/devicesession.h"
#include "core/session/simprocess.h"
#include "core/session/stallwatch.h"
#include "core/transport/tcptransport.h"

#include <QEventLoop>
#include <QRegularExpression>
#include <QTimer>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hilbench {

namespace {

constexpr char kRequest[] = "READ? TEMP";
constexpr int kConnectTimeoutMs = 10000;
constexpr auto kAnswerWithin = std::chrono::seconds(1);

QString errnoText(const char *what) {
    return QStringLiteral("%1: %2").arg(QString::fromLatin1(what),
                                        QString::fromLocal8Bit(std::strerror(errno)));
}

QString outcomeText(const hil::DeviceSession::Answer &a) {
    switch (a.outcome) {
    case hil::DeviceSession::Answer::Outcome::Matched:
        return QStringLiteral("matched");
    case hil::DeviceSession::Answer::Outcome::Mismatch:
        return QStringLiteral("unexpected answer '%1'").arg(QString::fromUtf8(a.line));
    case hil::DeviceSession::Answer::Outcome::Timeout:
        return QStringLiteral("no answer within 1 s");
    case hil::DeviceSession::Answer::Outcome::Lost:
        return QStringLiteral("connection lost: %1").arg(a.reason);
    case hil::DeviceSession::Answer::Outcome::BadFrame:
        return QStringLiteral("bad frame: %1").arg(a.reason);
    }
    return {};
}

// The harness side, used exactly as the runner uses it: discardQueued(), sendLine(), then expect() with
// the scenario's regex, the measurement taken from its named capture, the next exchange from the event loop.
class HarnessClient {
public:
    HarnessClient(const QString &host, quint16 port, bool correlated)
        : m_session(deviceConfig(host, port), std::make_unique<hil::TcpTransport>(host, port))
        , m_correlated(correlated) {}

    // The stall watch lives only while this client's block runs, so that its heartbeat does not tick
    // during the other clients' blocks on the same event loop.
    bool connectSession(QString *error) {
        if (m_correlated) {
            m_watch = std::make_unique<hil::StallWatch>();
            m_session.setStallWatch(m_watch.get());
        }
        QEventLoop loop;
        QTimer guard;
        guard.setSingleShot(true);
        QObject::connect(&m_session, &hil::DeviceSession::stateChanged, &loop,
                         [&](hil::DeviceSession::State s, const QString &reason) {
                             if (s == hil::DeviceSession::State::Ready) {
                                 loop.exit(0);
                             } else if (s == hil::DeviceSession::State::Lost) {
                                 *error = reason;
                                 loop.exit(1);
                             }
                         });
        QObject::connect(&guard, &QTimer::timeout, &loop, [&] {
            *error = QStringLiteral("the session did not connect within %1 ms").arg(kConnectTimeoutMs);
            loop.exit(1);
        });
        guard.start(kConnectTimeoutMs);
        m_session.start();
        return loop.exec() == 0;
    }

    void disconnectSession() {
        m_session.stop();
        m_session.setStallWatch(nullptr);
        m_watch.reset();
    }

    bool run(int warmup, int count, std::vector<qint64> *samples, std::vector<qint64> *recorded,
             QString *error) {
        QEventLoop loop;
        const int total = warmup + count;
        int done = 0;
        std::function<void()> next;
        const auto scheduleNext = [&] {
            QMetaObject::invokeMethod(
                &loop, [&next] { next(); }, Qt::QueuedConnection);
        };
        next = [&] {
            m_session.discardQueued();
            const qint64 startNs = hil::monotonicNs();
            const qint64 sentNs = m_session.sendLine(QByteArray(kRequest));
            m_session.expect(
                m_pattern, kAnswerWithin, false,
                [&, startNs, sentNs](const hil::DeviceSession::Answer &a) {
                    const qint64 endNs = hil::monotonicNs();
                    if (a.outcome != hil::DeviceSession::Answer::Outcome::Matched) {
                        *error = QStringLiteral("harness: %1").arg(outcomeText(a));
                        loop.exit(1);
                        return;
                    }
                    bool ok = false;
                    a.match.captured(QStringLiteral("t")).toDouble(&ok);
                    if (!ok) {
                        *error = QStringLiteral("harness: no number in '%1'").arg(QString::fromUtf8(a.line));
                        loop.exit(1);
                        return;
                    }
                    if (done >= warmup) {
                        samples->push_back(endNs - startNs);
                        recorded->push_back(a.timeNs - sentNs);
                    }
                    if (++done == total) {
                        loop.exit(0);
                        return;
                    }
                    scheduleNext();
                },
                m_correlated ? sentNs : -1);
        };
        scheduleNext();
        const bool ok = loop.exec() == 0;
        // On failure nothing may call back into this frame's locals later.
        m_session.cancelExpect();
        return ok;
    }

private:
    static hil::DeviceConfig deviceConfig(const QString &host, quint16 port) {
        hil::DeviceConfig c;
        c.name = QStringLiteral("sensor");
        c.kind = hil::DeviceConfig::Kind::Tcp;
        c.tcp.host = host;
        c.tcp.port = port;
        return c;
    }

    hil::DeviceSession m_session;
    std::unique_ptr<hil::StallWatch> m_watch;
    bool m_correlated;
    const QRegularExpression m_pattern{QStringLiteral("^TEMP (?<t>-?[0-9.]+)$")};
};

// The floor: a blocking socket with Nagle off, one write per request, reads until the terminator.
class BaselineClient {
public:
    BaselineClient() = default;
    ~BaselineClient() { close(); }
    BaselineClient(const BaselineClient &) = delete;
    BaselineClient &operator=(const BaselineClient &) = delete;

    bool connectTo(const QString &host, quint16 port, QString *error) {
        close();
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0) {
            *error = errnoText("socket");
            return false;
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        if (::inet_pton(AF_INET, host.toLatin1().constData(), &addr.sin_addr) != 1) {
            *error = QStringLiteral("not an IPv4 address: %1").arg(host);
            return false;
        }
        if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0) {
            *error = errnoText("connect");
            return false;
        }
        const int one = 1;
        if (::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
            *error = errnoText("setsockopt TCP_NODELAY");
            return false;
        }
        m_used = 0;
        return true;
    }

    void close() {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

    bool run(int warmup, int count, std::vector<qint64> *samples, QString *error) {
        static constexpr char request[] = "READ? TEMP\n";
        static constexpr std::size_t requestSize = sizeof request - 1;
        for (int i = 0; i < warmup + count; ++i) {
            const qint64 startNs = hil::monotonicNs();
            if (!writeAll(request, requestSize, error))
                return false;
            std::size_t lineSize = 0;
            if (!readLine(&lineSize, error))
                return false;
            const qint64 endNs = hil::monotonicNs();
            if (lineSize < 5 || std::memcmp(m_buffer, "TEMP ", 5) != 0) {
                *error = QStringLiteral("baseline: unexpected answer '%1'")
                             .arg(QString::fromUtf8(m_buffer, static_cast<qsizetype>(lineSize)));
                return false;
            }
            consume(lineSize + 1);
            if (i >= warmup)
                samples->push_back(endNs - startNs);
        }
        return true;
    }

private:
    bool writeAll(const char *data, std::size_t size, QString *error) {
        while (size > 0) {
            const ssize_t n = ::write(m_fd, data, size);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                *error = errnoText("baseline: write");
                return false;
            }
            data += n;
            size -= static_cast<std::size_t>(n);
        }
        return true;
    }

    // Leaves the line at the start of m_buffer; *lineSize excludes the '\n'.
    bool readLine(std::size_t *lineSize, QString *error) {
        for (;;) {
            if (const void *nl = std::memchr(m_buffer, '\n', m_used)) {
                *lineSize = static_cast<std::size_t>(static_cast<const char *>(nl) - m_buffer);
                return true;
            }
            if (m_used == sizeof m_buffer) {
                *error = QStringLiteral("baseline: line longer than %1 bytes").arg(sizeof m_buffer);
                return false;
            }
            const ssize_t n = ::read(m_fd, m_buffer + m_used, sizeof m_buffer - m_used);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                *error = n == 0 ? QStringLiteral("baseline: the simulator closed the connection")
                                : errnoText("baseline: read");
                return false;
            }
            m_used += static_cast<std::size_t>(n);
        }
    }

    void consume(std::size_t bytes) {
        std::memmove(m_buffer, m_buffer + bytes, m_used - bytes);
        m_used -= bytes;
    }

    int m_fd = -1;
    char m_buffer[4096] = {};
    std::size_t m_used = 0;
};

} // namespace

bool runRoundTrip(const RoundTripOptions &options, RoundTripResult *result, QString *error) {
    hil::DeviceConfig simConfig;
    simConfig.name = QStringLiteral("envsensor");
    simConfig.kind = hil::DeviceConfig::Kind::Sim;
    simConfig.sim.model = QStringLiteral("envsensor");
    simConfig.sim.link = hil::SimSpec::Link::Tcp;
    hil::SimProcess sim(simConfig, 1);
    result->simulator = hil::SimProcess::simulatorPath() + u' ' + sim.arguments().join(u' ');

    QString simFailure;
    {
        QEventLoop loop;
        QObject::connect(&sim, &hil::SimProcess::ready, &loop,
                         [&](hil::SimSpec::Link, const QString &address) {
                             result->address = address;
                             loop.exit(0);
                         });
        QObject::connect(&sim, &hil::SimProcess::failed, &loop, [&](const QString &reason) {
            simFailure = reason;
            loop.exit(1);
        });
        sim.start(kConnectTimeoutMs);
        if (loop.exec() != 0) {
            *error = simFailure;
            return false;
        }
    }
    QObject::connect(&sim, &hil::SimProcess::exited, &sim,
                     [&](const QString &reason) { simFailure = reason; });

    const qsizetype colon = result->address.lastIndexOf(u':');
    bool portOk = false;
    const quint16 port = colon > 0 ? result->address.mid(colon + 1).toUShort(&portOk) : 0;
    if (!portOk) {
        *error = QStringLiteral("cannot read a host:port from the simulator's READY line: %1")
                     .arg(result->address);
        return false;
    }
    const QString host = result->address.left(colon);

    HarnessClient harness(host, port, false);
    HarnessClient correlated(host, port, true);
    BaselineClient baseline;
    const auto harnessBlock = [&](int count) {
        const bool ok =
            harness.connectSession(error)
            && harness.run(options.warmup, count, &result->harnessNs, &result->harnessRecordedNs, error);
        harness.disconnectSession();
        return ok;
    };
    const auto correlatedBlock = [&](int count) {
        const bool ok = correlated.connectSession(error)
                        && correlated.run(options.warmup, count, &result->correlatedNs,
                                          &result->correlatedRecordedNs, error);
        correlated.disconnectSession();
        return ok;
    };
    const auto baselineBlock = [&](int count) {
        const bool ok = baseline.connectTo(host, port, error)
                        && baseline.run(options.warmup, count, &result->baselineNs, error);
        baseline.close();
        return ok;
    };

    result->blocks = options.blocks;
    for (int b = 0; b < options.blocks; ++b) {
        const int count =
            options.exchanges / options.blocks + (b < options.exchanges % options.blocks ? 1 : 0);
        // Alternate which client goes first, so that neither always runs right after a reconnect of the
        // other.
        const bool ok = b % 3 == 0   ? harnessBlock(count) && correlatedBlock(count) && baselineBlock(count)
                        : b % 3 == 1 ? correlatedBlock(count) && baselineBlock(count) && harnessBlock(count)
                                     : baselineBlock(count) && harnessBlock(count) && correlatedBlock(count);
        if (!ok) {
            if (!simFailure.isEmpty())
                *error += QStringLiteral(" (%1)").arg(simFailure);
            return false;
        }
    }
    sim.stop();
    return true;
}

} // namespace hilbench
