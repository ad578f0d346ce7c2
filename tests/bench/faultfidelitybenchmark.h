#pragma once

#include <QList>
#include <QtGlobal>

class QTextStream;

namespace hilbench {

struct FaultFidelityOptions {
    int messages = 400;             // per loss probability
    qint64 intervalNs = 50'000'000; // between messages
    qint64 rtoNs = 200'000'000;     // the loss fault's rto
    QList<double> probabilities = {0.01, 0.05, 0.2};
};

// TCP-true loss against its model: a client sends timestamped 16-byte messages every intervalNs through
// a FaultProxy (loss:p=P,rto=R, to-device) on loopback to a sink; each message's extra delay (arrival
// minus sending, minus the median of a run without the fault) is compared with the retransmission model
// computed independently: message i is due at max(t_i + R·(2^K_i - 1), due of message i-1), K_i geometric
// (P(K = k) = P^k (1 - P)), by Monte Carlo over 200000 messages in runs as long as the measured one. Prints
// mean, p50, p90, p99, max and the share of messages at least one RTO late, measured vs model, per P.
bool runFaultFidelityBenchmark(const FaultFidelityOptions &options, QTextStream &out, QString *error);

} // namespace hilbench
