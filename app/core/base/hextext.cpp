#include "core/base/hextext.h"

#include <array>
#include <cstring>

namespace hil {

int hexDigitValue(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

namespace {

bool isSeparator(char c) {
    return c == ' ' || c == '\t' || c == ',';
}

} // namespace

QByteArray toHexText(QByteArrayView bytes) {
    // Each byte becomes "XY " (three characters from one table entry); the last space is cut off.
    static const auto kTriples = [] {
        std::array<std::array<char, 3>, 256> t{};
        constexpr char kDigits[] = "0123456789ABCDEF";
        for (int b = 0; b < 256; ++b)
            t[b] = {kDigits[b >> 4], kDigits[b & 0xF], ' '};
        return t;
    }();
    if (bytes.isEmpty())
        return {};
    QByteArray out(bytes.size() * 3, Qt::Uninitialized);
    char *d = out.data();
    for (const char c : bytes) {
        std::memcpy(d, kTriples[static_cast<unsigned char>(c)].data(), 3);
        d += 3;
    }
    out.chop(1);
    return out;
}

std::optional<QByteArray> fromHexText(QByteArrayView text, QString *error) {
    QByteArray out;
    out.reserve(text.size() / 2);
    qsizetype i = 0;
    const auto fail = [&](qsizetype at, const QString &what) -> std::optional<QByteArray> {
        if (error)
            *error = QStringLiteral("hex text, column %1: %2").arg(at + 1).arg(what);
        return std::nullopt;
    };
    while (i < text.size()) {
        if (isSeparator(text[i])) {
            ++i;
            continue;
        }
        const qsizetype start = i;
        if (text[i] == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X'))
            i += 2;
        qsizetype digits = 0;
        int high = -1;
        while (i < text.size() && !isSeparator(text[i])) {
            const int n = hexDigitValue(text[i]);
            if (n < 0)
                return fail(i, QStringLiteral("'%1' is not a hex digit").arg(QChar::fromLatin1(text[i])));
            if (high < 0) {
                high = n;
            } else {
                out.append(static_cast<char>((high << 4) | n));
                high = -1;
            }
            ++digits;
            ++i;
        }
        if (digits == 0 || high >= 0)
            return fail(start, QStringLiteral("a byte needs two hex digits"));
    }
    return out;
}

} // namespace hil
