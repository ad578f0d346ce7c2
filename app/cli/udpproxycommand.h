#pragma once

#include "core/config/faultspecparser.h"

#include <QHostAddress>
#include <QList>
#include <QString>

// `hil proxy --udp`: the datagram relay (docs/faults.md, "Datagrams (UDP)"). The arguments are checked
// by proxyCommand(); runs until SIGINT or SIGTERM and returns the exit code.
int runUdpProxy(const QString &command, const QHostAddress &listenAddress, quint16 listenPort,
                const QString &upstreamHost, quint16 upstreamPort, quint64 seed,
                const QList<hil::TimedLinkFault> &faults, bool quiet);
