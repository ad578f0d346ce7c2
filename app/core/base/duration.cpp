#include "core/base/duration.h"

#include <cmath>

namespace hil {

namespace {

std::optional<double> unitNs(QStringView unit) {
    if (unit == u"ns")
        return 1.0;
    if (unit == u"us" || unit == u"µs")
        return 1e3;
    if (unit == u"ms")
        return 1e6;
    if (unit == u"s")
        return 1e9;
    if (unit == u"m" || unit == u"min")
        return 60e9;
    if (unit == u"h")
        return 3600e9;
    if (unit == u"d")
        return 86400e9;
    return std::nullopt;
}

bool fail(QString *error, const QString &message) {
    if (error)
        *error = message;
    return false;
}

} // namespace

std::optional<Nanoseconds> parseDuration(QStringView text, QString *error) {
    const QStringView s = text.trimmed();
    if (s.isEmpty()) {
        fail(error, QStringLiteral("empty duration"));
        return std::nullopt;
    }
    if (s.startsWith(u'-')) {
        fail(error, QStringLiteral("duration '%1' is negative").arg(s.toString()));
        return std::nullopt;
    }
    double total = 0;
    qsizetype i = 0;
    while (i < s.size()) {
        const qsizetype numStart = i;
        while (i < s.size() && (s[i].isDigit() || s[i] == u'.'))
            ++i;
        if (i == numStart) {
            fail(error, QStringLiteral("invalid duration '%1': expected a number at '%2'")
                            .arg(s.toString(), s.mid(numStart).toString()));
            return std::nullopt;
        }
        bool ok = false;
        const double value = s.mid(numStart, i - numStart).toDouble(&ok);
        const qsizetype unitStart = i;
        while (i < s.size() && s[i].isLetter())
            ++i;
        const QStringView unit = s.mid(unitStart, i - unitStart);
        if (!ok) {
            fail(error, QStringLiteral("invalid duration '%1'").arg(s.toString()));
            return std::nullopt;
        }
        if (unit.isEmpty()) {
            fail(error,
                 QStringLiteral("duration '%1' needs a unit (ns, us, ms, s, m, h, d)").arg(s.toString()));
            return std::nullopt;
        }
        const auto scale = unitNs(unit);
        if (!scale) {
            fail(error, QStringLiteral("unknown duration unit '%1' in '%2' (use ns, us, ms, s, m, h, d)")
                            .arg(unit.toString(), s.toString()));
            return std::nullopt;
        }
        total += value * *scale;
    }
    if (!std::isfinite(total) || total > 9.0e18) {
        fail(error, QStringLiteral("duration '%1' is too long").arg(s.toString()));
        return std::nullopt;
    }
    return Nanoseconds(static_cast<qint64>(std::llround(total)));
}

QString formatDuration(Nanoseconds d) {
    const qint64 ns = d.count();
    const qint64 absNs = ns < 0 ? -ns : ns;
    const QString sign = ns < 0 ? QStringLiteral("-") : QString();
    if (absNs < 1'000)
        return sign + QString::number(absNs) + u"ns";
    if (absNs < 1'000'000)
        return sign + QString::number(static_cast<double>(absNs) / 1e3, 'g', 4) + u"us";
    if (absNs < 1'000'000'000)
        return sign + QString::number(static_cast<double>(absNs) / 1e6, 'g', 4) + u"ms";
    const qint64 totalS = absNs / 1'000'000'000;
    if (totalS < 60)
        return sign + QString::number(static_cast<double>(absNs) / 1e9, 'g', 4) + u's';
    if (totalS < 3600)
        return sign + QStringLiteral("%1m%2s").arg(totalS / 60).arg(totalS % 60, 2, 10, QLatin1Char('0'));
    if (totalS < 86400)
        return sign
               + QStringLiteral("%1h%2m")
                     .arg(totalS / 3600)
                     .arg((totalS % 3600) / 60, 2, 10, QLatin1Char('0'));
    return sign
           + QStringLiteral("%1d%2h")
                 .arg(totalS / 86400)
                 .arg((totalS % 86400) / 3600, 2, 10, QLatin1Char('0'));
}

} // namespace hil
