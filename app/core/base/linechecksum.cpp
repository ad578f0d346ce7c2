#include "core/base/linechecksum.h"

#include "core/base/crc.h"

#include <algorithm>

namespace hil {

namespace {

// Hex digits each kind writes after the '*'.
int hexDigits(LineChecksum kind) {
    switch (kind) {
    case LineChecksum::Nmea:
    case LineChecksum::Xor8:
    case LineChecksum::Sum8:
        return 2;
    case LineChecksum::Crc16Ccitt:
    case LineChecksum::Crc16Modbus:
        return 4;
    case LineChecksum::Crc32:
        return 8;
    }
    return 2;
}

QString hex(quint32 value, int digits) {
    return QStringLiteral("%1").arg(value, digits, 16, QLatin1Char('0')).toUpper();
}

} // namespace

const QStringList &lineChecksumNames() {
    static const QStringList names = {QStringLiteral("nmea"),         QStringLiteral("xor8"),
                                      QStringLiteral("sum8"),         QStringLiteral("crc16-ccitt"),
                                      QStringLiteral("crc16-modbus"), QStringLiteral("crc32")};
    return names;
}

QString lineChecksumName(LineChecksum kind) {
    return lineChecksumNames().value(static_cast<int>(kind));
}

std::optional<LineChecksum> lineChecksumFromName(const QString &name) {
    const qsizetype i = lineChecksumNames().indexOf(name);
    if (i < 0)
        return std::nullopt;
    return static_cast<LineChecksum>(i);
}

quint32 computeChecksum(LineChecksum kind, const QByteArray &body) {
    switch (kind) {
    case LineChecksum::Nmea:
    case LineChecksum::Xor8: {
        quint8 x = 0;
        for (const char c : body)
            x ^= static_cast<quint8>(c);
        return x;
    }
    case LineChecksum::Sum8: {
        quint8 s = 0;
        for (const char c : body)
            s = static_cast<quint8>(s + static_cast<quint8>(c));
        return s;
    }
    case LineChecksum::Crc16Ccitt:
        return crc16Ccitt(body);
    case LineChecksum::Crc16Modbus:
        return crc16Modbus(body);
    case LineChecksum::Crc32:
        return crc32(body);
    }
    return 0;
}

QString checkLineChecksum(LineChecksum kind, const QByteArray &line) {
    const qsizetype star = line.lastIndexOf('*');
    if (star < 0)
        return QStringLiteral("no checksum (no '*' in the line)");
    QByteArray body = line.left(star);
    if (kind == LineChecksum::Nmea) {
        if (!body.startsWith('$') && !body.startsWith('!'))
            return QStringLiteral("not an NMEA sentence (it does not start with '$' or '!')");
        body.remove(0, 1);
    }
    const int digits = hexDigits(kind);
    const QByteArray written = line.mid(star + 1);
    bool ok = written.size() == digits && std::all_of(written.cbegin(), written.cend(), [](char c) {
                  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
              });
    const quint32 value = ok ? written.toUInt(&ok, 16) : 0;
    const quint32 computed = computeChecksum(kind, body);
    if (!ok)
        return QStringLiteral("no checksum of %1 hex digits after the '*' (computed *%2)")
            .arg(digits)
            .arg(hex(computed, digits));
    if (value != computed)
        return QStringLiteral("checksum *%1, computed *%2").arg(hex(value, digits), hex(computed, digits));
    return {};
}

} // namespace hil
