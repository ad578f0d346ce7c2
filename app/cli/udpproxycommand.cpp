#include "udpproxycommand.h"

#include "core/base/clock.h"
#include "core/base/verdict.h"
#include "core/link/udpproxy.h"
#include "signalbridge.h"

#include <QCoreApplication>
#include <QTextStream>

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

int runUdpProxy(const QString &command, const QHostAddress &listenAddress, quint16 listenPort,
                const QString &upstreamHost, quint16 upstreamPort, quint64 seed,
                const QList<hil::TimedLinkFault> &faults, bool quiet) {
    QTextStream out(stdout);
    QTextStream err(stderr);
    hil::UdpProxy proxy(upstreamHost, upstreamPort, seed);
    QString error;
    if (!proxy.listen(listenAddress, listenPort, &error)) {
        err << command << ": " << error << '\n';
        return hil::ExitError;
    }
    const qint64 startNs = hil::monotonicNs();
    const auto log = [&](const QString &line) {
        if (quiet)
            return;
        const double s = static_cast<double>(hil::monotonicNs() - startNs) / 1e9;
        err << QStringLiteral("+%1s ").arg(s, 0, 'f', 3) << line << '\n';
        err.flush();
    };
    QObject::connect(&proxy, &hil::UdpProxy::flowOpened, &proxy, [&](quint64 n, const QString &client) {
        log(QStringLiteral("flow %1 from %2").arg(n).arg(client));
    });
    QObject::connect(&proxy, &hil::UdpProxy::flowClosed, &proxy, [&](quint64 n, const QString &reason) {
        log(QStringLiteral("flow %1 ended: %2").arg(n).arg(reason));
    });
    QObject::connect(&proxy, &hil::UdpProxy::upstreamError, &proxy, [&](quint64 n, const QString &why) {
        log(QStringLiteral("flow %1: upstream %2: %3").arg(n).arg(proxy.upstream(), why));
    });
    QObject::connect(&proxy, &hil::UdpProxy::faultStarted, &proxy,
                     [&](int id, const hil::LinkFaultSpec &spec) {
                         log(QStringLiteral("fault %1 start: %2").arg(id).arg(spec.describe()));
                     });
    QObject::connect(&proxy, &hil::UdpProxy::faultEnded, &proxy,
                     [&](int id, const hil::LinkFaultSpec &spec, const hil::UdpProxy::Window &w) {
                         log(QStringLiteral("fault %1 end: %2; to-device %3; from-device %4")
                                 .arg(id)
                                 .arg(spec.describe(), countersText(w.toDevice), countersText(w.fromDevice)));
                     });
    SignalBridge signals_;
    QObject::connect(&signals_, &SignalBridge::received, &proxy, [&](int, const QString &name) {
        log(QStringLiteral("%1 received").arg(name));
        QCoreApplication::quit();
    });

    out << "READY proxy udp " << proxy.listenAddress() << '\n';
    out.flush();
    log(QStringLiteral("udp proxy %1 -> %2, seed %3").arg(proxy.listenAddress(), proxy.upstream()).arg(seed));
    proxy.schedule(faults);
    QCoreApplication::exec();

    proxy.clearAll();
    log(QStringLiteral("totals: to-device %1; from-device %2")
            .arg(countersText(proxy.counters(true)), countersText(proxy.counters(false))));
    proxy.close();
    return hil::ExitPass;
}
