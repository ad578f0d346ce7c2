#include "linkbenchmark.h"

#include "core/base/clock.h"
#include "core/config/fixture.h"
#include "core/link/faultpipeline.h"
#include "core/link/faultproxy.h"
#include "core/session/simprocess.h"
#include "stats.h"

#include <QEventLoop>
#include <QHostAddress>
#include <QTextStream>
#include <QThread>
#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hilbench {

namespace {

constexpr int kConnectTimeoutMs = 10000;
constexpr int kPipelineRounds = 5;
constexpr qsizetype kChunkBytes = 64;

QString errnoText(const char *what) {
    return QStringLiteral("%1: %2").arg(QString::fromLatin1(what),
                                        QString::fromLocal8Bit(std::strerror(errno)));
}

QString fixed(double v, int decimals = 1) {
    return QString::number(v, 'f', decimals);
}

QString signedFixed(double v) {
    return (v >= 0 ? QStringLiteral("+") : QString()) + fixed(v);
}

// First column left-aligned, the others right-aligned, as the other sections print.
void printTable(QTextStream &out, const QList<QStringList> &rows) {
    QList<qsizetype> widths;
    for (const QStringList &row : rows)
        for (qsizetype c = 0; c < row.size(); ++c) {
            if (widths.size() <= c)
                widths.append(0);
            widths[c] = std::max(widths[c], row[c].size());
        }
    for (const QStringList &row : rows) {
        QString line = QStringLiteral("  ");
        for (qsizetype c = 0; c < row.size(); ++c)
            line += c == 0 ? row[c].leftJustified(widths[c])
                           : QStringLiteral("  ") + row[c].rightJustified(widths[c]);
        out << line << '\n';
    }
}

// The same blocking client as the round trip's baseline: TCP_NODELAY, one write, read to the '\n'.
class BlockingClient {
public:
    BlockingClient() = default;
    ~BlockingClient() { close(); }
    BlockingClient(const BlockingClient &) = delete;
    BlockingClient &operator=(const BlockingClient &) = delete;

    bool connectTo(quint16 port, QString *error) {
        close();
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0) {
            *error = errnoText("socket");
            return false;
        }
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&addr), sizeof addr) != 0) {
            *error = errnoText("connect");
            return false;
        }
        const int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
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
        for (int i = 0; i < warmup + count; ++i) {
            const qint64 startNs = hil::monotonicNs();
            if (::write(m_fd, request, sizeof request - 1) != static_cast<ssize_t>(sizeof request - 1)) {
                *error = errnoText("write");
                return false;
            }
            std::size_t lineSize = 0;
            if (!readLine(&lineSize, error))
                return false;
            const qint64 endNs = hil::monotonicNs();
            if (lineSize < 5 || std::memcmp(m_buffer, "TEMP ", 5) != 0) {
                *error = QStringLiteral("unexpected answer '%1'")
                             .arg(QString::fromUtf8(m_buffer, static_cast<qsizetype>(lineSize)));
                return false;
            }
            std::memmove(m_buffer, m_buffer + lineSize + 1, m_used - lineSize - 1);
            m_used -= lineSize + 1;
            if (i >= warmup)
                samples->push_back(endNs - startNs);
        }
        return true;
    }

private:
    bool readLine(std::size_t *lineSize, QString *error) {
        for (;;) {
            if (const void *nl = std::memchr(m_buffer, '\n', m_used)) {
                *lineSize = static_cast<std::size_t>(static_cast<const char *>(nl) - m_buffer);
                return true;
            }
            if (m_used == sizeof m_buffer) {
                *error = QStringLiteral("line longer than %1 bytes").arg(sizeof m_buffer);
                return false;
            }
            const ssize_t n = ::read(m_fd, m_buffer + m_used, sizeof m_buffer - m_used);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                *error = n == 0 ? QStringLiteral("the connection was closed") : errnoText("read");
                return false;
            }
            m_used += static_cast<std::size_t>(n);
        }
    }

    int m_fd = -1;
    char m_buffer[4096] = {};
    std::size_t m_used = 0;
};

// FaultProxies on a thread of their own with its own event loop, so that the blocking client on the
// main thread measures them from outside, as a device would.
class ProxyThread {
public:
    ProxyThread() { m_thread.start(); }
    ~ProxyThread() {
        // Deferred deletes are carried out, on the proxies' thread, when it finishes.
        for (hil::FaultProxy *p : std::as_const(m_proxies))
            p->deleteLater();
        m_thread.quit();
        m_thread.wait();
    }
    ProxyThread(const ProxyThread &) = delete;
    ProxyThread &operator=(const ProxyThread &) = delete;

    // A proxy to 127.0.0.1:upstreamPort with these faults; returns its port, or 0 with *error.
    quint16 addProxy(quint16 upstreamPort, const QList<hil::LinkFaultSpec> &faults, QString *error) {
        auto *proxy =
            new hil::FaultProxy(QStringLiteral("127.0.0.1"), upstreamPort, 1); // deleted in ~ProxyThread
        proxy->moveToThread(&m_thread);
        m_proxies.append(proxy);
        quint16 port = 0;
        QMetaObject::invokeMethod(
            proxy,
            [&] {
                if (!proxy->listen(QHostAddress::LocalHost, 0, error))
                    return;
                for (qsizetype i = 0; i < faults.size(); ++i)
                    proxy->inject(static_cast<int>(i + 1), faults[i]);
                port = proxy->port();
            },
            Qt::BlockingQueuedConnection);
        return port;
    }

private:
    QThread m_thread;
    QList<hil::FaultProxy *> m_proxies;
};

struct PipelineFigures {
    std::array<std::vector<double>, 4> nsPerChunk; // plain call, bare signal, push 0 faults, push 1 fault
    qint64 pushes = 0;
};

// ns per chunk of `pushes` calls of `step`.
double timePerChunk(qint64 pushes, const std::function<void()> &step) {
    const qint64 t0 = hil::monotonicNs();
    for (qint64 i = 0; i < pushes; ++i)
        step();
    return static_cast<double>(hil::monotonicNs() - t0) / static_cast<double>(pushes);
}

PipelineFigures measurePipeline(qint64 pushes) {
    PipelineFigures f;
    f.pushes = pushes;
    const QByteArray chunk(kChunkBytes, 'x');
    qint64 sink = 0;
    const auto consume = [&sink](const QByteArray &b) { sink += b.size(); };

    // The floor: a call through std::function that takes the chunk, as a transport hands bytes on.
    const std::function<void(const QByteArray &)> plain = [&consume](const QByteArray &b) {
        const QByteArray copy = b;
        consume(copy);
    };
    hil::FaultPipeline bare(1);
    hil::FaultPipeline empty(1);
    hil::FaultPipeline faulted(1);
    QObject::connect(&bare, &hil::FaultPipeline::output, &bare, consume);
    QObject::connect(&empty, &hil::FaultPipeline::output, &empty, consume);
    QObject::connect(&faulted, &hil::FaultPipeline::output, &faulted, consume);
    hil::LinkFaultSpec nothing;
    nothing.kind = hil::LinkFaultSpec::Kind::Corrupt;
    nothing.probability = 0;
    faulted.activate(1, nothing);

    const std::array<std::function<void()>, 4> steps = {
        [&] { plain(chunk); },
        [&] { emit bare.output(chunk); }, // the signal that push() ends in, on its own
        [&] { empty.push(chunk); },
        [&] { faulted.push(chunk); },
    };
    for (int round = 0; round < kPipelineRounds; ++round)
        for (std::size_t k = 0; k < steps.size(); ++k) {
            // Rotate who goes first, so that no variant always runs on a cold cache.
            const std::size_t v = (k + static_cast<std::size_t>(round)) % steps.size();
            f.nsPerChunk[v].push_back(timePerChunk(pushes, steps[v]));
        }
    if (sink != static_cast<qint64>(kPipelineRounds) * 4 * pushes * kChunkBytes)
        f.pushes = -1; // bytes went missing: report as a failure
    return f;
}

} // namespace

bool runLinkBenchmark(const RoundTripOptions &options, QTextStream &out, QString *error) {
    hil::DeviceConfig simConfig;
    simConfig.name = QStringLiteral("envsensor");
    simConfig.kind = hil::DeviceConfig::Kind::Sim;
    simConfig.sim.model = QStringLiteral("envsensor");
    simConfig.sim.link = hil::SimSpec::Link::Tcp;
    hil::SimProcess sim(simConfig, 1);
    QString address;
    {
        QEventLoop loop;
        QObject::connect(&sim, &hil::SimProcess::ready, &loop, [&](hil::SimSpec::Link, const QString &a) {
            address = a;
            loop.exit(0);
        });
        QObject::connect(&sim, &hil::SimProcess::failed, &loop, [&](const QString &reason) {
            *error = reason;
            loop.exit(1);
        });
        sim.start(kConnectTimeoutMs);
        if (loop.exec() != 0)
            return false;
    }
    bool portOk = false;
    const quint16 simPort = address.mid(address.lastIndexOf(u':') + 1).toUShort(&portOk);
    if (!portOk || !address.startsWith(QStringLiteral("127.0.0.1:"))) {
        *error = QStringLiteral("expected the simulator on 127.0.0.1, it said %1").arg(address);
        return false;
    }

    hil::LinkFaultSpec nothing;
    nothing.kind = hil::LinkFaultSpec::Kind::Corrupt;
    nothing.probability = 0;
    ProxyThread proxies;
    const quint16 plainProxy = proxies.addProxy(simPort, {}, error);
    const quint16 faultProxy = plainProxy ? proxies.addProxy(simPort, {nothing}, error) : 0;
    if (!plainProxy || !faultProxy)
        return false;

    // direct, through the proxy, through the proxy with a do-nothing fault
    const std::array<quint16, 3> ports = {simPort, plainProxy, faultProxy};
    std::array<std::vector<qint64>, 3> samples;
    BlockingClient client;
    for (int b = 0; b < options.blocks; ++b) {
        const int count =
            options.exchanges / options.blocks + (b < options.exchanges % options.blocks ? 1 : 0);
        for (std::size_t k = 0; k < ports.size(); ++k) {
            const std::size_t v = (k + static_cast<std::size_t>(b)) % ports.size();
            if (!client.connectTo(ports[v], error)
                || !client.run(options.warmup, count, &samples[v], error)) {
                *error = QStringLiteral("%1: %2").arg(
                    v == 0 ? QStringLiteral("direct") : QStringLiteral("proxy"), *error);
                return false;
            }
            client.close();
        }
    }
    sim.stop();

    const Percentiles d = percentiles(samples[0]);
    const Percentiles p = percentiles(samples[1]);
    const Percentiles f = percentiles(samples[2]);
    out << "Fault proxy pass-through: \"READ? TEMP\" round trip from a blocking client, against "
        << hil::SimProcess::simulatorPath() << ' ' << sim.arguments().join(u' ') << " at " << address << '\n'
        << "  " << samples[0].size() << " exchanges per path in " << options.blocks
        << " rotating blocks, each after a connect and " << options.warmup
        << " unmeasured exchanges; proxies on their own thread\n\n";
    printTable(out, {
                        {QStringLiteral("microseconds"), QStringLiteral("p50"), QStringLiteral("p90"),
                         QStringLiteral("p99"), QStringLiteral("max")},
                        {QStringLiteral("direct to the simulator"), fixed(d.p50), fixed(d.p90), fixed(d.p99),
                         fixed(d.max)},
                        {QStringLiteral("through hil::FaultProxy, no fault"), fixed(p.p50), fixed(p.p90),
                         fixed(p.p99), fixed(p.max)},
                        {QStringLiteral("through hil::FaultProxy, corrupt p=0 both ways"), fixed(f.p50),
                         fixed(f.p90), fixed(f.p99), fixed(f.max)},
                        {QStringLiteral("added by the proxy, no fault"), signedFixed(p.p50 - d.p50),
                         signedFixed(p.p90 - d.p90), signedFixed(p.p99 - d.p99), signedFixed(p.max - d.max)},
                        {QStringLiteral("added by the proxy, corrupt p=0"), signedFixed(f.p50 - d.p50),
                         signedFixed(f.p90 - d.p90), signedFixed(f.p99 - d.p99), signedFixed(f.max - d.max)},
                    });
    out << '\n';
    out.flush();

    const PipelineFigures pf = measurePipeline(options.exchanges >= 1000 ? 1'000'000 : 100'000);
    if (pf.pushes < 0) {
        *error = QStringLiteral("pipeline: bytes went missing");
        return false;
    }
    const auto row = [&](const QString &name, std::size_t v) {
        const auto [lo, hi] = std::minmax_element(pf.nsPerChunk[v].cbegin(), pf.nsPerChunk[v].cend());
        return QStringList{name, fixed(median(pf.nsPerChunk[v])), fixed(*lo), fixed(*hi)};
    };
    out << "Link pipeline cost: " << pf.pushes << " chunks of " << kChunkBytes << " bytes per run, "
        << kPipelineRounds << " runs of each, rotating; the output goes to a lambda that adds up sizes\n\n";
    printTable(out, {
                        {QStringLiteral("ns per chunk"), QStringLiteral("median"), QStringLiteral("min"),
                         QStringLiteral("max")},
                        row(QStringLiteral("baseline: std::function call taking a copy"), 0),
                        row(QStringLiteral("baseline: the bare Qt signal (emit output)"), 1),
                        row(QStringLiteral("FaultPipeline::push, no fault"), 2),
                        row(QStringLiteral("FaultPipeline::push, corrupt p=0"), 3),
                    });
    out << '\n';
    return true;
}

} // namespace hilbench
