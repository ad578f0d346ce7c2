#pragma once

#include "core/config/faultspecparser.h"
#include "core/config/linkfault.h"
#include "core/link/faultpipeline.h"
#include "core/link/faulttimeline.h"
#include "core/link/link.h"

#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QObject>
#include <QTcpServer>
#include <QTimer>
#include <array>

namespace hil {

// A TCP fault proxy: link faults on traffic the harness does not carry itself (a device's connection to
// its cloud). Listens on one address; for each accepted client it connects to the upstream and pipes the
// bytes through one FaultPipeline per direction: client -> upstream is "to-device" (the upstream stands
// where a device would), upstream -> client is "from-device". Several clients at once, each with its own
// pair of pipelines, seeded from the proxy's seed and the connection's number (1, 2, ... in accept
// order).
//
// The pipelines are LinkMode::Reliable: both sides are TCP, so `loss` delays and `blackout` holds the
// stream (docs/faults.md). A blackout that outlasts its user timeout, or a chunk lost too often, resets
// the connection: both sockets are closed with a RST and connectionClosed() says "reset: ...".
//
// When one side closes, the bytes already on their way to the other side are delivered (after the
// faults acting on them), then the other side is closed too. A disconnect fault aborts every connection
// at once and, while active, refuses new clients (accepted and closed at once); close_after closes each
// connection `after` from its start or the fault's, whichever is later. Faults apply to the connections
// open when they start and to every connection accepted while they last.
//
// Counters are per direction, summed over every connection since the proxy was made; clear() returns
// those of the fault's window. schedule() runs a timeline of faults from `hil proxy --fault`.
//
// Threads: lives on one thread, driven by its event loop; everything from that thread.
class FaultProxy : public QObject {
    Q_OBJECT
public:
    FaultProxy(QString upstreamHost, quint16 upstreamPort, quint64 seed, QObject *parent = nullptr);
    ~FaultProxy() override;

    // The seed of one direction of the connection numbered `connection` (the first is 1) of a proxy
    // seeded with `seed`: its FaultPipeline's seed, from which each fault's draws derive (FaultDraws).
    static quint64 directionSeed(quint64 seed, quint64 connection, Link::Direction direction);

    // Starts listening (port 0: any free port). Returns false with *error on failure.
    bool listen(const QHostAddress &address, quint16 port, QString *error);
    QHostAddress address() const { return m_server.serverAddress(); }
    quint16 port() const { return m_server.serverPort(); }
    // "127.0.0.1:40123", "[::1]:40123".
    QString listenAddress() const;
    QString upstream() const;
    // Stops listening and aborts every connection (connectionClosed() for each).
    void close();

    // Starts a fault (an id already active is cleared first) on every connection, now and to come.
    void inject(int id, const LinkFaultSpec &spec);
    // Ends a fault; returns the counters of its window (zeros for an unknown id).
    Link::WindowCounters clear(int id);
    void clearAll();
    bool isActive(int id) const { return m_active.contains(id); }
    // Runs a timeline starting now: fault i of the list has id firstId + i. Replaces a previous timeline
    // (its faults are cleared).
    void schedule(const QList<TimedLinkFault> &faults, int firstId = 1);

    // drop_first counts lines by this terminator ("\n" unless set).
    void setTerminator(const QByteArray &terminator);

    LinkCounters counters(Link::Direction direction) const;
    int connectionCount() const { return static_cast<int>(m_connections.size()); }

signals:
    void connectionOpened(quint64 connection, const QString &client);
    void connectionClosed(quint64 connection, const QString &reason);
    void faultStarted(int id, const hil::LinkFaultSpec &spec);
    void faultEnded(int id, const hil::LinkFaultSpec &spec, const hil::Link::WindowCounters &counters);

private:
    class Connection;
    void onNewConnection();
    void connectionEnded(Connection *c, const QString &reason);
    bool refusing() const;

    QString m_upstreamHost;
    quint16 m_upstreamPort;
    quint64 m_seed;
    QByteArray m_terminator = QByteArrayLiteral("\n");
    QTcpServer m_server;
    QList<Connection *> m_connections; // children of this proxy
    quint64 m_nextConnection = 1;
    QMap<int, LinkFaultSpec> m_active;
    QMap<int, std::array<LinkCounters, 2>> m_windowStart; // totals when each active fault started
    std::array<LinkCounters, 2> m_closedTotals;           // of connections that have ended
    FaultTimeline m_timeline;
};

} // namespace hil
