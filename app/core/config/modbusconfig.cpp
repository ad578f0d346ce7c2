#include "core/config/modbusconfig.h"

#include "core/base/hextext.h"
#include "core/config/yamlreader.h"

#include <QModbusPdu>

namespace hil {

void readModbusDevice(YamlReader &r, const YAML::Node &n, bool simulated, DeviceConfig &d,
                      const std::function<void(const YAML::Node &)> &readSerial) {
    if (!r.requireMap(n, QStringLiteral("modbus")))
        return;
    if (simulated)
        r.checkKeys(n, {"unit"});
    else
        r.checkKeys(n, {"tcp", "serial", "unit"});
    if (n["unit"]) {
        if (auto u = r.integer(n["unit"], QStringLiteral("unit"), 0, 247))
            d.modbusUnit = static_cast<int>(*u);
    }
    if (simulated) {
        d.framing.kind =
            d.sim.link == SimSpec::Link::Tcp ? FramingSpec::Kind::ModbusTcp : FramingSpec::Kind::ModbusRtu;
        return;
    }
    if ((n["tcp"] ? 1 : 0) + (n["serial"] ? 1 : 0) != 1) {
        r.error(n, QStringLiteral("modbus needs exactly one of tcp (host:port) or serial (a port)"));
        return;
    }
    if (const YAML::Node tcp = n["tcp"]) {
        d.kind = DeviceConfig::Kind::Tcp;
        d.framing.kind = FramingSpec::Kind::ModbusTcp;
        const auto text = r.string(tcp, QStringLiteral("tcp"));
        if (!text)
            return;
        const qsizetype colon = text->lastIndexOf(u':');
        bool ok = false;
        const uint port = colon > 0 ? text->mid(colon + 1).toUInt(&ok) : 0;
        if (!ok || port == 0 || port > 65535) {
            r.error(tcp, QStringLiteral("modbus tcp must be host:port, not '%1'").arg(*text));
            return;
        }
        d.tcp.host = text->left(colon);
        d.tcp.port = static_cast<quint16>(port);
        return;
    }
    const YAML::Node serial = n["serial"];
    d.kind = DeviceConfig::Kind::Serial;
    d.framing.kind = FramingSpec::Kind::ModbusRtu;
    if (serial.IsScalar()) {
        if (auto p = r.string(serial, QStringLiteral("serial")))
            d.serial.port = *p;
    } else {
        readSerial(serial);
    }
}

QString modbusExceptionName(int code) {
    switch (static_cast<QModbusPdu::ExceptionCode>(code)) {
    case QModbusPdu::IllegalFunction:
        return QStringLiteral("illegal function");
    case QModbusPdu::IllegalDataAddress:
        return QStringLiteral("illegal data address");
    case QModbusPdu::IllegalDataValue:
        return QStringLiteral("illegal data value");
    case QModbusPdu::ServerDeviceFailure:
        return QStringLiteral("server device failure");
    case QModbusPdu::Acknowledge:
        return QStringLiteral("acknowledge");
    case QModbusPdu::ServerDeviceBusy:
        return QStringLiteral("server device busy");
    case QModbusPdu::NegativeAcknowledge:
        return QStringLiteral("negative acknowledge");
    case QModbusPdu::MemoryParityError:
        return QStringLiteral("memory parity error");
    case QModbusPdu::GatewayPathUnavailable:
        return QStringLiteral("gateway path unavailable");
    case QModbusPdu::GatewayTargetDeviceFailedToRespond:
        return QStringLiteral("gateway target device failed to respond");
    case QModbusPdu::ExtendedException:
        break;
    }
    return QStringLiteral("unknown exception");
}

QString modbusExceptionText(QByteArrayView frameHex) {
    const std::optional<QByteArray> bytes = fromHexText(frameHex);
    if (!bytes || bytes->size() != 3 || !(static_cast<quint8>(bytes->at(1)) & 0x80))
        return {};
    const int code = static_cast<quint8>(bytes->at(2));
    return QStringLiteral("modbus exception 0x%1 (%2)")
        .arg(QString::number(code, 16).toUpper(), 2, QLatin1Char('0'))
        .arg(modbusExceptionName(code));
}

QString modbusTimeoutText(QByteArrayView request, const QString &device, Nanoseconds within) {
    const std::optional<QByteArray> bytes = fromHexText(request);
    const int unit = bytes && !bytes->isEmpty() ? static_cast<quint8>(bytes->at(0)) : -1;
    return QStringLiteral("timeout: no Modbus answer from %1 (unit %2) within %3 (is the unit right? a "
                          "server does not answer another unit id)")
        .arg(device)
        .arg(unit)
        .arg(formatDuration(within));
}

} // namespace hil
