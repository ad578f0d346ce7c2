#include "faultfidelitybenchmark.h"

#include "core/base/clock.h"
#include "core/base/seedmix.h"
#include "core/config/faultspecparser.h"
#include "core/link/faultdraws.h"
#include "core/link/faultproxy.h"

#include <QEventLoop>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTextStream>
#include <QTimer>
#include <QtEndian>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace hilbench {

namespace {

constexpr int kMessageBytes = 16; // sequence number and sending time, big-endian

struct Summary {
    double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
    double lateShare = 0; // at least one RTO late
};

// Nearest-rank quantiles of extra delays in ms.
Summary summarize(std::vector<double> ms, double rtoMs) {
    Summary s;
    if (ms.empty())
        return s;
    std::sort(ms.begin(), ms.end());
    const auto at = [&](double q) {
        const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(ms.size())));
        return ms[std::min(ms.size() - 1, i == 0 ? 0 : i - 1)];
    };
    s.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
    s.p50 = at(0.50);
    s.p90 = at(0.90);
    s.p99 = at(0.99);
    s.max = ms.back();
    // 3/8 of an RTO as the threshold: a loopback message is never that late without a retransmission, and
    // it lies between the model's steps (multiples of the 50 ms spacing), so a measured delay a hair under
    // a step (the sender's timer is a little late) counts as the model's exact one does.
    s.lateShare =
        static_cast<double>(std::count_if(ms.begin(), ms.end(), [&](double v) { return v >= rtoMs * 0.375; }))
        / static_cast<double>(ms.size());
    return s;
}

// The model: geometric retransmissions with a doubling timeout (capped like the pipeline's) and
// head-of-line blocking behind earlier messages, sent intervalNs apart.
std::vector<double> model(double p, const FaultFidelityOptions &o) {
    hil::Xoshiro256 rng(0x5eed + static_cast<quint64>(p * 1e6));
    constexpr int n = 200'000;
    std::vector<double> ms;
    ms.reserve(n);
    double due = -1e300;
    for (int i = 0; i < n; ++i) {
        // Runs as long as the measured one, each starting on an idle connection.
        if (i % o.messages == 0)
            due = -1e300;
        const double t = static_cast<double>(i % o.messages) * static_cast<double>(o.intervalNs);
        double wait = 0;
        double rto = static_cast<double>(o.rtoNs);
        while (rng.uniform() < p) {
            wait += rto;
            rto = std::min(rto * 2, 120e9);
        }
        due = std::max(t + wait, due);
        ms.push_back((due - t) / 1e6);
    }
    return ms;
}

struct Measured {
    std::vector<double> delaysMs;
    std::vector<qint64> sentNs; // each message's sending time, in arrival order (= sending order: TCP)
    qint64 retransmissions = 0;
};

// The model replayed on the proxy's own draws: the loss fault's generator of this run (the same
// derivation as the proxy's first connection, to-device), message by message at the times the messages
// were really sent: message i waits R·(2^K_i − 1) with K_i the draws' lost transmissions, and behind
// message i − 1. Extra delays in ms, to compare with the measured ones one by one.
std::vector<double> replay(double p, quint64 seed, const FaultFidelityOptions &o,
                           const std::vector<qint64> &sentNs) {
    hil::LinkFaultSpec spec;
    spec.kind = hil::LinkFaultSpec::Kind::Loss;
    spec.probability = p;
    hil::FaultDraws draws(hil::FaultProxy::directionSeed(seed, 1, hil::Link::Direction::ToDevice), 1, 0);
    std::vector<double> out;
    double due = -1e300;
    for (const qint64 sent : sentNs) {
        const auto t = static_cast<double>(sent);
        double wait = 0, rto = static_cast<double>(o.rtoNs);
        for (int losses = 0; losses <= hil::kMaxRetransmissions && draws.lost(spec); ++losses) {
            wait += rto;
            rto = std::min(rto * 2, static_cast<double>(spec.rtoMax.count()));
        }
        due = std::max(t + wait, due);
        out.push_back((due - t) / 1e6);
    }
    return out;
}

// One run through a FaultProxy seeded with `seed`; delays in ms, or empty with *error.
Measured measure(double p, quint64 seed, const FaultFidelityOptions &o, QString *error) {
    QTcpServer sink;
    if (!sink.listen(QHostAddress::LocalHost, 0)) {
        *error = QStringLiteral("sink: ") + sink.errorString();
        return {};
    }
    hil::FaultProxy proxy(QStringLiteral("127.0.0.1"), sink.serverPort(), seed);
    if (!proxy.listen(QHostAddress::LocalHost, 0, error))
        return {};
    if (p > 0) {
        const auto fault = hil::parseLinkFault(
            QStringLiteral("loss:p=%1,rto=%2ms,dir=to-device").arg(p).arg(o.rtoNs / 1'000'000), error);
        if (!fault)
            return {};
        proxy.inject(1, fault->spec);
    }
    std::vector<double> delays;
    std::vector<qint64> sentAt;
    QByteArray pending;
    QTcpSocket *in = nullptr;
    QEventLoop loop;
    QObject::connect(&sink, &QTcpServer::newConnection, &loop, [&] {
        in = sink.nextPendingConnection();
        QObject::connect(in, &QTcpSocket::readyRead, &loop, [&] {
            const qint64 now = hil::monotonicNs();
            pending += in->readAll();
            while (pending.size() >= kMessageBytes) {
                const auto sent = qFromBigEndian<qint64>(pending.constData() + 8);
                delays.push_back(static_cast<double>(now - sent) / 1e6);
                sentAt.push_back(sent);
                pending.remove(0, kMessageBytes);
            }
            if (static_cast<int>(delays.size()) == o.messages)
                loop.quit();
        });
    });
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, proxy.port());
    if (!client.waitForConnected(5000)) {
        *error = QStringLiteral("client: ") + client.errorString();
        return {};
    }
    client.setSocketOption(QAbstractSocket::LowDelayOption, 1);
    int sent = 0;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        char m[kMessageBytes];
        qToBigEndian<qint64>(sent++, m);
        qToBigEndian<qint64>(hil::monotonicNs(), m + 8);
        client.write(m, kMessageBytes);
        client.flush();
        if (sent == o.messages)
            tick.stop();
    });
    tick.start(static_cast<int>(o.intervalNs / 1'000'000));
    // Long enough for the slowest plausible retransmission chain.
    QTimer::singleShot(static_cast<int>(o.messages * (o.intervalNs / 1'000'000)) + 60'000, &loop,
                       [&] { loop.quit(); });
    loop.exec();
    if (static_cast<int>(delays.size()) != o.messages) {
        *error =
            QStringLiteral("loss p=%1: %2 of %3 messages arrived").arg(p).arg(delays.size()).arg(o.messages);
        return {};
    }
    return {delays, sentAt, proxy.counters(hil::Link::Direction::ToDevice).retransmissions};
}

// The model's 95 % range of a statistic over samples as large as the measured one: its Monte Carlo
// messages cut into consecutive samples of `size` (runs restart every o.messages, as measured), the
// statistic of each, and the 2.5th and 97.5th percentiles. Messages behind one lost message are late
// together, so the range is wider than a binomial interval on the message count would say.
template<typename Statistic>
std::pair<double, double> modelRange(const std::vector<double> &model, std::size_t size,
                                     Statistic statistic) {
    std::vector<double> values;
    for (std::size_t at = 0; at + size <= model.size(); at += size)
        values.push_back(
            statistic(std::vector<double>(model.begin() + static_cast<std::ptrdiff_t>(at),
                                          model.begin() + static_cast<std::ptrdiff_t>(at + size))));
    if (values.empty())
        return {0, 0};
    std::sort(values.begin(), values.end());
    const auto pick = [&](double q) {
        return values[std::min(values.size() - 1,
                               static_cast<std::size_t>(q * static_cast<double>(values.size())))];
    };
    return {pick(0.025), pick(0.975)};
}

QString row(const QString &what, const Summary &s) {
    return QStringLiteral("  %1 %2 %3 %4 %5 %6 %7\n")
        .arg(what, -9)
        .arg(s.mean, 8, 'f', 1)
        .arg(s.p50, 8, 'f', 1)
        .arg(s.p90, 8, 'f', 1)
        .arg(s.p99, 8, 'f', 1)
        .arg(s.max, 8, 'f', 1)
        .arg(s.lateShare * 100, 7, 'f', 1);
}

} // namespace

bool runFaultFidelityBenchmark(const FaultFidelityOptions &o, QTextStream &out, QString *error) {
    const double rtoMs = static_cast<double>(o.rtoNs) / 1e6;
    out << "fault fidelity: TCP-true loss through FaultProxy on loopback, " << o.messages << " messages of "
        << kMessageBytes << " B every " << o.intervalNs / 1'000'000 << " ms per run, " << o.seeds
        << " seeded runs per p, rto " << rtoMs << " ms\n";
    out.flush();
    const std::vector<double> base = measure(0, 1, o, error).delaysMs;
    if (base.empty())
        return false;
    std::vector<double> sorted = base;
    std::sort(sorted.begin(), sorted.end());
    const double baseline = sorted[sorted.size() / 2];
    out << "baseline (no fault): median " << QString::number(baseline, 'f', 3) << " ms, max "
        << QString::number(sorted.back(), 'f', 3) << " ms (subtracted below)\n";
    for (qsizetype pi = 0; pi < o.probabilities.size(); ++pi) {
        const double p = o.probabilities[pi];
        std::vector<double> pooled, replayedPooled;
        qint64 retransmissions = 0, within5ms = 0;
        double worstDiff = 0;
        for (int run = 0; run < o.seeds; ++run) {
            // Seeds of their own per P: runs at different P draw unrelated losses.
            const auto seed = static_cast<quint64>(1 + run + 1000 * pi);
            Measured m = measure(p, seed, o, error);
            if (m.delaysMs.empty())
                return false;
            for (double &v : m.delaysMs)
                v = std::max(0.0, v - baseline);
            const std::vector<double> replayed = replay(p, seed, o, m.sentNs);
            for (std::size_t i = 0; i < replayed.size(); ++i) {
                const double diff = std::abs(m.delaysMs[i] - replayed[i]);
                worstDiff = std::max(worstDiff, diff);
                within5ms += diff <= 5.0;
            }
            replayedPooled.insert(replayedPooled.end(), replayed.begin(), replayed.end());
            pooled.insert(pooled.end(), m.delaysMs.begin(), m.delaysMs.end());
            retransmissions += m.retransmissions;
        }
        // Lost transmissions per message: geometric, mean P/(1-P), variance P/(1-P)^2.
        const double n = static_cast<double>(pooled.size());
        const double expected = n * p / (1 - p);
        const double sd = std::sqrt(n * p) / (1 - p);
        const std::vector<double> modelMs = hilbench::model(p, o);
        const Summary model = summarize(modelMs, rtoMs);
        const Summary measured = summarize(pooled, rtoMs);
        const auto late = modelRange(modelMs, pooled.size(), [&](const std::vector<double> &v) {
            return summarize(v, rtoMs).lateShare;
        });
        const auto mean = modelRange(modelMs, pooled.size(),
                                     [&](const std::vector<double> &v) { return summarize(v, rtoMs).mean; });
        out << "loss p=" << p << " (" << o.seeds << " seeds x " << o.messages << " messages):\n";
        out << "  lost transmissions: measured " << retransmissions << ", model " << qRound64(expected)
            << " (95 %: " << qRound64(std::max(0.0, expected - 1.96 * sd)) << " to "
            << qRound64(expected + 1.96 * sd) << ")\n";
        out << "  late (>= 3/8 RTO): measured " << QString::number(measured.lateShare * 100, 'f', 1)
            << " %, model " << QString::number(model.lateShare * 100, 'f', 1)
            << " % (95 % of samples this size: " << QString::number(late.first * 100, 'f', 1) << " to "
            << QString::number(late.second * 100, 'f', 1) << " %)\n";
        out << "  mean extra delay: measured " << QString::number(measured.mean, 'f', 1) << " ms, model "
            << QString::number(model.mean, 'f', 1)
            << " ms (95 % of samples this size: " << QString::number(mean.first, 'f', 1) << " to "
            << QString::number(mean.second, 'f', 1) << " ms)\n";
        out << "  replayed on the proxy's own draws: " << within5ms << " of " << pooled.size()
            << " messages within 5 ms of the replay, worst " << QString::number(worstDiff, 'f', 1) << " ms\n";
        out << "  extra delay, ms   mean      p50      p90      p99      max   >=3/8 RTO %\n";
        out << row(QStringLiteral("measured"), measured);
        out << row(QStringLiteral("replayed"), summarize(replayedPooled, rtoMs));
        out << row(QStringLiteral("model"), model);
        out.flush();
    }
    return true;
}

} // namespace hilbench
