#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <utility>

namespace hil {

// Device answers and names read from a results database are shown to people in reports. These make
// them safe to show: every byte stays visible and nothing can act on the reader's terminal or viewer.
//
// printableBytes(): valid UTF-8 is kept; each byte that is not part of valid UTF-8 becomes \xNN; a
// backslash becomes \\ (so an escape in the output is never ambiguous); control characters (C0 other than
// tab, DEL, C1) become \xNN, and the invisible bidirectional controls (U+202A..U+202E, U+2066..U+2069),
// which can reorder what a reader sees, become \u{XXXX}. With keepNewlines, '\n' is kept as a line break.
// If escapes is given, it receives the [start, end) ranges in the output that are escapes, so that a
// renderer can mark them.
QString printableBytes(const QByteArray &bytes, bool keepNewlines = false,
                       QList<std::pair<qsizetype, qsizetype>> *escapes = nullptr);

// The same for text that is already a QString (names, messages): controls and bidirectional controls are
// escaped, backslashes are kept as they are.
QString printableText(const QString &text, bool keepNewlines = false);

} // namespace hil
