#include "core/config/faultspecparser.h"

#include <QLocale>
#include <QStringList>
#include <algorithm>
#include <cmath>

namespace hil {

namespace {

using Kind = LinkFaultSpec::Kind;

// The shortest text that reads back to the same double, with the exponent written as people do ("1e-4").
QString number(double v) {
    QString text = QString::number(v, 'g', QLocale::FloatingPointShortest);
    const qsizetype e = text.indexOf(u'e');
    if (e < 0)
        return text;
    QString exponent = text.mid(e + 1);
    const bool negative = exponent.startsWith(u'-');
    if (negative || exponent.startsWith(u'+'))
        exponent.remove(0, 1);
    while (exponent.size() > 1 && exponent.startsWith(u'0'))
        exponent.remove(0, 1);
    return text.left(e + 1) + (negative ? QStringLiteral("-") : QString()) + exponent;
}

std::optional<double> parseNumber(QStringView text) {
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return std::nullopt;
    return v;
}

// Bytes per second: a number, optionally with k (10^3) or M (10^6).
std::optional<double> parseRate(QStringView text) {
    double scale = 1;
    if (text.endsWith(u'k') || text.endsWith(u'K')) {
        scale = 1e3;
        text.chop(1);
    } else if (text.endsWith(u'M')) {
        scale = 1e6;
        text.chop(1);
    }
    const auto v = parseNumber(text);
    if (!v)
        return std::nullopt;
    return *v * scale;
}

std::optional<qint64> parseCount(QStringView text) {
    bool ok = false;
    const qint64 v = text.toLongLong(&ok);
    if (!ok)
        return std::nullopt;
    return v;
}

// The largest unit that states the duration exactly, so that formatting and parsing round-trip.
QString exactDuration(Nanoseconds d) {
    const qint64 ns = d.count();
    if (ns == 0)
        return QStringLiteral("0s");
    static const std::pair<qint64, const char16_t *> units[] = {
        {86'400'000'000'000LL, u"d"}, {3'600'000'000'000LL, u"h"}, {60'000'000'000LL, u"m"},
        {1'000'000'000LL, u"s"},      {1'000'000LL, u"ms"},        {1'000LL, u"us"},
    };
    for (const auto &[unit, name] : units)
        if (ns % unit == 0)
            return QString::number(ns / unit) + QString::fromUtf16(name);
    return QString::number(ns) + u"ns";
}

bool fail(QString *error, const QString &message) {
    if (error)
        *error = message;
    return false;
}

} // namespace

QString linkDirectionName(LinkFaultSpec::Direction d) {
    switch (d) {
    case LinkFaultSpec::Direction::ToDevice:
        return QStringLiteral("to-device");
    case LinkFaultSpec::Direction::FromDevice:
        return QStringLiteral("from-device");
    case LinkFaultSpec::Direction::Both:
        break;
    }
    return QStringLiteral("both");
}

std::optional<LinkFaultSpec::Direction> linkDirectionFromName(QStringView name) {
    if (name == u"to-device")
        return LinkFaultSpec::Direction::ToDevice;
    if (name == u"from-device")
        return LinkFaultSpec::Direction::FromDevice;
    if (name == u"both")
        return LinkFaultSpec::Direction::Both;
    return std::nullopt;
}

std::optional<TimedLinkFault> parseLinkFault(QStringView text, QString *error) {
    const QStringView s = text.trimmed();
    const qsizetype colon = s.indexOf(u':');
    const QString kindText = (colon < 0 ? s : s.left(colon)).trimmed().toString();
    const auto kind = LinkFaultSpec::kindFromName(kindText);
    if (!kind) {
        fail(error, LinkFaultSpec::unknownKindMessage(kindText));
        return std::nullopt;
    }
    TimedLinkFault f;
    f.spec.kind = *kind;
    const QStringList keys = LinkFaultSpec::parameterNames(*kind);
    const auto bad = [&](const QString &message) {
        fail(error, kindText + QStringLiteral(": ") + message);
        return std::nullopt;
    };

    QStringList seen;
    if (colon >= 0) {
        const QStringView params = s.mid(colon + 1);
        if (params.trimmed().isEmpty())
            return bad(QStringLiteral("nothing after ':'"));
        for (QStringView param : params.split(u',')) {
            param = param.trimmed();
            const qsizetype eq = param.indexOf(u'=');
            if (eq <= 0)
                return bad(QStringLiteral("expected key=value, got '%1'").arg(param.toString()));
            const QString key = param.left(eq).trimmed().toString();
            const QStringView value = param.mid(eq + 1).trimmed();
            if (seen.contains(key))
                return bad(QStringLiteral("'%1' is given twice").arg(key));
            seen.append(key);
            if (value.isEmpty())
                return bad(QStringLiteral("'%1' has no value").arg(key));
            const auto duration = [&](Nanoseconds *out) {
                QString why;
                const auto d = parseDuration(value, &why);
                if (!d) {
                    fail(error, QStringLiteral("%1: %2: %3").arg(kindText, key, why));
                    return false;
                }
                *out = *d;
                return true;
            };
            Nanoseconds d{0};
            if (key == u"dir") {
                const auto dir = linkDirectionFromName(value);
                if (!dir)
                    return bad(QStringLiteral("dir must be to-device, from-device or both, not '%1'")
                                   .arg(value.toString()));
                f.spec.direction = *dir;
            } else if (key == u"at" || key == u"for" || key == u"every") {
                if (!duration(&d))
                    return std::nullopt;
                (key == u"at" ? f.at : key == u"for" ? f.duration : f.every) = d;
            } else if (!keys.contains(key)) {
                const QString allowed = (keys
                                         + QStringList{QStringLiteral("dir"), QStringLiteral("at"),
                                                       QStringLiteral("for"), QStringLiteral("every")})
                                            .join(QStringLiteral(", "));
                return bad(QStringLiteral("unknown parameter '%1' (use %2)").arg(key, allowed));
            } else if (key == u"p") {
                const auto p = parseNumber(value);
                if (!p)
                    return bad(QStringLiteral("p must be a number, not '%1'").arg(value.toString()));
                f.spec.probability = *p;
            } else if (key == u"burst") {
                const QList<QStringView> parts = value.split(u'/');
                if (parts.size() != 2 && parts.size() != 4)
                    return bad(
                        QStringLiteral("burst is P_GOOD_TO_BAD/P_BAD_TO_GOOD[/LOSS_IN_GOOD/LOSS_IN_BAD], "
                                       "not '%1'")
                            .arg(value.toString()));
                double v[4] = {0, 0, 0, 1};
                for (qsizetype i = 0; i < parts.size(); ++i) {
                    const auto p = parseNumber(parts[i].trimmed());
                    if (!p)
                        return bad(QStringLiteral("burst: '%1' is not a number").arg(parts[i].toString()));
                    v[i] = *p;
                }
                f.spec.burst = LinkFaultSpec::GilbertElliott{v[0], v[1], v[2], v[3]};
            } else if (key == u"delay") {
                if (!duration(&d))
                    return std::nullopt;
                (*kind == Kind::Slice ? f.spec.sliceDelay : f.spec.delay) = d;
            } else if (key == u"jitter") {
                if (!duration(&d))
                    return std::nullopt;
                f.spec.jitter = d;
            } else if (key == u"after" || key == u"rto" || key == u"rto_max" || key == u"user_timeout") {
                if (!duration(&d))
                    return std::nullopt;
                (key == u"after"     ? f.spec.after
                 : key == u"rto"     ? f.spec.rto
                 : key == u"rto_max" ? f.spec.rtoMax
                                     : f.spec.userTimeout) = d;
            } else if (key == u"rate") {
                const auto rate = parseRate(value);
                if (!rate)
                    return bad(
                        QStringLiteral("rate must be a number of bytes per second (\"10000\", \"10k\", "
                                       "\"1.5M\"), not '%1'")
                            .arg(value.toString()));
                f.spec.bytesPerSecond = *rate;
            } else if (key == u"bytes" || key == u"lines") {
                const auto n = parseCount(value);
                if (!n)
                    return bad(
                        QStringLiteral("%1 must be a whole number, not '%2'").arg(key, value.toString()));
                // Out of int's range is out of the allowed range too: validateLinkFault() says so.
                if (key == u"bytes")
                    f.spec.sliceBytes = static_cast<int>(std::clamp<qint64>(*n, 0, kMaxSliceBytes + 1));
                else
                    f.spec.lines = *n;
            }
        }
    }

    if (const QString missing = LinkFaultSpec::missingParameters(*kind, seen); !missing.isEmpty())
        return bad(missing);
    if (const FaultWindowProblem window = validateFaultWindow(f.duration, f.every, false);
        !window.message.isEmpty())
        return bad(window.message);
    if (const QString problem = validateLinkFault(f.spec); !problem.isEmpty())
        return bad(problem);
    return f;
}

QString formatLinkFault(const TimedLinkFault &f) {
    const LinkFaultSpec &s = f.spec;
    QStringList params;
    switch (s.kind) {
    case Kind::Loss:
    case Kind::DropBytes:
        if (s.burst) {
            QString burst = number(s.burst->pGoodToBad) + u'/' + number(s.burst->pBadToGood);
            if (s.burst->lossInGood != 0.0 || s.burst->lossInBad != 1.0)
                burst += u'/' + number(s.burst->lossInGood) + u'/' + number(s.burst->lossInBad);
            params << QStringLiteral("burst=") + burst;
        } else {
            params << QStringLiteral("p=") + number(s.probability);
        }
        if (s.kind == Kind::Loss && s.rto != LinkFaultSpec().rto)
            params << QStringLiteral("rto=") + exactDuration(s.rto);
        if (s.kind == Kind::Loss && s.rtoMax != LinkFaultSpec().rtoMax)
            params << QStringLiteral("rto_max=") + exactDuration(s.rtoMax);
        break;
    case Kind::Latency:
        params << QStringLiteral("delay=") + exactDuration(s.delay);
        if (s.jitter.count() != 0)
            params << QStringLiteral("jitter=") + exactDuration(s.jitter);
        break;
    case Kind::Bandwidth:
        params << QStringLiteral("rate=") + number(s.bytesPerSecond);
        break;
    case Kind::Corrupt:
    case Kind::Duplicate:
        params << QStringLiteral("p=") + number(s.probability);
        break;
    case Kind::Reorder:
        params << QStringLiteral("p=") + number(s.probability);
        params << QStringLiteral("delay=") + exactDuration(s.delay);
        break;
    case Kind::Slice:
        params << QStringLiteral("bytes=") + QString::number(s.sliceBytes);
        if (s.sliceDelay.count() != 0)
            params << QStringLiteral("delay=") + exactDuration(s.sliceDelay);
        break;
    case Kind::DropFirst:
        params << QStringLiteral("lines=") + QString::number(s.lines);
        break;
    case Kind::CloseAfter:
        params << QStringLiteral("after=") + exactDuration(s.after);
        break;
    case Kind::Blackout:
        if (s.userTimeout != LinkFaultSpec().userTimeout)
            params << QStringLiteral("user_timeout=") + exactDuration(s.userTimeout);
        break;
    case Kind::Disconnect:
        break;
    }
    if (s.direction != LinkFaultSpec::Direction::Both)
        params << QStringLiteral("dir=") + linkDirectionName(s.direction);
    if (f.at)
        params << QStringLiteral("at=") + exactDuration(*f.at);
    if (f.duration)
        params << QStringLiteral("for=") + exactDuration(*f.duration);
    if (f.every)
        params << QStringLiteral("every=") + exactDuration(*f.every);
    const QString kind = LinkFaultSpec::kindName(s.kind);
    return params.isEmpty() ? kind : kind + u':' + params.join(u',');
}

} // namespace hil
