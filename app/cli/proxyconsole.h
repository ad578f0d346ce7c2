#pragma once

#include "core/config/faultspecparser.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>
#include <QTextStream>
#include <functional>
#include <optional>

// What `hil proxy` needs to run one proxy, TCP or UDP, once its command line has been checked.
struct ProxyOptions {
    QString command; // "hil proxy", for messages
    QHostAddress listenAddress;
    quint16 listenPort = 0;
    QString upstreamHost;
    quint16 upstreamPort = 0;
    quint64 seed = 1;
    QList<hil::TimedLinkFault> faults;
    bool quiet = false;
    std::optional<hil::Nanoseconds> idleTimeout; // --udp only: a flow's idle time before it ends
};

// The console of a running proxy, the same for `hil proxy` and `hil proxy --udp`: a log on stderr with
// each line stamped by the time since the proxy started ("+1.250s fault 1 start: ..."), silent with
// --quiet; the READY line on stdout; running until SIGINT or SIGTERM. Lives on the main thread.
class ProxyConsole {
public:
    explicit ProxyConsole(bool quiet);

    void log(const QString &line);
    // "HIL proxy: why" on stderr; returns the exit code of a proxy that cannot start (3).
    int cannotStart(const QString &command, const QString &why);
    // Prints `ready` on stdout, calls started() (which logs and starts the fault timeline), then runs the
    // event loop until SIGINT or SIGTERM (logged).
    void runUntilSignalled(const QString &ready, const std::function<void()> &started);

    // Logs each fault window of `proxy` as it starts and ends, with what the proxy did to the traffic in
    // it per direction (`text` prints a direction's counters).
    template<typename Proxy, typename Window, typename CountersText>
    void logFaultWindows(Proxy &proxy, void (Proxy::*ended)(int, const hil::LinkFaultSpec &, const Window &),
                         CountersText text) {
        QObject::connect(&proxy, &Proxy::faultStarted, &proxy,
                         [this](int id, const hil::LinkFaultSpec &spec) {
                             log(QStringLiteral("fault %1 start: %2").arg(id).arg(spec.describe()));
                         });
        QObject::connect(&proxy, ended, &proxy,
                         [this, text](int id, const hil::LinkFaultSpec &spec, const Window &w) {
                             log(QStringLiteral("fault %1 end: %2; to-device %3; from-device %4")
                                     .arg(id)
                                     .arg(spec.describe(), text(w.toDevice), text(w.fromDevice)));
                         });
    }

private:
    bool m_quiet;
    qint64 m_startNs;
    QTextStream m_err;
};
