#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <optional>

namespace hil {

// Binary frames are shown, matched and stored as hex text: "01 03 04 00 FA" (upper case, one space
// between bytes). That text is what a binary device's "line" is everywhere above the framer.
QByteArray toHexText(QByteArrayView bytes);
// The value of one hex digit (0-9, a-f, A-F), or -1.
int hexDigitValue(char c);

// Parses hex text back into bytes: pairs of hex digits, optionally separated by spaces, tabs or
// commas, each optionally written 0x12. Nullopt and *error (naming the offending column, 1-based) for
// anything else, including an odd number of digits in a group.
std::optional<QByteArray> fromHexText(QByteArrayView text, QString *error = nullptr);

} // namespace hil
