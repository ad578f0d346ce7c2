#pragma once

#include <QList>
#include <QString>

class QTextStream;

namespace hilbench {

struct UdpFidelityOptions {
    int datagrams = 10000; // per run
    int seeds = 5;         // runs per probability, seeds 1..seeds
    QList<double> probabilities{0.01, 0.05, 0.2};
};

// The UDP mode's loss against its model: for each probability and seed, the real `hil proxy --udp
// --fault loss:p=P,dir=to-device` between two UDP sockets on 127.0.0.1, options.datagrams datagrams sent
// in paced batches; the count lost against the binomial 95 % interval n·p ± 1.96·sqrt(n·p·(1-p)). The
// proxy's totals line shows that the kernel lost none on either side. Prints one row per run and, per
// probability, how many runs fell inside the interval.
bool runUdpFidelityBenchmark(const UdpFidelityOptions &options, QTextStream &out, QString *error);

} // namespace hilbench
