#include "core/store/copytext.h"

#include <QString>
#include <charconv>
#include <cmath>

namespace hil::copytext {

void appendInt(QByteArray &out, qint64 v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr - buf);
}

void appendReal(QByteArray &out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
        return;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "Infinity" : "-Infinity";
        return;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr - buf);
}

void appendText(QByteArray &out, QByteArrayView utf8) {
    QByteArray clean;
    if (!utf8.isValidUtf8() || utf8.contains('\0')) {
        clean = QString::fromUtf8(utf8).replace(QChar(0), QChar::ReplacementCharacter).toUtf8();
        utf8 = clean;
    }
    const char *p = utf8.data();
    const char *end = p + utf8.size();
    const char *run = p;
    for (; p != end; ++p) {
        const char c = *p;
        if (c != '\\' && c != '\t' && c != '\n' && c != '\r')
            continue;
        out.append(run, p - run);
        out += '\\';
        out += c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r';
        run = p + 1;
    }
    out.append(run, end - run);
}

void appendBlob(QByteArray &out, QByteArrayView bytes) {
    static const char hex[] = "0123456789abcdef";
    out += "\\\\x";
    const qsizetype at = out.size();
    out.resize(at + 2 * bytes.size());
    char *w = out.data() + at;
    for (const char b : bytes) {
        const auto u = static_cast<unsigned char>(b);
        *w++ = hex[u >> 4];
        *w++ = hex[u & 15];
    }
}

QList<std::optional<QByteArray>> splitRow(QByteArrayView line) {
    QList<std::optional<QByteArray>> fields;
    QByteArray cur;
    bool escapedNull = false;
    const auto finish = [&]() {
        fields.append(escapedNull && cur.isEmpty() ? std::nullopt : std::optional<QByteArray>(cur));
        cur.clear();
        escapedNull = false;
    };
    for (qsizetype i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '\t') {
            finish();
            continue;
        }
        if (c != '\\' || i + 1 >= line.size()) {
            cur += c;
            continue;
        }
        const char e = line[++i];
        switch (e) {
        case 'N':
            escapedNull = true;
            break;
        case 't':
            cur += '\t';
            break;
        case 'n':
            cur += '\n';
            break;
        case 'r':
            cur += '\r';
            break;
        case 'b':
            cur += '\b';
            break;
        case 'f':
            cur += '\f';
            break;
        case 'v':
            cur += '\v';
            break;
        default:
            if (e >= '0' && e <= '7') {
                int v = e - '0';
                for (int k = 0; k < 2 && i + 1 < line.size() && line[i + 1] >= '0' && line[i + 1] <= '7'; ++k)
                    v = v * 8 + (line[++i] - '0');
                cur += static_cast<char>(v);
            } else {
                cur += e;
            }
        }
    }
    finish();
    return fields;
}

bool decodeBytea(QByteArrayView text, QByteArray *bytes) {
    if (!text.startsWith("\\x") || text.size() % 2 != 0)
        return false;
    const QByteArray b = QByteArray::fromHex(text.sliced(2).toByteArray());
    if (b.size() * 2 != text.size() - 2)
        return false;
    *bytes = b;
    return true;
}

} // namespace hil::copytext
