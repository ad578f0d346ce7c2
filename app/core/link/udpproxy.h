#pragma once

#include "core/base/duration.h"
#include "core/config/faultspecparser.h"
#include "core/config/linkfault.h"
#include "core/link/datagramfaults.h"
#include "core/link/faulttimeline.h"

#include <QHostAddress>
#include <QList>
#include <QMap>
#include <QObject>
#include <QTimer>
#include <QUdpSocket>
#include <array>

namespace hil {

// A UDP fault proxy: link faults per datagram (DatagramFaults) between clients and one upstream. Listens
// on one UDP socket; each client address (source host:port) gets a flow of its own, like a NAT entry: an
// upstream socket from which the datagrams to the upstream are sent and on which its replies come back,
// so each reply goes to the client that owns the flow. Client -> upstream is "to-device", upstream ->
// client "from-device"; each flow has one DatagramFaults per direction, seeded from the proxy's seed and
// the flow's number (1, 2, ... in order of first datagram). A flow ends after an idle time (60 s unless
// set) without a datagram either way; the client's next datagram opens a new one.
//
// Faults apply to the flows open when they start and to every flow opened while they last. An upstream
// that answers with ICMP port unreachable shows as upstreamError() on that flow, once until the upstream
// answers again; the flow stays (UDP has no connection to lose) and later datagrams are sent again.
//
// Threads: lives on one thread, driven by its event loop; everything from that thread.
class UdpProxy : public QObject {
    Q_OBJECT
public:
    struct Window {
        DatagramCounters toDevice;
        DatagramCounters fromDevice;
    };

    UdpProxy(QString upstreamHost, quint16 upstreamPort, quint64 seed, QObject *parent = nullptr);
    ~UdpProxy() override;

    // Resolves the upstream and binds the listening socket (port 0: any free port). Returns false with
    // *error on failure.
    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const { return m_socket.localPort(); }
    // "127.0.0.1:40123", "[::1]:40123".
    QString listenAddress() const;
    QString upstream() const;
    // Stops listening and ends every flow (flowClosed() for each).
    void close();
    void setFlowIdleTimeout(Nanoseconds idle);
    Nanoseconds flowIdleTimeout() const { return Nanoseconds(m_idleNs); }

    // Starts a fault (an id already active is cleared first) on every flow, now and to come. The caller
    // has refused kinds that do not apply to datagrams (LinkFaultSpec::inapplicableOnDatagrams()).
    void inject(int id, const LinkFaultSpec &spec);
    Window clear(int id);
    void clearAll();
    bool isActive(int id) const { return m_active.contains(id); }
    // Runs a timeline starting now, as FaultProxy::schedule() does.
    void schedule(const QList<TimedLinkFault> &faults, int firstId = 1);

    // Summed over every flow since the proxy was made; index 0 to-device, 1 from-device.
    DatagramCounters counters(bool toDevice) const;
    int flowCount() const { return static_cast<int>(m_flows.size()); }

signals:
    void flowOpened(quint64 flow, const QString &client);
    void flowClosed(quint64 flow, const QString &reason);
    void upstreamError(quint64 flow, const QString &error);
    void faultStarted(int id, const hil::LinkFaultSpec &spec);
    void faultEnded(int id, const hil::LinkFaultSpec &spec, const hil::UdpProxy::Window &window);

private:
    class Flow;
    void onClientDatagrams();
    void endFlow(Flow *flow, const QString &reason);
    void onSweep();
    std::array<DatagramCounters, 2> totals() const;

    QString m_upstreamHost;
    quint16 m_upstreamPort;
    QHostAddress m_upstreamAddress;
    quint64 m_seed;
    QUdpSocket m_socket;
    QList<Flow *> m_flows; // children of this proxy
    quint64 m_nextFlow = 1;
    qint64 m_idleNs = 60'000'000'000LL;
    QMap<int, LinkFaultSpec> m_active;
    QMap<int, std::array<DatagramCounters, 2>> m_windowStart;
    std::array<DatagramCounters, 2> m_closedTotals;
    FaultTimeline m_timeline;
    QTimer m_sweepTimer;
};

} // namespace hil
