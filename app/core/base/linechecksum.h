#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

// A checksum carried at the end of a text line, checked line by line on a stream (`checksum:` of a
// stream step). Every kind but nmea has the shape BODY*HEX: HEX (upper or lower case, a fixed number of
// digits) follows the line's last '*', and the checksum is computed over BODY, every byte before that '*'.
// nmea is $BODY*HH (or !BODY*HH): the XOR of the bytes between the leading '$' and the '*'.
enum class LineChecksum { Nmea, Xor8, Sum8, Crc16Ccitt, Crc16Modbus, Crc32 };

// The names a scenario spells them with ("nmea", "xor8", "sum8", "crc16-ccitt", "crc16-modbus", "crc32"),
// in the order of the enum.
const QStringList &lineChecksumNames();
QString lineChecksumName(LineChecksum kind);
std::optional<LineChecksum> lineChecksumFromName(const QString &name);

// The checksum of `body` as the kind computes it (no framing).
quint32 computeChecksum(LineChecksum kind, const QByteArray &body);

// Checks one line. Returns an empty string if its checksum is right, else why not ("no checksum",
// "checksum *4A, computed *4B"), device bytes never quoted.
QString checkLineChecksum(LineChecksum kind, const QByteArray &line);

} // namespace hil
