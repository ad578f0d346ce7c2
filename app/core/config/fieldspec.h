#pragma once

#include <QList>
#include <QString>

namespace hil {

// A value decoded from a binary frame (`fields:` of an expect): `bytes` at `offset` read as `type`,
// then value * scale + add. A field is a capture like a regex's named group: `measure:`, `record:` and
// `${...}` read it by name.
struct FieldSpec {
    enum class Type { U8, I8, U16Be, U16Le, I16Be, I16Le, U32Be, U32Le, I32Be, I32Le, F32Be, F32Le, Bit };
    QString name;
    int offset = 0;
    Type type = Type::U8;
    int bit = 0; // Bit: which bit of the byte at offset (0 = least significant)
    double scale = 1.0;
    double add = 0.0;
};

using FieldSpecs = QList<FieldSpec>;

} // namespace hil
