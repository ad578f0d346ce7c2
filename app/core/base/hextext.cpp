#include "core/base/hextext.h"

namespace hil {

namespace {

int nibble(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isSeparator(char c) {
    return c == ' ' || c == '\t' || c == ',';
}

} // namespace

QByteArray toHexText(QByteArrayView bytes) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    QByteArray out;
    if (bytes.isEmpty())
        return out;
    out.resize(bytes.size() * 3 - 1);
    char *d = out.data();
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        if (i > 0)
            *d++ = ' ';
        *d++ = kDigits[b >> 4];
        *d++ = kDigits[b & 0xF];
    }
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
            const int n = nibble(text[i]);
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
