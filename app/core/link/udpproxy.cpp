#include "core/link/udpproxy.h"

#include "core/base/clock.h"
#include "core/base/seedmix.h"

#include <QHostInfo>
#include <QNetworkDatagram>
#include <QSocketNotifier>
#include <QVariant>
#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <climits>
#include <cstring>
#include <limits>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hil {

namespace {

bool actsOn(LinkFaultSpec::Direction d, bool toDevice) {
    return d == LinkFaultSpec::Direction::Both || (d == LinkFaultSpec::Direction::ToDevice) == toDevice;
}

QString hostPort(const QHostAddress &address, quint16 port) {
    const QString host = address.toString();
    return address.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                                               : QStringLiteral("%1:%2").arg(host).arg(port);
}

// A non-blocking UDP socket connected to the upstream; -1 with *error on failure.
qintptr openUpstream(const QHostAddress &address, quint16 port, QString *error) {
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&storage);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        const Q_IPV6ADDR v6 = address.toIPv6Address();
        std::memcpy(&a->sin6_addr, &v6, sizeof v6);
        length = sizeof *a;
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&storage);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof *a;
    }
    const int fd = ::socket(storage.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr *>(&storage), length) < 0) {
        *error = QStringLiteral("cannot open a UDP socket to %1: %2")
                     .arg(address.toString(), QString::fromLocal8Bit(std::strerror(errno)));
        if (fd >= 0)
            ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

// One client's NAT entry: its own upstream socket and a DatagramFaults per direction.
class UdpProxy::Flow : public QObject {
public:
    Flow(UdpProxy *proxy, quint64 number, const QHostAddress &client, quint16 clientPort)
        : QObject(proxy)
        , m_proxy(proxy)
        , m_number(number)
        , m_client(client)
        , m_clientPort(clientPort)
        , m_toDevice(deriveSeed(deriveSeed(proxy->m_seed, number), 1), this)
        , m_fromDevice(deriveSeed(deriveSeed(proxy->m_seed, number), 2), this)
        , m_fd(
              static_cast<int>(openUpstream(proxy->m_upstreamAddress, proxy->m_upstreamPort, &m_openError))) {
        m_lastActive = monotonicNs();
        // A connected UDP socket of its own (plain POSIX, not QUdpSocket): the kernel then reports an
        // ICMP port unreachable from the upstream as ECONNREFUSED on the next recv() or send(). QUdpSocket
        // peeks for datagrams before its readyRead() and so swallows that error unseen.
        if (m_fd >= 0) {
            m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
            connect(m_notifier.get(), &QSocketNotifier::activated, this, &Flow::onReadable);
        }
        connect(&m_toDevice, &DatagramFaults::output, this, [this](const QByteArray &d) {
            if (fd() < 0) {
                reportError(m_openError);
                return;
            }
            if (::send(fd(), d.constData(), static_cast<size_t>(d.size()), MSG_NOSIGNAL) < 0)
                reportError(errnoText());
        });
        connect(&m_fromDevice, &DatagramFaults::output, this,
                [this](const QByteArray &d) { m_proxy->m_socket.writeDatagram(d, m_client, m_clientPort); });
        for (auto it = proxy->m_active.cbegin(); it != proxy->m_active.cend(); ++it)
            inject(it.key(), it.value());
    }

    quint64 number() const { return m_number; }
    bool owns(const QHostAddress &a, quint16 port) const {
        return port == m_clientPort && a.isEqual(m_client);
    }
    QString client() const { return hostPort(m_client, m_clientPort); }
    qint64 lastActive() const { return m_lastActive; }

    void fromClient(const QByteArray &d) {
        m_lastActive = monotonicNs();
        m_toDevice.push(d);
    }
    void inject(int id, const LinkFaultSpec &spec) {
        if (actsOn(spec.direction, true))
            m_toDevice.activate(id, spec);
        if (actsOn(spec.direction, false))
            m_fromDevice.activate(id, spec);
    }
    void clear(int id) {
        m_toDevice.deactivate(id);
        m_fromDevice.deactivate(id);
    }
    void end() {
        m_toDevice.discard();
        m_fromDevice.discard();
        closeUpstream();
    }
    ~Flow() override { closeUpstream(); }
    // Once until the upstream answers again: a dead port refuses every datagram sent to it.
    void reportError(const QString &why) {
        if (m_refused)
            return;
        m_refused = true;
        emit m_proxy->upstreamError(m_number, why);
    }
    DatagramCounters counters(bool toDevice) const {
        return toDevice ? m_toDevice.counters() : m_fromDevice.counters();
    }

private:
    static QString errnoText() {
        const int e = errno;
        return e == ECONNREFUSED
                   ? QStringLiteral("connection refused (ICMP port unreachable: nothing listens there)")
                   : QString::fromLocal8Bit(std::strerror(e));
    }
    int fd() const { return m_fd; }
    void closeUpstream() {
        if (m_notifier) {
            m_notifier->setEnabled(false);
            m_notifier.release()->deleteLater(); // may be inside its own activated()
        }
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }
    void onReadable() {
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(fd(), buffer, sizeof buffer, 0);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno != EAGAIN && errno != EWOULDBLOCK)
                    reportError(errnoText());
                return;
            }
            m_refused = false;
            m_lastActive = monotonicNs();
            m_fromDevice.push(QByteArray(buffer, static_cast<qsizetype>(n)));
            if (fd() < 0)
                return;
        }
    }

    UdpProxy *m_proxy;
    quint64 m_number;
    QHostAddress m_client;
    quint16 m_clientPort;
    DatagramFaults m_toDevice;
    DatagramFaults m_fromDevice;
    QString m_openError;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    qint64 m_lastActive = 0;
    bool m_refused = false;
};

UdpProxy::UdpProxy(QString upstreamHost, quint16 upstreamPort, quint64 seed, QObject *parent)
    : QObject(parent)
    , m_upstreamHost(std::move(upstreamHost))
    , m_upstreamPort(upstreamPort)
    , m_seed(seed)
    , m_socket(this)
    , m_timeline(
          this, [this](int id, const LinkFaultSpec &spec) { inject(id, spec); },
          [this](int id) { clear(id); })
    , m_sweepTimer(this) {
    connect(&m_sweepTimer, &QTimer::timeout, this, &UdpProxy::onSweep);
    connect(&m_socket, &QUdpSocket::readyRead, this, &UdpProxy::onClientDatagrams);
}

UdpProxy::~UdpProxy() {
    m_socket.disconnect(this);
    for (Flow *f : std::as_const(m_flows))
        f->end();
}

bool UdpProxy::listen(const QHostAddress &address, quint16 port, QString *error) {
    if (!m_upstreamAddress.setAddress(m_upstreamHost)) {
        const QHostInfo info = QHostInfo::fromName(m_upstreamHost);
        if (info.addresses().isEmpty()) {
            if (error)
                *error = QStringLiteral("upstream %1: %2").arg(upstream(), info.errorString());
            return false;
        }
        m_upstreamAddress = info.addresses().constFirst();
    }
    if (!m_socket.bind(address, port)) {
        if (error)
            *error = QStringLiteral("cannot listen for UDP on %1: %2")
                         .arg(hostPort(address, port), m_socket.errorString());
        return false;
    }
    // Large enough that a burst of datagrams is not dropped by the kernel before the proxy reads it.
    m_socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(4 * 1024 * 1024));
    m_sweepTimer.start(static_cast<int>(std::clamp<qint64>(m_idleNs / 4'000'000, 10, 1000)));
    return true;
}

QString UdpProxy::listenAddress() const {
    return hostPort(m_socket.localAddress(), m_socket.localPort());
}

QString UdpProxy::upstream() const {
    return m_upstreamHost.contains(u':') ? QStringLiteral("[%1]:%2").arg(m_upstreamHost).arg(m_upstreamPort)
                                         : QStringLiteral("%1:%2").arg(m_upstreamHost).arg(m_upstreamPort);
}

void UdpProxy::close() {
    m_socket.close();
    m_sweepTimer.stop();
    while (!m_flows.isEmpty())
        endFlow(m_flows.constFirst(), QStringLiteral("proxy closed"));
}

void UdpProxy::setFlowIdleTimeout(Nanoseconds idle) {
    m_idleNs = std::max<qint64>(idle.count(), 1'000'000);
    if (m_sweepTimer.isActive())
        m_sweepTimer.start(static_cast<int>(std::clamp<qint64>(m_idleNs / 4'000'000, 10, 1000)));
}

void UdpProxy::onClientDatagrams() {
    while (m_socket.hasPendingDatagrams()) {
        const QNetworkDatagram d = m_socket.receiveDatagram();
        if (!d.isValid())
            break;
        const QHostAddress from = d.senderAddress();
        const auto port = static_cast<quint16>(d.senderPort());
        const auto it = std::find_if(m_flows.cbegin(), m_flows.cend(),
                                     [&](const Flow *f) { return f->owns(from, port); });
        Flow *flow = it != m_flows.cend() ? *it : nullptr;
        if (!flow) {
            flow = new Flow(this, m_nextFlow++, from, port);
            m_flows.append(flow);
            emit flowOpened(flow->number(), flow->client());
        }
        flow->fromClient(d.data());
    }
}

void UdpProxy::endFlow(Flow *flow, const QString &reason) {
    m_closedTotals[0] += flow->counters(true);
    m_closedTotals[1] += flow->counters(false);
    flow->end();
    m_flows.removeOne(flow);
    flow->deleteLater();
    emit flowClosed(flow->number(), reason);
}

void UdpProxy::onSweep() {
    const qint64 now = monotonicNs();
    const QList<Flow *> flows = m_flows;
    for (Flow *f : flows)
        if (now - f->lastActive() >= m_idleNs)
            endFlow(f, QStringLiteral("idle for %1").arg(formatDuration(Nanoseconds(m_idleNs))));
}

std::array<DatagramCounters, 2> UdpProxy::totals() const {
    std::array<DatagramCounters, 2> t = m_closedTotals;
    for (const Flow *f : m_flows) {
        t[0] += f->counters(true);
        t[1] += f->counters(false);
    }
    return t;
}

DatagramCounters UdpProxy::counters(bool toDevice) const {
    return totals()[toDevice ? 0 : 1];
}

void UdpProxy::inject(int id, const LinkFaultSpec &spec) {
    if (m_active.contains(id))
        clear(id);
    m_active.insert(id, spec);
    m_windowStart.insert(id, totals());
    for (Flow *f : std::as_const(m_flows))
        f->inject(id, spec);
    emit faultStarted(id, spec);
}

UdpProxy::Window UdpProxy::clear(int id) {
    Window w;
    if (!m_active.contains(id))
        return w;
    for (Flow *f : std::as_const(m_flows))
        f->clear(id);
    const std::array<DatagramCounters, 2> start = m_windowStart.take(id);
    const std::array<DatagramCounters, 2> now = totals();
    w.toDevice = now[0] - start[0];
    w.fromDevice = now[1] - start[1];
    const LinkFaultSpec spec = m_active.take(id);
    emit faultEnded(id, spec, w);
    return w;
}

void UdpProxy::clearAll() {
    for (const int id : m_active.keys())
        clear(id);
}

void UdpProxy::schedule(const QList<TimedLinkFault> &faults, int firstId) {
    m_timeline.schedule(faults, firstId);
}

} // namespace hil
