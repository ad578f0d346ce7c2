#include "core/base/reportformat.h"

#include <QDateTime>
#include <QTimeZone>
#include <charconv>
#include <cmath>
#include <string_view>

namespace hil {

QString formatMs(double ns) {
    const double ms = ns / 1e6;
    const double a = std::fabs(ms);
    const int decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
    return QString::number(ms, 'f', decimals);
}

QString formatLatency(double ns) {
    const double a = std::fabs(ns);
    if (a < 1e6) {
        const double us = ns / 1e3;
        return QString::number(us, 'f', std::fabs(us) >= 100 ? 0 : 1) + QStringLiteral(" µs");
    }
    if (a < 1e9)
        return formatMs(ns) + QStringLiteral(" ms");
    return QString::number(ns / 1e9, 'f', a >= 100e9 ? 0 : 2) + QStringLiteral(" s");
}

QString formatOffset(qint64 ns) {
    const QString sign = ns < 0 ? QStringLiteral("-") : QString();
    const qint64 a = ns < 0 ? -ns : ns;
    const qint64 ms = a / 1'000'000;
    return sign
           + QStringLiteral("%1:%2:%3.%4")
                 .arg(ms / 3'600'000, 2, 10, QLatin1Char('0'))
                 .arg(ms / 60'000 % 60, 2, 10, QLatin1Char('0'))
                 .arg(ms / 1000 % 60, 2, 10, QLatin1Char('0'))
                 .arg(ms % 1000, 3, 10, QLatin1Char('0'));
}

QString formatWallClock(qint64 ns) {
    return QDateTime::fromMSecsSinceEpoch(ns / 1'000'000, QTimeZone::utc())
               .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
           + QStringLiteral(" UTC");
}

QString formatPercent(double share) {
    const double pct = share * 100;
    int decimals = 1;
    if (pct > 0 && pct < 1)
        decimals = pct < 0.1 ? 3 : 2;
    else if (pct > 99 && pct < 100)
        decimals = pct > 99.9 ? 3 : 2;
    QString s = QString::number(pct, 'f', decimals);
    // Never round a share that is not whole up to 100 % or down to 0 %.
    if (pct < 100 && s == QString::number(100.0, 'f', decimals))
        s = QStringLiteral(">99.999");
    if (pct > 0 && s == QString::number(0.0, 'f', decimals))
        s = QStringLiteral("<0.001");
    return s + QStringLiteral(" %");
}

QString formatValue(double v) {
    if (!std::isfinite(v))
        return QString::number(v);
    const double a = std::fabs(v);
    if (a != 0 && (a >= 1e6 || a < 1e-3))
        return QString::number(v, 'g', 4);
    const int decimals = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : 3;
    QString s = QString::number(v, 'f', decimals);
    if (s.contains(u'.')) {
        while (s.endsWith(u'0'))
            s.chop(1);
        if (s.endsWith(u'.'))
            s.chop(1);
    }
    return s;
}

QString formatValueAgainst(double v, std::initializer_list<std::optional<double>> bounds) {
    QString s = formatValue(v);
    if (!std::isfinite(v))
        return s;
    const auto sameSides = [&](const QString &text) {
        const double shown = text.toDouble();
        for (const std::optional<double> &b : bounds) {
            if (b && ((v < *b) != (shown < *b) || (v > *b) != (shown > *b)))
                return false;
        }
        return true;
    };
    // 17 significant digits give the double itself back, so the loop ends there at the latest.
    for (int digits = 5; digits <= 17 && !sameSides(s); ++digits)
        s = QString::number(v, 'g', digits);
    return s;
}

QString formatLimit(double v) {
    if (!std::isfinite(v))
        return QString::number(v);
    char buf[64];
    // The shortest digits that round-trip, in scientific form: they tell the exponent.
    const auto sci = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    const std::string_view text(buf, static_cast<size_t>(sci.ptr - buf));
    const size_t e = text.find('e');
    int exponent = 0;
    std::from_chars(text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0), text.data() + text.size(), exponent);
    if (exponent >= -5 && exponent < 16) {
        const auto fixed = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
        return QString::fromLatin1(buf, fixed.ptr - buf);
    }
    return QString::fromLatin1(text.data(), static_cast<qsizetype>(e)) + u'e' + QString::number(exponent);
}

QString formatRange(std::optional<double> low, std::optional<double> high) {
    if (!low && !high)
        return QString();
    return QStringLiteral("[%1, %2]")
        .arg(low ? formatLimit(*low) : QStringLiteral("-inf"),
             high ? formatLimit(*high) : QStringLiteral("+inf"));
}

} // namespace hil
