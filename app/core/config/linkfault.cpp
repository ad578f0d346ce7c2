#include "core/config/linkfault.h"

#include <array>
#include <utility>

namespace hil {

namespace {

using Kind = LinkFaultSpec::Kind;

constexpr std::array<std::pair<Kind, const char16_t *>, 9> kKindNames{{
    {Kind::Blackout, u"blackout"},
    {Kind::Loss, u"loss"},
    {Kind::Latency, u"latency"},
    {Kind::Bandwidth, u"bandwidth"},
    {Kind::Corrupt, u"corrupt"},
    {Kind::Slice, u"slice"},
    {Kind::Disconnect, u"disconnect"},
    {Kind::DropFirst, u"drop_first"},
    {Kind::CloseAfter, u"close_after"},
}};

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
    for (const auto &[kind, name] : kKindNames)
        if (kind == k)
            return QString::fromUtf16(name);
    return QStringLiteral("unknown");
}

std::optional<LinkFaultSpec::Kind> LinkFaultSpec::kindFromName(const QString &name) {
    for (const auto &[kind, text] : kKindNames)
        if (name == QStringView(text))
            return kind;
    return std::nullopt;
}

QString LinkFaultSpec::describe() const {
    QString text = kindName(kind);
    switch (kind) {
    case Kind::Blackout:
    case Kind::Disconnect:
        break;
    case Kind::Loss:
        if (burst) {
            text += QStringLiteral(" burst %1/%2").arg(number(burst->pGoodToBad), number(burst->pBadToGood));
            if (burst->lossInGood != 0.0 || burst->lossInBad != 1.0)
                text +=
                    QStringLiteral(" (loss %1/%2)").arg(number(burst->lossInGood), number(burst->lossInBad));
        } else {
            text += QStringLiteral(" p=") + number(probability);
        }
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
        text += QStringLiteral(" p=") + number(probability);
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
