#include "proxycommand.h"

#include "commandline.h"
#include "core/base/verdict.h"
#include "core/config/faultspecparser.h"
#include "core/config/fixture.h"
#include "core/link/faultproxy.h"
#include "proxyconsole.h"
#include "udpproxycommand.h"

#include <QCommandLineParser>
#include <QHostAddress>
#include <QTextStream>

namespace {

struct HostPort {
    QString host;
    quint16 port = 0;
};

// "HOST:PORT", "[V6]:PORT", or (allowPortOnly) "PORT" on defaultHost.
std::optional<HostPort> parseHostPort(const QString &text, const QString &defaultHost, bool allowPortOnly) {
    QString host;
    QString port;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0 || text.mid(close + 1, 1) != u":")
            return std::nullopt;
        host = text.mid(1, close - 1);
        port = text.mid(close + 2);
    } else if (const qsizetype colon = text.lastIndexOf(u':'); colon >= 0) {
        host = text.left(colon);
        port = text.mid(colon + 1);
    } else if (allowPortOnly) {
        host = defaultHost;
        port = text;
    } else {
        return std::nullopt;
    }
    bool ok = false;
    const uint value = port.toUInt(&ok);
    if (host.isEmpty() || !ok || value > 65535)
        return std::nullopt;
    return HostPort{host, static_cast<quint16>(value)};
}

QString countersText(const hil::LinkCounters &c) {
    QString text =
        QStringLiteral("%1 B in, %2 B out, %3 B dropped").arg(c.bytesIn).arg(c.bytesOut).arg(c.bytesDropped);
    if (c.chunksDropped)
        text += QStringLiteral(" (%1 chunks)").arg(c.chunksDropped);
    if (c.bitsFlipped)
        text += QStringLiteral(", %1 bits flipped in %2 B").arg(c.bitsFlipped).arg(c.bytesCorrupted);
    if (c.bytesDelayed)
        text += QStringLiteral(", %1 B delayed").arg(c.bytesDelayed);
    if (c.retransmissions)
        text += QStringLiteral(", %1 retransmissions").arg(c.retransmissions);
    return text;
}

int runTcpProxy(const ProxyOptions &o) {
    ProxyConsole console(o.quiet);
    hil::FaultProxy proxy(o.upstreamHost, o.upstreamPort, o.seed);
    QString error;
    if (!proxy.listen(o.listenAddress, o.listenPort, &error))
        return console.cannotStart(o.command, error);
    QObject::connect(&proxy, &hil::FaultProxy::connectionOpened, &proxy,
                     [&](quint64 n, const QString &client) {
                         console.log(QStringLiteral("connection %1 from %2").arg(n).arg(client));
                     });
    QObject::connect(&proxy, &hil::FaultProxy::connectionClosed, &proxy,
                     [&](quint64 n, const QString &reason) {
                         console.log(QStringLiteral("connection %1 closed: %2").arg(n).arg(reason));
                     });
    console.logFaultWindows(proxy, &hil::FaultProxy::faultEnded, countersText);

    console.runUntilSignalled(QStringLiteral("READY proxy ") + proxy.listenAddress(), [&] {
        console.log(QStringLiteral("proxy %1 -> %2, seed %3")
                        .arg(proxy.listenAddress(), proxy.upstream())
                        .arg(o.seed));
        proxy.schedule(o.faults);
    });

    proxy.clearAll();
    proxy.close();
    console.log(QStringLiteral("totals: to-device %1; from-device %2")
                    .arg(countersText(proxy.counters(hil::Link::Direction::ToDevice)),
                         countersText(proxy.counters(hil::Link::Direction::FromDevice))));
    return hil::ExitPass;
}

} // namespace

int proxyCommand(const QStringList &args) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral(
            "A TCP fault proxy: forwards every client to the upstream through link faults (docs/faults.md).\n"
            "Client -> upstream is the to-device direction, upstream -> client from-device.\n"
            "Prints 'READY proxy HOST:PORT' on stdout when listening, a log on stderr; runs until SIGINT or "
            "SIGTERM (exit 0).\n\n"
            "SPEC: KIND[:KEY=VALUE,...], e.g.\n"
            "  latency:delay=50ms,jitter=5ms,dir=to-device   loss:p=0.1   loss:burst=0.01/0.3\n"
            "  bandwidth:rate=10k   corrupt:p=1e-4   slice:bytes=1,delay=1ms   drop_first:lines=2\n"
            "  close_after:after=30s   blackout:at=10s,for=3s   disconnect:at=5s,for=2s,every=60s\n"
            "Kinds: %1.\n"
            "Every kind takes dir=to-device|from-device|both (default both) and at=, for=, every= (from the\n"
            "proxy's start; without them the fault lasts from the start to the end).\n"
            "With --udp it relays datagrams instead, one flow per client address, faults per datagram\n"
            "  (duplicate:p=0.01, reorder:p=0.05,delay=20ms). Kinds: %2.")
            .arg(hil::LinkFaultSpec::kindNamesOn(false).join(QStringLiteral(", ")),
                 hil::LinkFaultSpec::kindNamesOn(true).join(QStringLiteral(", "))));
    p.addHelpOption();
    p.addOption({QStringLiteral("listen"),
                 QStringLiteral("Address to listen on (default 127.0.0.1:0, port 0 = any free port; "
                                "a bare PORT means 127.0.0.1:PORT)."),
                 QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:0")});
    p.addOption({QStringLiteral("upstream"), QStringLiteral("Where to forward each client (required)."),
                 QStringLiteral("HOST:PORT")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("Seed of every random draw (default 1)."),
                 QStringLiteral("S"), QStringLiteral("1")});
    p.addOption({QStringLiteral("fault"), QStringLiteral("A link fault; repeat for several."),
                 QStringLiteral("SPEC")});
    p.addOption({QStringLiteral("quiet"), QStringLiteral("No log on stderr.")});
    p.addOption({QStringLiteral("udp"), QStringLiteral("Relay UDP datagrams (faults per datagram).")});
    p.addOption({QStringLiteral("idle-timeout"),
                 QStringLiteral("With --udp: a flow idle this long either way ends, and the client's next "
                                "datagram opens a new one from a new port (default 60s, at least 10ms)."),
                 QStringLiteral("D")});
    if (const auto code = parseCommandLine(p, args))
        return *code;

    const QString command = args.value(0);
    QTextStream out(stdout);
    QTextStream err(stderr);
    const auto usage = [&](const QString &message) {
        err << command << ": " << message << "\n";
        return static_cast<int>(hil::ExitBadInput);
    };
    if (!p.positionalArguments().isEmpty())
        return usage(QStringLiteral("unexpected argument '%1'").arg(p.positionalArguments().first()));
    if (!p.isSet(QStringLiteral("upstream")))
        return usage(QStringLiteral("needs --upstream HOST:PORT (see --help)"));
    const auto upstream = parseHostPort(p.value(QStringLiteral("upstream")), {}, false);
    if (!upstream || upstream->port == 0)
        return usage(QStringLiteral("--upstream: expected HOST:PORT, got '%1'")
                         .arg(p.value(QStringLiteral("upstream"))));
    const auto listen = parseHostPort(p.value(QStringLiteral("listen")), QStringLiteral("127.0.0.1"), true);
    if (!listen)
        return usage(QStringLiteral("--listen: expected HOST:PORT or PORT, got '%1'")
                         .arg(p.value(QStringLiteral("listen"))));
    QHostAddress listenAddress;
    if (listen->host == u"localhost")
        listenAddress = QHostAddress(QHostAddress::LocalHost);
    else if (!listenAddress.setAddress(listen->host))
        return usage(QStringLiteral("--listen: '%1' is not an IP address").arg(listen->host));
    bool seedOk = false;
    const quint64 seed = p.value(QStringLiteral("seed")).toULongLong(&seedOk);
    if (!seedOk)
        return usage(QStringLiteral("--seed must be a whole number >= 0, got '%1'")
                         .arg(p.value(QStringLiteral("seed"))));
    QList<hil::TimedLinkFault> faults;
    const bool udp = p.isSet(QStringLiteral("udp"));
    for (const QString &spec : p.values(QStringLiteral("fault"))) {
        QString error;
        const auto fault = hil::parseLinkFault(spec, &error);
        if (!fault)
            return usage(QStringLiteral("--fault '%1': %2").arg(spec, error));
        const QString wrongLink = hil::LinkFaultSpec::inapplicableOn(fault->spec.kind, udp);
        if (!wrongLink.isEmpty())
            return usage(QStringLiteral("--fault '%1': %2%3")
                             .arg(spec, wrongLink, udp ? QString() : QStringLiteral(" (add --udp)")));
        faults.append(*fault);
    }
    ProxyOptions o;
    o.command = command;
    o.listenAddress = listenAddress;
    o.listenPort = listen->port;
    o.upstreamHost = upstream->host;
    o.upstreamPort = upstream->port;
    o.seed = seed;
    o.faults = faults;
    o.quiet = p.isSet(QStringLiteral("quiet"));
    if (p.isSet(QStringLiteral("idle-timeout"))) {
        if (!udp)
            return usage(QStringLiteral("--idle-timeout is for the flows of --udp"));
        QString why;
        o.idleTimeout = hil::parseDuration(p.value(QStringLiteral("idle-timeout")), &why);
        if (!o.idleTimeout)
            return usage(QStringLiteral("--idle-timeout: %1").arg(why));
        if (*o.idleTimeout < hil::kMinUdpIdleTimeout)
            return usage(QStringLiteral("--idle-timeout must be at least %1, got '%2'")
                             .arg(hil::formatDuration(hil::kMinUdpIdleTimeout),
                                  p.value(QStringLiteral("idle-timeout"))));
    }
    return udp ? runUdpProxy(o) : runTcpProxy(o);
}
