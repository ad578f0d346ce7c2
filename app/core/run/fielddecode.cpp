#include "core/run/fielddecode.h"

#include "core/base/hextext.h"

#include <cstring>

namespace hil {

namespace {

quint32 readUnsigned(QByteArrayView bytes, int offset, int width, bool bigEndian) {
    quint32 v = 0;
    for (int i = 0; i < width; ++i) {
        const int index = bigEndian ? offset + i : offset + width - 1 - i;
        v = (v << 8) | static_cast<unsigned char>(bytes[index]);
    }
    return v;
}

bool isBigEndian(FieldSpec::Type t) {
    using T = FieldSpec::Type;
    return t == T::U16Be || t == T::I16Be || t == T::U32Be || t == T::I32Be || t == T::F32Be;
}

double rawValue(const FieldSpec &f, QByteArrayView bytes) {
    using T = FieldSpec::Type;
    const int width = fieldWidth(f.type);
    const quint32 u = readUnsigned(bytes, f.offset, width, isBigEndian(f.type));
    switch (f.type) {
    case T::U8:
    case T::U16Be:
    case T::U16Le:
    case T::U32Be:
    case T::U32Le:
        return u;
    case T::I8:
        return static_cast<qint8>(u);
    case T::I16Be:
    case T::I16Le:
        return static_cast<qint16>(u);
    case T::I32Be:
    case T::I32Le:
        return static_cast<qint32>(u);
    case T::F32Be:
    case T::F32Le: {
        float fl = 0;
        std::memcpy(&fl, &u, sizeof fl);
        return fl;
    }
    case T::Bit:
        return (u >> f.bit) & 1U;
    }
    return 0;
}

} // namespace

int fieldWidth(FieldSpec::Type type) {
    using T = FieldSpec::Type;
    switch (type) {
    case T::U8:
    case T::I8:
    case T::Bit:
        return 1;
    case T::U16Be:
    case T::U16Le:
    case T::I16Be:
    case T::I16Le:
        return 2;
    default:
        return 4;
    }
}

QMap<QString, QString> decodeFieldBytes(const FieldSpecs &fields, QByteArrayView frame) {
    QMap<QString, QString> out;
    for (const FieldSpec &f : fields) {
        if (f.offset < 0 || f.offset + fieldWidth(f.type) > frame.size())
            continue;
        const double v = rawValue(f, frame) * f.scale + f.add;
        const bool integral = f.type != FieldSpec::Type::F32Be && f.type != FieldSpec::Type::F32Le
                              && f.scale == 1.0 && f.add == 0.0;
        out.insert(f.name, integral ? QString::number(static_cast<qint64>(v)) : QString::number(v, 'g', 9));
    }
    return out;
}

QMap<QString, QString> decodeFields(const FieldSpecs &fields, QByteArrayView frameHex) {
    if (fields.isEmpty())
        return {};
    const std::optional<QByteArray> bytes = fromHexText(frameHex);
    return bytes ? decodeFieldBytes(fields, *bytes) : QMap<QString, QString>{};
}

} // namespace hil
