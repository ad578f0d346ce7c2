#pragma once

#include <QList>
#include <QtGlobal>

class QTextStream;

namespace hilbench {

struct FaultFidelityOptions {
    int messages = 400;             // per run
    int seeds = 5;                  // runs per loss probability, each with its own proxy seed
    qint64 intervalNs = 50'000'000; // between messages
    qint64 rtoNs = 200'000'000;     // the loss fault's rto
    QList<double> probabilities = {0.01, 0.05, 0.2};
};

// TCP-true loss against its model: a client sends timestamped 16-byte messages every intervalNs through
// a FaultProxy (loss:p=P,rto=R, to-device) on loopback to a sink; each message's extra delay (arrival
// minus sending, minus the median of a run without the fault) is compared with the retransmission model
// computed independently: message i is due at max(t_i + R·(2^K_i - 1), due of message i-1), K_i geometric
// (P(K = k) = P^k (1 - P)), by Monte Carlo over 200000 messages in runs as long as the measured one.
// Per P, `seeds` runs with different proxy seeds: one seeded run is one sample, and at 400 messages its
// share of late messages varies by several points from seed to seed. Prints, pooled over the runs: the
// lost transmissions against N·P/(1-P) with its 95 % interval, the share of messages at least 3/8 RTO late
// with a 95 % interval from the spread between runs, and mean, p50, p90, p99 and max, measured vs model.
bool runFaultFidelityBenchmark(const FaultFidelityOptions &options, QTextStream &out, QString *error);

} // namespace hilbench
