#include "core/base/printable.h"

namespace hil {

namespace {

bool isBidiControl(char32_t c) {
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool needsEscape(char32_t c, bool keepNewlines) {
    if (c == u'\t' || (keepNewlines && c == u'\n'))
        return false;
    return c < 0x20 || (c >= 0x7F && c < 0xA0) || isBidiControl(c) || c == 0xFFFE || c == 0xFFFF;
}

QString escapeOf(char32_t c) {
    if (c < 0x100)
        return QStringLiteral("\\x%1").arg(static_cast<uint>(c), 2, 16, QLatin1Char('0'));
    return QStringLiteral("\\u{")
           + QString::number(static_cast<uint>(c), 16).toUpper().rightJustified(4, u'0') + u'}';
}

// The length of the valid UTF-8 sequence at p (1..4), or 0 if the bytes there are not valid UTF-8
// (overlong forms, surrogates and values past U+10FFFF are invalid).
int utf8Length(const unsigned char *p, qsizetype left, char32_t *out) {
    const unsigned char b0 = p[0];
    if (b0 < 0x80) {
        *out = b0;
        return 1;
    }
    int n = 0;
    char32_t c = 0;
    char32_t minimum = 0;
    if ((b0 & 0xE0) == 0xC0) {
        n = 2;
        c = b0 & 0x1F;
        minimum = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 3;
        c = b0 & 0x0F;
        minimum = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 4;
        c = b0 & 0x07;
        minimum = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (int i = 1; i < n; ++i) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < minimum || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *out = c;
    return n;
}

void appendEscape(QString &out, const QString &escape, QList<std::pair<qsizetype, qsizetype>> *escapes) {
    const qsizetype start = out.size();
    out += escape;
    if (escapes)
        escapes->append({start, out.size()});
}

} // namespace

QString printableBytes(const QByteArray &bytes, bool keepNewlines,
                       QList<std::pair<qsizetype, qsizetype>> *escapes) {
    QString out;
    out.reserve(bytes.size());
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.constData());
    const qsizetype size = bytes.size();
    qsizetype i = 0;
    while (i < size) {
        char32_t c = 0;
        const int n = utf8Length(p + i, size - i, &c);
        if (n == 0) {
            appendEscape(out, escapeOf(p[i]), escapes);
            ++i;
            continue;
        }
        i += n;
        if (c == u'\\')
            appendEscape(out, QStringLiteral("\\\\"), escapes);
        else if (needsEscape(c, keepNewlines))
            appendEscape(out, escapeOf(c), escapes);
        else if (QChar::requiresSurrogates(c)) {
            out += QChar(QChar::highSurrogate(c));
            out += QChar(QChar::lowSurrogate(c));
        } else
            out += QChar(static_cast<char16_t>(c));
    }
    return out;
}

QString printableText(const QString &text, bool keepNewlines) {
    bool clean = true;
    for (QChar ch : text) {
        if (needsEscape(ch.unicode(), keepNewlines)) {
            clean = false;
            break;
        }
    }
    if (clean)
        return text;
    QString out;
    out.reserve(text.size() + 8);
    for (QChar ch : text) {
        if (needsEscape(ch.unicode(), keepNewlines))
            out += escapeOf(ch.unicode());
        else
            out += ch;
    }
    return out;
}

} // namespace hil
