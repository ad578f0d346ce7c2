#include "udpproxycommand.h"

#include "core/base/verdict.h"
#include "core/link/udpproxy.h"
#include "proxyconsole.h"

namespace {

QString countersText(const hil::DatagramCounters &c) {
    QString text = QStringLiteral("%1 datagrams in, %2 out, %3 dropped").arg(c.in).arg(c.out).arg(c.dropped);
    if (c.duplicated)
        text += QStringLiteral(", %1 duplicated").arg(c.duplicated);
    if (c.reordered)
        text += QStringLiteral(", %1 held back").arg(c.reordered);
    if (c.bitsFlipped)
        text += QStringLiteral(", %1 bits flipped in %2 datagrams").arg(c.bitsFlipped).arg(c.corrupted);
    if (c.delayed)
        text += QStringLiteral(", %1 delayed").arg(c.delayed);
    return text;
}

} // namespace

int runUdpProxy(const ProxyOptions &o) {
    ProxyConsole console(o.quiet);
    hil::UdpProxy proxy(o.upstreamHost, o.upstreamPort, o.seed);
    if (o.idleTimeout)
        proxy.setFlowIdleTimeout(*o.idleTimeout);
    QString error;
    if (!proxy.listen(o.listenAddress, o.listenPort, &error))
        return console.cannotStart(o.command, error);
    QObject::connect(&proxy, &hil::UdpProxy::flowOpened, &proxy, [&](quint64 n, const QString &client) {
        console.log(QStringLiteral("flow %1 from %2").arg(n).arg(client));
    });
    QObject::connect(&proxy, &hil::UdpProxy::flowClosed, &proxy, [&](quint64 n, const QString &reason) {
        console.log(QStringLiteral("flow %1 ended: %2").arg(n).arg(reason));
    });
    QObject::connect(&proxy, &hil::UdpProxy::upstreamError, &proxy, [&](quint64 n, const QString &why) {
        console.log(QStringLiteral("flow %1: upstream %2: %3").arg(n).arg(proxy.upstream(), why));
    });
    console.logFaultWindows(proxy, &hil::UdpProxy::faultEnded, countersText);

    console.runUntilSignalled(QStringLiteral("READY proxy udp ") + proxy.listenAddress(), [&] {
        console.log(QStringLiteral("udp proxy %1 -> %2, seed %3, flows end after %4 idle")
                        .arg(proxy.listenAddress(), proxy.upstream())
                        .arg(o.seed)
                        .arg(hil::formatDuration(proxy.flowIdleTimeout())));
        proxy.schedule(o.faults);
    });

    proxy.clearAll();
    console.log(QStringLiteral("totals: to-device %1; from-device %2")
                    .arg(countersText(proxy.counters(true)), countersText(proxy.counters(false))));
    proxy.close();
    return hil::ExitPass;
}
