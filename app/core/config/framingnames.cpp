#include "core/config/framingnames.h"

namespace hil {

const QStringList &frameCrcNames() {
    static const QStringList names = {QStringLiteral("none"), QStringLiteral("crc8"),
                                      QStringLiteral("crc16-modbus"), QStringLiteral("crc16-ccitt"),
                                      QStringLiteral("crc32")};
    return names;
}

QString frameCrcName(FrameCrc crc) {
    return frameCrcNames().value(static_cast<int>(crc));
}

std::optional<FrameCrc> frameCrcFromName(const QString &name) {
    const qsizetype i = frameCrcNames().indexOf(name);
    if (i < 0)
        return std::nullopt;
    return static_cast<FrameCrc>(i);
}

const QStringList &framingKindNames() {
    static const QStringList names = {QStringLiteral("lines"), QStringLiteral("length-prefixed"),
                                      QStringLiteral("slip"), QStringLiteral("cobs"),
                                      QStringLiteral("fixed")};
    return names;
}

QString framingKindName(FramingSpec::Kind kind) {
    switch (kind) {
    case FramingSpec::Kind::ModbusTcp:
        return QStringLiteral("modbus-tcp");
    case FramingSpec::Kind::ModbusRtu:
        return QStringLiteral("modbus-rtu");
    case FramingSpec::Kind::Mqtt:
        return QStringLiteral("mqtt");
    default:
        return framingKindNames().value(static_cast<int>(kind));
    }
}

std::optional<FramingSpec::Kind> framingKindFromName(const QString &name) {
    const qsizetype i = framingKindNames().indexOf(name);
    if (i < 0)
        return std::nullopt;
    return static_cast<FramingSpec::Kind>(i);
}

int frameCrcWidth(FrameCrc crc) {
    switch (crc) {
    case FrameCrc::None:
        return 0;
    case FrameCrc::Crc8:
        return 1;
    case FrameCrc::Crc16Modbus:
    case FrameCrc::Crc16Ccitt:
        return 2;
    case FrameCrc::Crc32:
        return 4;
    }
    return 0;
}

} // namespace hil
