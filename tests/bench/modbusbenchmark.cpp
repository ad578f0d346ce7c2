#include "modbusbenchmark.h"

#include "core/base/clock.h"
#include "core/config/fixture.h"
#include "core/run/fielddecode.h"
#include "core/session/devicesession.h"
#include "core/transport/tcptransport.h"

#include <QEventLoop>
#include <QProcess>
#include <QRegularExpression>
#include <QTimer>
#include <functional>

namespace hilbench {

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");

// pymodbus's client: `reads` timed reads after `warmup`, one line of nanoseconds per read on stdout.
const char kClient[] = R"py(
import sys, time
from pymodbus.client import ModbusTcpClient
port, warmup, reads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
c = ModbusTcpClient("127.0.0.1", port=port)
c.connect()
out = []
for i in range(warmup + reads):
    t = time.perf_counter_ns()
    r = c.read_holding_registers(0, 2, slave=1)
    d = time.perf_counter_ns() - t
    if r.isError() or r.registers[0] != 1000:
        sys.exit("pymodbus read failed: %s" % r)
    if i >= warmup:
        out.append(d)
c.close()
print("\n".join(str(x) for x in out))
)py";

bool harnessBlock(quint16 port, int warmup, int reads, std::vector<qint64> *samples, QString *error) {
    hil::DeviceConfig c;
    c.name = QStringLiteral("plc");
    c.kind = hil::DeviceConfig::Kind::Tcp;
    c.tcp = {QStringLiteral("127.0.0.1"), port};
    c.framing.kind = hil::FramingSpec::Kind::ModbusTcp;
    hil::DeviceSession session(c, std::make_unique<hil::TcpTransport>(c.tcp.host, port));
    const QRegularExpression pattern(QStringLiteral("^01 03 04(?: [0-9A-F]{2}){4}$(?<r0>)(?<r1>)"));
    hil::FieldSpecs fields;
    fields.append({QStringLiteral("r0"), 3, hil::FieldSpec::Type::U16Be, 0, 1.0, 0.0});
    fields.append({QStringLiteral("r1"), 5, hil::FieldSpec::Type::U16Be, 0, 1.0, 0.0});
    QEventLoop loop;
    QObject::connect(&session, &hil::DeviceSession::stateChanged, &loop,
                     [&](hil::DeviceSession::State s, const QString &reason) {
                         if (s == hil::DeviceSession::State::Ready)
                             loop.exit(0);
                         else if (s == hil::DeviceSession::State::Lost) {
                             *error = reason;
                             loop.exit(1);
                         }
                     });
    QTimer::singleShot(10000, &loop, [&] {
        *error = QStringLiteral("no connection to the pymodbus server within 10 s");
        loop.exit(1);
    });
    session.start();
    if (loop.exec() != 0)
        return false;
    int done = 0;
    std::function<void()> next = [&] {
        session.discardQueued();
        const qint64 startNs = hil::monotonicNs();
        const qint64 sentNs = session.sendLine(QByteArrayLiteral("01 03 00 00 00 02"));
        session.expect(
            pattern, std::chrono::seconds(1), false,
            [&, startNs](const hil::DeviceSession::Answer &a) {
                const qint64 endNs = hil::monotonicNs();
                if (a.outcome != hil::DeviceSession::Answer::Outcome::Matched
                    || hil::decodeFields(fields, a.line).value(QStringLiteral("r0")) != u"1000") {
                    *error =
                        QStringLiteral("hil read failed: '%1' %2").arg(QString::fromUtf8(a.line), a.reason);
                    loop.exit(1);
                    return;
                }
                if (done++ >= warmup)
                    samples->push_back(endNs - startNs);
                if (done == warmup + reads)
                    loop.exit(0);
                else
                    QMetaObject::invokeMethod(
                        &loop, [&] { next(); }, Qt::QueuedConnection);
            },
            sentNs);
    };
    QMetaObject::invokeMethod(
        &loop, [&] { next(); }, Qt::QueuedConnection);
    const bool ok = loop.exec() == 0;
    session.cancelExpect();
    session.stop();
    return ok;
}

bool pymodbusBlock(quint16 port, int warmup, int reads, std::vector<qint64> *samples, QString *error) {
    QProcess p;
    p.start(kPython, {QStringLiteral("-c"), QString::fromLatin1(kClient), QString::number(port),
                      QString::number(warmup), QString::number(reads)});
    if (!p.waitForFinished(300000) || p.exitCode() != 0) {
        *error = QStringLiteral("pymodbus client: %1").arg(QString::fromUtf8(p.readAllStandardError()));
        return false;
    }
    for (const QByteArray &line : p.readAllStandardOutput().split('\n'))
        if (!line.trimmed().isEmpty())
            samples->push_back(line.trimmed().toLongLong());
    return true;
}

} // namespace

bool runModbus(const ModbusOptions &options, ModbusResult *result, QString *error) {
    QProcess server;
    const QStringList args = {QStringLiteral(HIL_MODBUS_SERVER), QStringLiteral("--tcp"),
                              QStringLiteral("0")};
    result->server = kPython + u' ' + args.join(u' ');
    server.start(kPython, args);
    if (!server.waitForReadyRead(20000) || !server.canReadLine()) {
        *error = QStringLiteral("the pymodbus server did not start (python3-pymodbus installed?): %1")
                     .arg(QString::fromUtf8(server.readAllStandardError()));
        return false;
    }
    const QByteArray ready = server.readLine().trimmed();
    const quint16 port = ready.mid(6).toUShort();
    bool ok = true;
    for (int b = 0; ok && b < options.blocks; ++b) {
        ok = harnessBlock(port, options.warmup, options.reads, &result->harnessNs, error)
             && pymodbusBlock(port, options.warmup, options.reads, &result->pymodbusNs, error);
    }
    server.closeWriteChannel();
    server.terminate();
    server.waitForFinished(5000);
    return ok;
}

} // namespace hilbench
