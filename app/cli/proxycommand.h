#pragma once

#include <QStringList>

// `hil proxy --listen HOST:PORT --upstream HOST:PORT [--seed S] [--fault SPEC]...`: a TCP fault proxy
// (hil::FaultProxy) with the faults of its command line, until SIGINT or SIGTERM. args[0] is
// "hil proxy". Prints "READY proxy HOST:PORT" on stdout when listening; a log of connections and fault
// windows on stderr. Returns 0 after a signal, 2 on bad input, 3 if it cannot listen.
int proxyCommand(const QStringList &args);
