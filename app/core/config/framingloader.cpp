#include "core/config/framingloader.h"

#include "core/config/framingnames.h"

namespace hil {

namespace {

constexpr qint64 kMaxFrameLimit = 64 * 1024 * 1024;

// "big" or "little"; nullopt after an error.
std::optional<bool> readOrder(YamlReader &r, const YAML::Node &n, const QString &what) {
    const auto s = r.string(n, what);
    if (!s)
        return std::nullopt;
    if (*s == u"big" || *s == u"little")
        return *s == u"big";
    r.error(n, QStringLiteral("%1 must be big or little, not '%2'").arg(what, *s));
    return std::nullopt;
}

void readLength(YamlReader &r, const YAML::Node &n, FramingSpec &f) {
    if (!r.requireMap(n, QStringLiteral("length")))
        return;
    r.checkKeys(n, {"size", "order", "adjust", "includes_crc"});
    if (n["size"]) {
        if (const auto size = r.integer(n["size"], QStringLiteral("length size"), 1, 4)) {
            if (*size == 3)
                r.error(n["size"], QStringLiteral("length size must be 1, 2 or 4 bytes"));
            f.lengthSize = static_cast<int>(*size);
        }
    }
    if (n["order"])
        f.lengthBigEndian = readOrder(r, n["order"], QStringLiteral("length order")).value_or(true);
    if (n["adjust"]) {
        if (const auto adjust = r.integer(n["adjust"], QStringLiteral("length adjust"), -255, 255))
            f.lengthAdjust = static_cast<int>(*adjust);
    }
    if (n["includes_crc"])
        f.lengthIncludesCrc = r.boolean(n["includes_crc"], QStringLiteral("includes_crc")).value_or(true);
}

} // namespace

void readFraming(YamlReader &r, const YAML::Node &n, DeviceConfig &d) {
    if (!r.requireMap(n, QStringLiteral("framing")))
        return;
    r.checkKeys(n, {"kind", "crc", "crc_order", "length", "size", "max_frame"});
    FramingSpec &f = d.framing;
    if (!n["kind"]) {
        r.error(n, QStringLiteral("framing needs a kind (one of: %1)").arg(framingKindNames().join(u", ")));
        return;
    }
    const auto kindText = r.string(n["kind"], QStringLiteral("kind"));
    if (!kindText)
        return;
    const auto kind = framingKindFromName(*kindText);
    if (!kind) {
        r.error(n["kind"], QStringLiteral("unknown framing '%1' (known: %2)")
                               .arg(*kindText, framingKindNames().join(u", ")));
        return;
    }
    f.kind = *kind;
    const QString kindName = framingKindName(f.kind);
    const auto onlyFor = [&](const char *key, FramingSpec::Kind want, const QString &why) {
        if (n[key] && f.kind != want)
            r.error(
                n[key],
                QStringLiteral("%1 is for %2 framing, not %3").arg(QLatin1StringView(key), why, kindName));
    };
    onlyFor("length", FramingSpec::Kind::LengthPrefixed, QStringLiteral("length-prefixed"));
    onlyFor("size", FramingSpec::Kind::Fixed, QStringLiteral("fixed"));
    if (f.kind == FramingSpec::Kind::Lines) {
        for (const char *key : {"crc", "crc_order", "max_frame"})
            if (n[key])
                r.error(n[key], QStringLiteral("%1 is for binary framings; lines use terminator and "
                                               "max_line_length (and a stream's checksum:)")
                                    .arg(QLatin1StringView(key)));
        return;
    }
    if (n["crc"]) {
        if (const auto text = r.string(n["crc"], QStringLiteral("crc"))) {
            if (const auto crc = frameCrcFromName(*text))
                f.crc = *crc;
            else
                r.error(
                    n["crc"],
                    QStringLiteral("unknown crc '%1' (known: %2)").arg(*text, frameCrcNames().join(u", ")));
        }
    }
    if (n["crc_order"]) {
        f.crcBigEndian = readOrder(r, n["crc_order"], QStringLiteral("crc_order")).value_or(false);
        if (!n["crc"] || frameCrcFromName(toQString(n["crc"].Scalar())) == FrameCrc::None)
            r.error(n["crc_order"], QStringLiteral("crc_order needs a crc"));
    }
    if (n["max_frame"]) {
        if (const auto m = r.integer(n["max_frame"], QStringLiteral("max_frame"), 1, kMaxFrameLimit))
            f.maxFrame = *m;
    }
    if (f.kind == FramingSpec::Kind::LengthPrefixed && n["length"])
        readLength(r, n["length"], f);
    if (f.kind == FramingSpec::Kind::Fixed) {
        if (!n["size"]) {
            r.error(n, QStringLiteral("fixed framing needs size (bytes per frame, CRC included)"));
        } else if (const auto size = r.integer(n["size"], QStringLiteral("size"), 1, kMaxFrameLimit)) {
            f.fixedSize = *size;
            if (f.fixedSize <= frameCrcWidth(f.crc))
                r.error(n["size"], QStringLiteral("size %1 leaves no room for data beside the %2 CRC")
                                       .arg(f.fixedSize)
                                       .arg(frameCrcName(f.crc)));
            else if (f.fixedSize > f.maxFrame)
                r.error(
                    n["size"],
                    QStringLiteral("size %1 is larger than max_frame %2").arg(f.fixedSize).arg(f.maxFrame));
        }
    }
}

} // namespace hil
