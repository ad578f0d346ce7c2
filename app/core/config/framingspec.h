#pragma once

#include <QtGlobal>

namespace hil {

// The checksum a binary framing appends to each frame on send and checks (and strips) on receive.
enum class FrameCrc { None, Crc8, Crc16Modbus, Crc16Ccitt, Crc32 };

// How a device's byte stream is cut into frames (a device's `framing:`). `Lines` is text at a terminator
// (DeviceConfig::terminator); every other kind is binary, and its frames are hex text above the framer
// (base/hextext.h). Modbus and MQTT devices get their framing from their `modbus:` / `mqtt:` entry.
struct FramingSpec {
    enum class Kind { Lines, LengthPrefixed, Slip, Cobs, Fixed, ModbusTcp, ModbusRtu, Mqtt };
    Kind kind = Kind::Lines;
    FrameCrc crc = FrameCrc::None;
    bool crcBigEndian = false; // byte order of a multi-byte CRC on the wire
    // length-prefixed: the length field's size in bytes (1, 2 or 4) and byte order; the length counts
    // the payload (and CRC) after the field, plus `lengthAdjust` (e.g. -2 when it also counts itself).
    int lengthSize = 2;
    bool lengthBigEndian = true;
    int lengthAdjust = 0;
    bool lengthIncludesCrc = true;
    qsizetype fixedSize = 0;   // fixed: bytes per frame, CRC included
    qsizetype maxFrame = 4096; // a larger frame is an overflow, dropped

    bool isBinary() const { return kind != Kind::Lines; }
};

} // namespace hil
