#include "core/config/binarystep.h"

#include "core/base/hextext.h"
#include "core/config/framingnames.h"

#include <QRegularExpression>

namespace hil {

namespace {

QString nibblePattern(QChar c) {
    if (c == u'?')
        return QStringLiteral("[0-9A-F]");
    return QString(c.toUpper());
}

bool isHexDigit(QChar c) {
    return (c >= u'0' && c <= u'9') || (c.toUpper() >= u'A' && c.toUpper() <= u'F');
}

} // namespace

std::optional<QString> bytesPattern(const QString &mask, QString *error, int *column) {
    QStringList bytes;
    bool rest = false;
    qsizetype i = 0;
    const auto fail = [&](qsizetype at, const QString &why) -> std::optional<QString> {
        *error = why;
        *column = static_cast<int>(at);
        return std::nullopt;
    };
    while (i < mask.size()) {
        if (mask[i] == u' ' || mask[i] == u'\t') {
            ++i;
            continue;
        }
        if (rest)
            return fail(i, QStringLiteral("bytes: '...' (any further bytes) must come last"));
        if (mask.mid(i, 3) == u"...") {
            rest = true;
            i += 3;
            continue;
        }
        qsizetype end = i;
        while (end < mask.size() && mask[end] != u' ' && mask[end] != u'\t')
            ++end;
        const QString token = mask.mid(i, end - i);
        if (token.size() != 2)
            return fail(i, QStringLiteral("bytes: each byte is two hex digits or ?? (any byte), "
                                          "separated by spaces; not '%1'")
                               .arg(token));
        for (qsizetype k = 0; k < 2; ++k)
            if (!isHexDigit(token[k]) && token[k] != u'?')
                return fail(i + k,
                            QStringLiteral("bytes: '%1' is not a hex digit or ? (any nibble)").arg(token[k]));
        bytes.append(token == u"??" ? QStringLiteral("[0-9A-F]{2}")
                                    : nibblePattern(token[0]) + nibblePattern(token[1]));
        i = end;
    }
    if (bytes.isEmpty() && !rest)
        return fail(0, QStringLiteral("bytes: needs at least one byte"));
    QString pattern = QStringLiteral("^") + bytes.join(u' ');
    if (rest)
        pattern += bytes.isEmpty() ? QStringLiteral(".*") : QStringLiteral("(?: [0-9A-F]{2})*");
    return pattern + u'$';
}

const QStringList &fieldTypeNames() {
    static const QStringList names = {
        QStringLiteral("u8"),    QStringLiteral("i8"),    QStringLiteral("u16be"), QStringLiteral("u16le"),
        QStringLiteral("i16be"), QStringLiteral("i16le"), QStringLiteral("u32be"), QStringLiteral("u32le"),
        QStringLiteral("i32be"), QStringLiteral("i32le"), QStringLiteral("f32be"), QStringLiteral("f32le"),
        QStringLiteral("bit")};
    return names;
}

FieldSpecs readFields(YamlReader &r, const YAML::Node &n,
                      const std::function<void(const YAML::Node &key, const YAML::Node &value)> &onMeasure) {
    FieldSpecs out;
    if (!r.requireMap(n, QStringLiteral("fields")))
        return out;
    r.checkDuplicateKeys(n);
    static const QRegularExpression fieldName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    for (auto it = n.begin(); it != n.end(); ++it) {
        FieldSpec f;
        f.name = toQString(it->first.Scalar());
        if (!fieldName.match(f.name).hasMatch())
            r.error(it->first,
                    QStringLiteral("field names are letters, digits and '_' (like a capture), not '%1'")
                        .arg(f.name));
        const YAML::Node v = it->second;
        if (!r.requireMap(v, QStringLiteral("field '%1' ({offset, type, ...})").arg(f.name)))
            continue;
        r.checkKeys(v, {"offset", "type", "scale", "add", "bit", "unit", "limits", "marginal"});
        if (!v["offset"])
            r.error(v, QStringLiteral("field '%1' needs an offset (its first byte, 0 = the frame's first)")
                           .arg(f.name));
        else if (const auto o = r.integer(v["offset"], QStringLiteral("offset"), 0, 65535))
            f.offset = static_cast<int>(*o);
        if (!v["type"]) {
            r.error(v,
                    QStringLiteral("field '%1' needs a type (%2)").arg(f.name, fieldTypeNames().join(u", ")));
        } else if (const auto t = r.string(v["type"], QStringLiteral("type"))) {
            const qsizetype k = fieldTypeNames().indexOf(*t);
            if (k < 0)
                r.error(v["type"], QStringLiteral("unknown field type '%1' (known: %2)")
                                       .arg(*t, fieldTypeNames().join(u", ")));
            else
                f.type = static_cast<FieldSpec::Type>(k);
        }
        if (v["scale"]) {
            f.scale = r.number(v["scale"], QStringLiteral("scale")).value_or(1.0);
            if (f.scale == 0.0)
                r.error(v["scale"], QStringLiteral("scale must not be zero"));
        }
        if (v["add"])
            f.add = r.number(v["add"], QStringLiteral("add")).value_or(0.0);
        if (v["bit"]) {
            if (f.type != FieldSpec::Type::Bit)
                r.error(v["bit"], QStringLiteral("bit is for fields of type bit"));
            else if (const auto b = r.integer(v["bit"], QStringLiteral("bit"), 0, 7))
                f.bit = static_cast<int>(*b);
        }
        if (v["unit"] || v["limits"] || v["marginal"])
            onMeasure(it->first, v);
        out.append(f);
    }
    return out;
}

QString sendFramingProblem(const DeviceConfig &device, bool hex) {
    if (hex == device.framing.isBinary())
        return {};
    const QString framing = framingKindName(device.framing.kind);
    if (hex)
        return QStringLiteral("device '%1' has %2 framing: it takes send: {line: ...}, not hex")
            .arg(device.name, framing);
    return QStringLiteral("device '%1' has %2 framing: it takes send: {hex: \"01 03 ...\"}, not a text line")
        .arg(device.name, framing);
}

QStringList captureNames(const ExpectSpec &expect) {
    QStringList out;
    for (const QString &name : expect.match.namedCaptureGroups())
        if (!name.isEmpty())
            out.append(name);
    for (const FieldSpec &f : expect.fields)
        if (!out.contains(f.name))
            out.append(f.name);
    return out;
}

} // namespace hil
