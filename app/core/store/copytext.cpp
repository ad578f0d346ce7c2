#include "core/store/copytext.h"

#include "core/base/hextext.h"

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

void splitRow(QByteArrayView line, Row *row) {
    row->fields.clear();
    // Unescaped text is never longer than the line: reserved once, the views into it stay valid.
    row->unescaped.resize(0);
    row->unescaped.reserve(line.size());
    const char *p = line.data();
    const char *const end = p + line.size();
    while (true) {
        const char *fieldStart = p;
        while (p != end && *p != '\t' && *p != '\\')
            ++p;
        if (p == end || *p == '\t') {
            row->fields.append(QByteArrayView(fieldStart, p - fieldStart));
        } else if (p + 1 != end && p[1] == 'N' && p == fieldStart && (p + 2 == end || p[2] == '\t')) {
            row->fields.append(std::nullopt);
            p += 2;
        } else {
            // A field with escapes: unescaped into the row's buffer.
            const qsizetype at = row->unescaped.size();
            row->unescaped.append(fieldStart, p - fieldStart);
            while (p != end && *p != '\t') {
                if (*p != '\\' || p + 1 == end) {
                    row->unescaped += *p++;
                    continue;
                }
                const char e = *++p;
                ++p;
                switch (e) {
                case 't':
                    row->unescaped += '\t';
                    break;
                case 'n':
                    row->unescaped += '\n';
                    break;
                case 'r':
                    row->unescaped += '\r';
                    break;
                case 'b':
                    row->unescaped += '\b';
                    break;
                case 'f':
                    row->unescaped += '\f';
                    break;
                case 'v':
                    row->unescaped += '\v';
                    break;
                default:
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && p != end && *p >= '0' && *p <= '7'; ++k)
                            v = v * 8 + (*p++ - '0');
                        row->unescaped += static_cast<char>(v);
                    } else {
                        row->unescaped += e;
                    }
                }
            }
            row->fields.append(QByteArrayView(row->unescaped.constData() + at, row->unescaped.size() - at));
        }
        if (p == end)
            return;
        ++p; // the tab
    }
}

bool decodeBytea(QByteArrayView text, QByteArray *bytes) {
    if (!text.startsWith("\\x") || text.size() % 2 != 0)
        return false;
    const qsizetype n = (text.size() - 2) / 2;
    bytes->resize(n);
    char *w = bytes->data();
    for (qsizetype i = 0; i < n; ++i) {
        const int hi = hexDigitValue(text[2 + 2 * i]), lo = hexDigitValue(text[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return false;
        w[i] = static_cast<char>(hi << 4 | lo);
    }
    return true;
}

} // namespace hil::copytext
