#include "core/link/faultproxy.h"

#include "core/base/clock.h"
#include "core/base/seedmix.h"

#include <QTcpSocket>
#include <algorithm>
#include <climits>
#include <limits>
#include <sys/socket.h>

namespace hil {

namespace {

bool actsOn(LinkFaultSpec::Direction d, Link::Direction which) {
    if (d == LinkFaultSpec::Direction::Both)
        return true;
    return (d == LinkFaultSpec::Direction::ToDevice) == (which == Link::Direction::ToDevice);
}

// Makes the socket's close send a RST (SO_LINGER on, zero time), as a TCP stack that gave up does.
void resetOnClose(QTcpSocket *socket) {
    const qintptr fd = socket->socketDescriptor();
    if (fd < 0)
        return;
    const linger l{1, 0};
    ::setsockopt(static_cast<int>(fd), SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

QString hostPort(const QHostAddress &address, quint16 port) {
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + address.toString() + u']'
                             : address.toString();
    return host + u':' + QString::number(port);
}

} // namespace

// One client and its upstream connection. States: Connecting (to the upstream) -> Open; when one side
// goes, the other is closed once the bytes on their way to it are out (Draining), then Done. A fault's
// closeRequested() aborts both sides at once.
class FaultProxy::Connection : public QObject {
public:
    enum class Side { Client, Upstream };

    Connection(FaultProxy *proxy, quint64 number, QTcpSocket *client)
        : QObject(proxy)
        , m_proxy(proxy)
        , m_number(number)
        , m_client(client)
        , m_upstream(new QTcpSocket(this))
        , m_toDevice(FaultProxy::directionSeed(proxy->m_seed, number, Link::Direction::ToDevice),
                     LinkMode::Reliable, this)
        , m_fromDevice(FaultProxy::directionSeed(proxy->m_seed, number, Link::Direction::FromDevice),
                       LinkMode::Reliable, this) {
        m_client->setParent(this);
        m_client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        m_toDevice.setTerminator(proxy->m_terminator);
        m_fromDevice.setTerminator(proxy->m_terminator);
        for (auto it = proxy->m_active.cbegin(); it != proxy->m_active.cend(); ++it)
            activate(it.key(), it.value());

        connect(m_client, &QTcpSocket::readyRead, this, [this] {
            const QByteArray bytes = m_client->readAll();
            if (!m_done && !m_upstreamGone)
                m_toDevice.push(bytes);
        });
        connect(m_upstream, &QTcpSocket::readyRead, this, [this] {
            const QByteArray bytes = m_upstream->readAll();
            if (!m_done && !m_clientGone)
                m_fromDevice.push(bytes);
        });
        connect(&m_toDevice, &FaultPipeline::output, this, [this](const QByteArray &bytes) {
            if (!m_upstreamConnected) {
                m_pendingUpstream += bytes;
                return;
            }
            m_upstream->write(bytes);
            m_upstream->flush();
        });
        connect(&m_fromDevice, &FaultPipeline::output, this, [this](const QByteArray &bytes) {
            m_client->write(bytes);
            m_client->flush();
        });
        connect(&m_toDevice, &FaultPipeline::drained, this, [this] {
            if (m_clientGone && m_upstreamConnected)
                closeGracefully(m_upstream);
        });
        connect(&m_fromDevice, &FaultPipeline::drained, this, [this] {
            if (m_upstreamGone)
                closeGracefully(m_client);
        });
        connect(&m_toDevice, &FaultPipeline::closeRequested, this, &Connection::finish);
        connect(&m_fromDevice, &FaultPipeline::closeRequested, this, &Connection::finish);
        // (finish() resets both sockets when the reason is a reset: a blackout past its user timeout.)

        connect(m_upstream, &QTcpSocket::connected, this, [this] {
            m_upstreamConnected = true;
            m_upstream->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            if (!m_pendingUpstream.isEmpty()) {
                m_upstream->write(m_pendingUpstream);
                m_upstream->flush();
                m_pendingUpstream.clear();
            }
            if (m_clientGone && m_toDevice.queuedBytes() == 0)
                closeGracefully(m_upstream);
        });
        connect(m_upstream, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
            if (m_done)
                return;
            if (!m_upstreamConnected) {
                finish(QStringLiteral("upstream %1: %2").arg(m_proxy->upstream(), m_upstream->errorString()));
                return;
            }
            // A peer that closes gives disconnected() as well; that is the one acted on.
            if (e != QAbstractSocket::RemoteHostClosedError)
                sideGone(Side::Upstream, QStringLiteral("upstream: %1").arg(m_upstream->errorString()));
        });
        connect(m_upstream, &QTcpSocket::disconnected, this,
                [this] { sideGone(Side::Upstream, QStringLiteral("the upstream closed the connection")); });
        connect(m_client, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError e) {
            if (!m_done && e != QAbstractSocket::RemoteHostClosedError)
                sideGone(Side::Client, QStringLiteral("client: %1").arg(m_client->errorString()));
        });
        connect(m_client, &QTcpSocket::disconnected, this,
                [this] { sideGone(Side::Client, QStringLiteral("the client closed the connection")); });

        m_upstream->connectToHost(proxy->m_upstreamHost, proxy->m_upstreamPort);
    }

    quint64 number() const { return m_number; }
    QString peer() const { return hostPort(m_client->peerAddress(), m_client->peerPort()); }
    LinkCounters counters(Link::Direction d) const {
        return d == Link::Direction::ToDevice ? m_toDevice.counters() : m_fromDevice.counters();
    }

    void activate(int id, const LinkFaultSpec &spec) {
        if (!m_done && actsOn(spec.direction, Link::Direction::ToDevice))
            m_toDevice.activate(id, spec);
        if (!m_done && actsOn(spec.direction, Link::Direction::FromDevice))
            m_fromDevice.activate(id, spec);
    }

    void deactivate(int id) {
        m_toDevice.deactivate(id);
        m_fromDevice.deactivate(id);
    }

    void setTerminator(const QByteArray &terminator) {
        m_toDevice.setTerminator(terminator);
        m_fromDevice.setTerminator(terminator);
    }

    // Ends the connection at once: both sockets aborted, queued bytes dropped; the proxy is told.
    void finish(const QString &reason) {
        if (m_done)
            return;
        m_done = true;
        m_client->disconnect(this);
        m_upstream->disconnect(this);
        if (reason.startsWith(QLatin1String("reset:"))) {
            // TCP gave up: both peers get a RST, not an orderly FIN.
            resetOnClose(m_client);
            resetOnClose(m_upstream);
        }
        m_client->abort();
        m_upstream->abort();
        m_toDevice.discard();
        m_fromDevice.discard();
        m_proxy->connectionEnded(this, reason);
    }

private:
    void sideGone(Side side, const QString &reason) {
        if (m_done)
            return;
        if (m_reason.isEmpty())
            m_reason = reason;
        if (side == Side::Client) {
            if (m_clientGone)
                return;
            m_clientGone = true;
            m_toDevice.push(m_client->readAll());
            m_fromDevice.discard();
        } else {
            if (m_upstreamGone)
                return;
            m_upstreamGone = true;
            m_fromDevice.push(m_upstream->readAll());
            m_toDevice.discard();
            m_pendingUpstream.clear();
        }
        if (m_clientGone && m_upstreamGone) {
            finish(m_reason);
            return;
        }
        // Whatever is still on its way to the other side goes first (the drained() handlers).
        if (side == Side::Client && m_upstreamConnected && m_toDevice.queuedBytes() == 0)
            closeGracefully(m_upstream);
        if (side == Side::Upstream && m_fromDevice.queuedBytes() == 0)
            closeGracefully(m_client);
    }

    // Closes after the socket's own write buffer is out; its disconnected() then ends the connection.
    void closeGracefully(QTcpSocket *socket) {
        if (m_done)
            return;
        socket->disconnectFromHost();
        if (socket->state() == QAbstractSocket::UnconnectedState)
            finish(m_reason);
    }

    FaultProxy *m_proxy;
    quint64 m_number;
    QTcpSocket *m_client;   // child
    QTcpSocket *m_upstream; // child
    FaultPipeline m_toDevice;
    FaultPipeline m_fromDevice;
    QByteArray m_pendingUpstream; // bytes that left the pipeline before the upstream connected
    QString m_reason;
    bool m_upstreamConnected = false;
    bool m_clientGone = false;
    bool m_upstreamGone = false;
    bool m_done = false;
};

FaultProxy::FaultProxy(QString upstreamHost, quint16 upstreamPort, quint64 seed, QObject *parent)
    : QObject(parent)
    , m_upstreamHost(std::move(upstreamHost))
    , m_upstreamPort(upstreamPort)
    , m_seed(seed)
    , m_server(this)
    , m_timeline(
          this, [this](int id, const LinkFaultSpec &spec) { inject(id, spec); },
          [this](int id) { clear(id); }) {
    connect(&m_server, &QTcpServer::newConnection, this, &FaultProxy::onNewConnection);
}

FaultProxy::~FaultProxy() {
    m_server.close();
    m_timeline.stop();
    // Quietly: nobody is listening for connectionClosed() any more.
    blockSignals(true);
    for (Connection *c : QList<Connection *>(m_connections))
        c->finish(QStringLiteral("proxy destroyed"));
}

bool FaultProxy::listen(const QHostAddress &address, quint16 port, QString *error) {
    if (m_server.listen(address, port))
        return true;
    if (error)
        *error =
            QStringLiteral("cannot listen on %1: %2").arg(hostPort(address, port), m_server.errorString());
    return false;
}

QString FaultProxy::listenAddress() const {
    return hostPort(m_server.serverAddress(), m_server.serverPort());
}

QString FaultProxy::upstream() const {
    return m_upstreamHost + u':' + QString::number(m_upstreamPort);
}

void FaultProxy::close() {
    m_server.close();
    m_timeline.stop();
    for (Connection *c : QList<Connection *>(m_connections))
        c->finish(QStringLiteral("proxy closed"));
}

void FaultProxy::inject(int id, const LinkFaultSpec &spec) {
    clear(id);
    m_active.insert(id, spec);
    m_windowStart.insert(id, {counters(Link::Direction::ToDevice), counters(Link::Direction::FromDevice)});
    emit faultStarted(id, spec);
    // A disconnect ends connections from inside activate(): walk a copy.
    for (Connection *c : QList<Connection *>(m_connections))
        c->activate(id, spec);
}

Link::WindowCounters FaultProxy::clear(int id) {
    if (!m_active.contains(id))
        return {};
    // Bytes a blackout held leave now, and a connection whose other side is gone may end: walk a copy.
    for (Connection *c : QList<Connection *>(m_connections))
        c->deactivate(id);
    const std::array<LinkCounters, 2> start = m_windowStart.take(id);
    Link::WindowCounters w;
    w.toDevice = counters(Link::Direction::ToDevice) - start[0];
    w.fromDevice = counters(Link::Direction::FromDevice) - start[1];
    const LinkFaultSpec spec = m_active.take(id);
    emit faultEnded(id, spec, w);
    return w;
}

void FaultProxy::clearAll() {
    for (const int id : m_active.keys())
        clear(id);
}

void FaultProxy::setTerminator(const QByteArray &terminator) {
    m_terminator = terminator;
    for (Connection *c : std::as_const(m_connections))
        c->setTerminator(terminator);
}

LinkCounters FaultProxy::counters(Link::Direction direction) const {
    const auto i = static_cast<std::size_t>(direction == Link::Direction::ToDevice ? 0 : 1);
    LinkCounters total = m_closedTotals[i];
    for (const Connection *c : m_connections)
        total += c->counters(direction);
    return total;
}

quint64 FaultProxy::directionSeed(quint64 seed, quint64 connection, Link::Direction direction) {
    return deriveSeed(deriveSeed(seed, connection), direction == Link::Direction::ToDevice ? 1 : 2);
}

void FaultProxy::onNewConnection() {
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        const quint64 number = m_nextConnection++;
        if (refusing()) {
            socket->abort();
            socket->deleteLater();
            emit connectionClosed(number, QStringLiteral("refused: disconnect fault active"));
            continue;
        }
        auto *c = new Connection(this, number, socket); // child of this proxy
        m_connections.append(c);
        emit connectionOpened(number, c->peer());
    }
}

void FaultProxy::connectionEnded(Connection *c, const QString &reason) {
    m_closedTotals[0] += c->counters(Link::Direction::ToDevice);
    m_closedTotals[1] += c->counters(Link::Direction::FromDevice);
    m_connections.removeOne(c);
    // Often called from inside the connection's own sockets' or pipelines' signals.
    c->deleteLater();
    emit connectionClosed(c->number(), reason);
}

bool FaultProxy::refusing() const {
    return std::any_of(m_active.cbegin(), m_active.cend(),
                       [](const LinkFaultSpec &s) { return s.kind == LinkFaultSpec::Kind::Disconnect; });
}

void FaultProxy::schedule(const QList<TimedLinkFault> &faults, int firstId) {
    m_timeline.schedule(faults, firstId);
}

} // namespace hil
