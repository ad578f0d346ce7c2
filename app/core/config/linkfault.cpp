#include "core/config/linkfault.h"

#include <cmath>
#include <initializer_list>

namespace hil {

namespace {

using Kind = LinkFaultSpec::Kind;

// What a kind acts on: any link, a byte stream (or a connection) only, or datagrams only.
enum class Carrier { Any, Stream, Datagram };

struct KindInfo {
    Kind kind;
    const char16_t *name;
    std::initializer_list<const char16_t *> parameters;
    const char16_t *required; // the parameter it cannot do without, if any
    Carrier carrier;
    const char16_t *example; // a typical use in the text form, for presets and help
};

const KindInfo kKinds[] = {
    {Kind::Blackout, u"blackout", {u"user_timeout"}, nullptr, Carrier::Any, u"blackout:for=5s"},
    // p or burst: see missingParameters()
    {Kind::Loss, u"loss", {u"p", u"burst", u"rto", u"rto_max"}, nullptr, Carrier::Any, u"loss:p=0.1"},
    {Kind::Latency,
     u"latency",
     {u"delay", u"jitter"},
     u"delay",
     Carrier::Any,
     u"latency:delay=50ms,jitter=5ms"},
    {Kind::Bandwidth, u"bandwidth", {u"rate"}, u"rate", Carrier::Any, u"bandwidth:rate=10k"},
    {Kind::Corrupt, u"corrupt", {u"p"}, u"p", Carrier::Any, u"corrupt:p=1e-4"},
    {Kind::Slice, u"slice", {u"bytes", u"delay"}, nullptr, Carrier::Stream, u"slice:bytes=1,delay=1ms"},
    {Kind::Disconnect, u"disconnect", {}, nullptr, Carrier::Stream, u"disconnect:for=2s"},
    {Kind::DropFirst,
     u"drop_first",
     {u"lines"},
     u"lines",
     Carrier::Stream,
     u"drop_first:lines=2,dir=from-device"},
    {Kind::CloseAfter, u"close_after", {u"after"}, u"after", Carrier::Stream, u"close_after:after=30s"},
    {Kind::Duplicate, u"duplicate", {u"p"}, u"p", Carrier::Datagram, u"duplicate:p=0.01"},
    {Kind::Reorder, u"reorder", {u"p", u"delay"}, u"p", Carrier::Datagram, u"reorder:p=0.05,delay=20ms"},
    {Kind::DropBytes, u"drop_bytes", {u"p", u"burst"}, nullptr, Carrier::Stream, u"drop_bytes:p=0.01"},
};

const KindInfo *info(Kind k) {
    for (const KindInfo &i : kKinds)
        if (i.kind == k)
            return &i;
    return nullptr;
}

bool isProbability(double p) {
    return p >= 0.0 && p <= 1.0; // false for NaN
}

QString number(double v) {
    return QString::number(v, 'g', 6);
}

QString directionSuffix(LinkFaultSpec::Direction d) {
    switch (d) {
    case LinkFaultSpec::Direction::ToDevice:
        return QStringLiteral(" to-device");
    case LinkFaultSpec::Direction::FromDevice:
        return QStringLiteral(" from-device");
    case LinkFaultSpec::Direction::Both:
        break;
    }
    return {};
}

} // namespace

QString LinkFaultSpec::kindName(Kind k) {
    const KindInfo *i = info(k);
    return i ? QString::fromUtf16(i->name) : QStringLiteral("unknown");
}

std::optional<LinkFaultSpec::Kind> LinkFaultSpec::kindFromName(const QString &name) {
    for (const KindInfo &i : kKinds)
        if (name == QStringView(i.name))
            return i.kind;
    return std::nullopt;
}

QStringList LinkFaultSpec::kindNames() {
    QStringList names;
    for (const KindInfo &i : kKinds)
        names << QString::fromUtf16(i.name);
    return names;
}

QStringList LinkFaultSpec::parameterNames(Kind k) {
    QStringList names;
    if (const KindInfo *i = info(k))
        for (const char16_t *p : i->parameters)
            names << QString::fromUtf16(p);
    return names;
}

QString LinkFaultSpec::missingParameters(Kind k, const QStringList &given) {
    if (k == Kind::Loss || k == Kind::DropBytes) {
        if (given.contains(QStringLiteral("p")) == given.contains(QStringLiteral("burst")))
            return QStringLiteral("needs either p or burst");
        return {};
    }
    const KindInfo *i = info(k);
    if (i && i->required && !given.contains(QString::fromUtf16(i->required)))
        return QStringLiteral("needs ") + QString::fromUtf16(i->required);
    return {};
}

QString LinkFaultSpec::unknownKindMessage(const QString &name) {
    return QStringLiteral("unknown link fault '%1' (known: %2)")
        .arg(name, kindNames().join(QStringLiteral(", ")));
}

QString LinkFaultSpec::example(Kind k) {
    const KindInfo *i = info(k);
    return i ? QString::fromUtf16(i->example) : QString();
}

QStringList LinkFaultSpec::kindNamesOn(bool datagrams) {
    QStringList names;
    for (const KindInfo &i : kKinds)
        if (i.carrier == Carrier::Any || i.carrier == (datagrams ? Carrier::Datagram : Carrier::Stream))
            names << QString::fromUtf16(i.name);
    return names;
}

QString LinkFaultSpec::inapplicableOn(Kind k, bool datagrams) {
    return datagrams ? inapplicableOnDatagrams(k) : inapplicableOnStreams(k);
}

QString LinkFaultSpec::inapplicableOnDatagrams(Kind k) {
    const KindInfo *i = info(k);
    if (!i || i->carrier != Carrier::Stream)
        return {};
    return QStringLiteral("%1 acts on a byte stream or a connection; a udp link carries datagrams (use %2)")
        .arg(kindName(k), kindNamesOn(true).join(QStringLiteral(", ")));
}

QString LinkFaultSpec::inapplicableOnStreams(Kind k) {
    const KindInfo *i = info(k);
    if (!i || i->carrier != Carrier::Datagram)
        return {};
    return QStringLiteral("%1 acts on datagrams; only a udp link (or hil proxy --udp) carries them")
        .arg(kindName(k));
}

QString validateLinkFault(const LinkFaultSpec &spec) {
    using Kind = LinkFaultSpec::Kind;
    const auto outside = [](const char16_t *what, double p) {
        return QStringLiteral("%1 %2 is outside [0, 1]").arg(QString::fromUtf16(what), number(p));
    };
    switch (spec.kind) {
    case Kind::Loss:
    case Kind::DropBytes:
        if (spec.kind == Kind::Loss && (spec.rto < kMinFaultTime || spec.rto > kMaxRto))
            return QStringLiteral("rto must be 1ms to 120s");
        if (spec.kind == Kind::Loss && (spec.rtoMax < spec.rto || spec.rtoMax > kMaxRto))
            return QStringLiteral("rto_max must be from rto (%1) to 120s").arg(formatDuration(spec.rto));
        if (spec.burst) {
            const LinkFaultSpec::GilbertElliott &b = *spec.burst;
            if (!isProbability(b.pGoodToBad))
                return outside(u"the good-to-bad probability", b.pGoodToBad);
            if (!isProbability(b.pBadToGood))
                return outside(u"the bad-to-good probability", b.pBadToGood);
            if (!isProbability(b.lossInGood))
                return outside(u"the loss in the good state", b.lossInGood);
            if (!isProbability(b.lossInBad))
                return outside(u"the loss in the bad state", b.lossInBad);
        } else if (!isProbability(spec.probability)) {
            return outside(u"probability", spec.probability);
        }
        break;
    case Kind::Corrupt:
    case Kind::Duplicate:
        if (!isProbability(spec.probability))
            return outside(u"probability", spec.probability);
        break;
    case Kind::Reorder:
        if (!isProbability(spec.probability))
            return outside(u"probability", spec.probability);
        if (spec.delay.count() <= 0)
            return QStringLiteral("needs delay > 0 (how long a datagram is held back)");
        break;
    case Kind::Latency:
        if (spec.delay.count() < 0)
            return QStringLiteral("the delay is negative");
        if (spec.jitter.count() < 0)
            return QStringLiteral("the jitter is negative");
        // A chunk would have to leave before it arrived.
        if (spec.jitter > spec.delay)
            return QStringLiteral("jitter must not exceed delay (a packet cannot arrive before it is sent)");
        break;
    case Kind::Bandwidth:
        if (!(spec.bytesPerSecond > 0) || !std::isfinite(spec.bytesPerSecond))
            return QStringLiteral("the rate must be a number of bytes per second > 0");
        break;
    case Kind::Slice:
        if (spec.sliceBytes < 1 || spec.sliceBytes > kMaxSliceBytes)
            return QStringLiteral("slices must be 1 to %1 bytes").arg(kMaxSliceBytes);
        if (spec.sliceDelay.count() < 0)
            return QStringLiteral("the delay between slices is negative");
        break;
    case Kind::DropFirst:
        if (spec.lines < 1 || spec.lines > kMaxDropLines)
            return QStringLiteral("the number of lines must be 1 to %1").arg(kMaxDropLines);
        break;
    case Kind::CloseAfter:
        if (spec.after.count() < 0)
            return QStringLiteral("the time before closing is negative");
        break;
    case Kind::Blackout:
        if (spec.userTimeout < kMinFaultTime)
            return QStringLiteral("user_timeout must be at least 1ms");
        break;
    case Kind::Disconnect:
        break;
    }
    return {};
}

FaultWindowProblem validateFaultWindow(const std::optional<Nanoseconds> &duration,
                                       const std::optional<Nanoseconds> &every, bool instant) {
    if (duration && *duration < kMinFaultTime)
        return {QStringLiteral("for must be at least 1ms"), "for"};
    if (!every)
        return {};
    if (*every < kMinFaultTime)
        return {QStringLiteral("every must be at least 1ms"), "every"};
    // Without an end each repetition would start while the last one still holds.
    if (!duration && !instant)
        return {QStringLiteral("every needs for (how long each repetition lasts)"), "every"};
    if (duration && *every <= *duration)
        return {QStringLiteral("every (%1) must be longer than for (%2)")
                    .arg(formatDuration(*every), formatDuration(*duration)),
                "every"};
    return {};
}

QString LinkFaultSpec::describe() const {
    QString text = kindName(kind);
    switch (kind) {
    case Kind::Blackout:
        if (userTimeout != LinkFaultSpec().userTimeout)
            text += QStringLiteral(" user_timeout ") + formatDuration(userTimeout);
        break;
    case Kind::Disconnect:
        break;
    case Kind::Loss:
    case Kind::DropBytes:
        if (burst) {
            text += QStringLiteral(" burst %1/%2").arg(number(burst->pGoodToBad), number(burst->pBadToGood));
            if (burst->lossInGood != 0.0 || burst->lossInBad != 1.0)
                text +=
                    QStringLiteral(" (loss %1/%2)").arg(number(burst->lossInGood), number(burst->lossInBad));
        } else {
            text += QStringLiteral(" p=") + number(probability);
        }
        if (kind == Kind::Loss && rto != LinkFaultSpec().rto)
            text += QStringLiteral(" rto ") + formatDuration(rto);
        if (kind == Kind::Loss && rtoMax != LinkFaultSpec().rtoMax)
            text += QStringLiteral(" rto_max ") + formatDuration(rtoMax);
        break;
    case Kind::Latency:
        text += u' ' + formatDuration(delay);
        if (jitter.count() > 0)
            text += QStringLiteral("±") + formatDuration(jitter);
        break;
    case Kind::Bandwidth:
        text += QStringLiteral(" %1 B/s").arg(number(bytesPerSecond));
        break;
    case Kind::Corrupt:
    case Kind::Duplicate:
        text += QStringLiteral(" p=") + number(probability);
        break;
    case Kind::Reorder:
        text += QStringLiteral(" p=%1 by %2").arg(number(probability), formatDuration(delay));
        break;
    case Kind::Slice:
        text += QStringLiteral(" %1 B").arg(sliceBytes);
        if (sliceDelay.count() > 0)
            text += QStringLiteral(" every ") + formatDuration(sliceDelay);
        break;
    case Kind::DropFirst:
        text += QStringLiteral(" %1 line%2").arg(lines).arg(lines == 1 ? QString() : QStringLiteral("s"));
        break;
    case Kind::CloseAfter:
        text += u' ' + formatDuration(after);
        break;
    }
    return text + directionSuffix(direction);
}

} // namespace hil
