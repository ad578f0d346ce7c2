#pragma once

#include "reportmodel.h"

#include <QColor>
#include <QString>

namespace hil::report {

// Colours and type shared by the HTML, PDF and chart renderers, so the three look like one report.
namespace style {

inline QColor good() {
    return QColor(0x1a, 0x7f, 0x37);
}
inline QColor bad() {
    return QColor(0xcf, 0x22, 0x2e);
}
inline QColor error() {
    return QColor(0xbc, 0x4c, 0x00);
}
inline QColor warn() {
    return QColor(0x9a, 0x67, 0x00);
}
inline QColor muted() {
    return QColor(0x6e, 0x77, 0x81);
}
inline QColor ink() {
    return QColor(0x1f, 0x23, 0x28);
}
inline QColor subtle() {
    return QColor(0x59, 0x63, 0x6e);
}
inline QColor line() {
    return QColor(0xd0, 0xd7, 0xde);
}
inline QColor faint() {
    return QColor(0xf6, 0xf8, 0xfa);
}

inline QColor tone(Tone t) {
    switch (t) {
    case Tone::Good:
        return good();
    case Tone::Bad:
        return bad();
    case Tone::Error:
        return error();
    case Tone::Warn:
        return warn();
    case Tone::Muted:
        return muted();
    case Tone::Neutral:
        break;
    }
    return ink();
}

// A light background for a tone (banners, badges).
inline QColor toneBackground(Tone t) {
    switch (t) {
    case Tone::Good:
        return QColor(0xda, 0xfb, 0xe1);
    case Tone::Bad:
        return QColor(0xff, 0xeb, 0xe9);
    case Tone::Error:
        return QColor(0xff, 0xf1, 0xe5);
    case Tone::Warn:
        return QColor(0xff, 0xf8, 0xc5);
    case Tone::Muted:
    case Tone::Neutral:
        break;
    }
    return QColor(0xea, 0xee, 0xf2);
}

inline Tone severityTone(Finding::Severity s) {
    switch (s) {
    case Finding::Severity::Critical:
        return Tone::Error;
    case Finding::Severity::Major:
        return Tone::Bad;
    case Finding::Severity::Minor:
        return Tone::Warn;
    case Finding::Severity::Info:
        break;
    }
    return Tone::Muted;
}

// Series colours: distinct, print well, tell apart for most colour-vision deficiencies (Tableau 10).
inline QColor series(int i) {
    static const QRgb colors[] = {0x4e79a7, 0xf28e2b, 0x59a14f, 0xe15759, 0x76b7b2,
                                  0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
    return QColor::fromRgb(colors[static_cast<unsigned>(i) % 10]);
}

inline QString fontFamily() {
    return QStringLiteral("DejaVu Sans");
}
inline QString monoFamily() {
    return QStringLiteral("DejaVu Sans Mono");
}

} // namespace style
} // namespace hil::report
