#pragma once

#include "core/config/framingspec.h"

#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

// The names a fixture spells framings and CRCs with (`framing: {kind: slip, crc: crc16-modbus}`), one
// table each, also used in messages.
const QStringList &frameCrcNames(); // none, crc8, crc16-modbus, crc16-ccitt, crc32: the enum's order
QString frameCrcName(FrameCrc crc);
std::optional<FrameCrc> frameCrcFromName(const QString &name);

// lines, length-prefixed, slip, cobs, fixed (the kinds a `framing:` entry may name); modbus-tcp,
// modbus-rtu and mqtt come from a device's own entry and are named only in messages.
const QStringList &framingKindNames();
QString framingKindName(FramingSpec::Kind kind);
std::optional<FramingSpec::Kind> framingKindFromName(const QString &name);

// Bytes the CRC adds to a frame (0 for none).
int frameCrcWidth(FrameCrc crc);

} // namespace hil
