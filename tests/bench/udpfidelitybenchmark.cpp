#include "udpfidelitybenchmark.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QNetworkDatagram>
#include <QProcess>
#include <QRegularExpression>
#include <QTextStream>
#include <QTimer>
#include <QUdpSocket>
#include <QVariant>
#include <cmath>

namespace hilbench {

namespace {

QString hilProgram() {
    const QString fromEnv = qEnvironmentVariable("HIL");
    return !fromEnv.isEmpty() ? fromEnv : QCoreApplication::applicationDirPath() + QStringLiteral("/hil");
}

struct RunResult {
    qint64 received = 0;
    qint64 proxyIn = 0;
    qint64 proxyOut = 0;
};

bool runOnce(double p, int n, int seed, RunResult *result, QString *error) {
    QUdpSocket sink;
    QUdpSocket client;
    if (!sink.bind(QHostAddress::LocalHost, 0) || !client.bind(QHostAddress::LocalHost, 0)) {
        *error = QStringLiteral("cannot bind UDP sockets on 127.0.0.1: ") + sink.errorString();
        return false;
    }
    sink.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, QVariant(4 * 1024 * 1024));
    qint64 received = 0;
    QObject::connect(&sink, &QUdpSocket::readyRead, [&] {
        while (sink.hasPendingDatagrams()) {
            sink.receiveDatagram();
            ++received;
        }
    });
    QProcess proxy;
    proxy.start(hilProgram(), {QStringLiteral("proxy"), QStringLiteral("--udp"), QStringLiteral("--upstream"),
                               QStringLiteral("127.0.0.1:%1").arg(sink.localPort()), QStringLiteral("--seed"),
                               QString::number(seed), QStringLiteral("--fault"),
                               QStringLiteral("loss:p=%1,dir=to-device").arg(p)});
    while (!proxy.canReadLine() && proxy.waitForReadyRead(30000)) {
    }
    if (!proxy.canReadLine()) {
        *error = QStringLiteral("hil proxy --udp did not start within 30 s: ")
                 + QString::fromUtf8(proxy.readAllStandardError());
        return false;
    }
    static const QRegularExpression ready(QStringLiteral("^READY proxy udp 127\\.0\\.0\\.1:(\\d+)"));
    const auto m = ready.match(QString::fromUtf8(proxy.readLine()));
    if (!m.hasMatch()) {
        *error = QStringLiteral("hil proxy --udp: ") + QString::fromUtf8(proxy.readAllStandardError());
        return false;
    }
    const auto port = m.captured(1).toUShort();
    const QByteArray payload(32, 'x');
    for (int i = 0; i < n; i += 20) {
        for (int j = i; j < std::min(n, i + 20); ++j)
            client.writeDatagram(payload, QHostAddress::LocalHost, port);
        // Paced: the next batch once this one has arrived (the count has not grown for 4 ticks of 5 ms).
        QEventLoop loop;
        QTimer tick;
        qint64 last = -1;
        int quiet = 0;
        QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
            quiet = received == last ? quiet + 1 : 0;
            last = received;
            if (quiet >= 4)
                loop.quit();
        });
        tick.start(5);
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        loop.exec();
    }
    proxy.terminate();
    proxy.waitForFinished(10000);
    const QString log = QString::fromUtf8(proxy.readAllStandardError());
    static const QRegularExpression totals(
        QStringLiteral("totals: to-device (\\d+) datagrams in, (\\d+) out"));
    const auto t = totals.match(log);
    if (!t.hasMatch()) {
        *error = QStringLiteral("no totals from hil proxy --udp: ") + log;
        return false;
    }
    result->received = received;
    result->proxyIn = t.captured(1).toLongLong();
    result->proxyOut = t.captured(2).toLongLong();
    return true;
}

} // namespace

bool runUdpFidelityBenchmark(const UdpFidelityOptions &options, QTextStream &out, QString *error) {
    out << "UDP fault fidelity: hil proxy --udp --fault loss:p=P,dir=to-device, " << options.datagrams
        << " datagrams of 32 B per run, seeds 1.." << options.seeds << "\n";
    out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
               .arg(QStringLiteral("p"), 6)
               .arg(QStringLiteral("seed"), 5)
               .arg(QStringLiteral("lost"), 7)
               .arg(QStringLiteral("rate"), 8)
               .arg(QStringLiteral("95% interval"), 17)
               .arg(QStringLiteral("inside"), 7)
               .arg(QStringLiteral("kernel drops"), 13);
    for (const double p : options.probabilities) {
        const double n = options.datagrams;
        const double mean = n * p, half = 1.96 * std::sqrt(n * p * (1 - p));
        int inside = 0;
        qint64 lostSum = 0;
        for (int seed = 1; seed <= options.seeds; ++seed) {
            RunResult r;
            if (!runOnce(p, options.datagrams, seed, &r, error))
                return false;
            const qint64 lost = options.datagrams - r.received;
            lostSum += lost;
            const bool in = std::abs(static_cast<double>(lost) - mean) <= half;
            inside += in ? 1 : 0;
            const qint64 kernelDrops = (options.datagrams - r.proxyIn) + (r.proxyOut - r.received);
            out << QStringLiteral("%1 %2 %3 %4 %5 %6 %7\n")
                       .arg(p, 6, 'g', 3)
                       .arg(seed, 5)
                       .arg(lost, 7)
                       .arg(static_cast<double>(lost) / n, 8, 'f', 4)
                       .arg(
                           QStringLiteral("[%1, %2]").arg(mean - half, 0, 'f', 1).arg(mean + half, 0, 'f', 1),
                           17)
                       .arg(in ? QStringLiteral("yes") : QStringLiteral("no"), 7)
                       .arg(kernelDrops, 13);
            out.flush();
        }
        out << QStringLiteral("p=%1: mean loss %2 (model %3), %4 of %5 runs inside the 95 % interval\n")
                   .arg(p)
                   .arg(static_cast<double>(lostSum) / (n * options.seeds), 0, 'f', 4)
                   .arg(p)
                   .arg(inside)
                   .arg(options.seeds);
    }
    return true;
}

} // namespace hilbench
