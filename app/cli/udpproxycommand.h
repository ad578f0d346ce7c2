#pragma once

struct ProxyOptions;

// `hil proxy --udp`: the datagram relay (docs/faults.md, "Datagrams (UDP)"). The arguments are checked
// by proxyCommand(); runs until SIGINT or SIGTERM and returns the exit code (3 if it cannot listen).
int runUdpProxy(const ProxyOptions &options);
