#include "faultfidelitybenchmark.h"

#include "core/base/clock.h"
#include "core/base/seedmix.h"
#include "core/config/faultspecparser.h"
#include "core/link/faultproxy.h"

#include <QEventLoop>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTextStream>
#include <QTimer>
#include <QtEndian>
#include <algorithm>
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

// One run through a FaultProxy; delays in ms, or empty with *error.
std::vector<double> measure(double p, const FaultFidelityOptions &o, QString *error) {
    QTcpServer sink;
    if (!sink.listen(QHostAddress::LocalHost, 0)) {
        *error = QStringLiteral("sink: ") + sink.errorString();
        return {};
    }
    hil::FaultProxy proxy(QStringLiteral("127.0.0.1"), sink.serverPort(), 1);
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
    return delays;
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
        << kMessageBytes << " B every " << o.intervalNs / 1'000'000 << " ms per run, rto " << rtoMs
        << " ms\n";
    out.flush();
    const std::vector<double> base = measure(0, o, error);
    if (base.empty())
        return false;
    std::vector<double> sorted = base;
    std::sort(sorted.begin(), sorted.end());
    const double baseline = sorted[sorted.size() / 2];
    out << "baseline (no fault): median " << QString::number(baseline, 'f', 3) << " ms, max "
        << QString::number(sorted.back(), 'f', 3) << " ms (subtracted below)\n";
    out << "  extra delay, ms   mean      p50      p90      p99      max   >=3/8 RTO %\n";
    for (const double p : o.probabilities) {
        std::vector<double> m = measure(p, o, error);
        if (m.empty())
            return false;
        for (double &v : m)
            v = std::max(0.0, v - baseline);
        out << "loss p=" << p << ":\n";
        out << row(QStringLiteral("measured"), summarize(m, rtoMs));
        out << row(QStringLiteral("model"), summarize(model(p, o), rtoMs));
        out.flush();
    }
    return true;
}

} // namespace hilbench
