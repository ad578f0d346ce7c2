#pragma once

#include "core/config/fieldspec.h"
#include "core/config/fixture.h"
#include "core/config/scenario.h"
#include "core/config/yamlreader.h"

#include <QString>
#include <QStringList>
#include <functional>
#include <optional>

namespace hil {

// The binary-frame parts of a step (docs/scenarios.md, "Binary frames"): `send: {hex: ...}`,
// `expect: {bytes: ...}` and `expect: {fields: ...}`. Frames are hex text above the framer, so these
// compile to what text steps use: a send line, an anchored regular expression, named captures.

// `bytes: "01 03 ?? 1? ?F ..."` as a regular expression over a frame's hex text, anchored at both ends:
// two hex digits are that byte, `??` any byte, `?` in one digit any nibble, a final `...` any further
// bytes (or none). Nullopt, *error and *column (0-based in `mask`) if the mask is malformed.
std::optional<QString> bytesPattern(const QString &mask, QString *error, int *column);

// The field types' names (u8, i8, u16be, ..., f32le, bit), in the order of FieldSpec::Type.
const QStringList &fieldTypeNames();

// Reads `fields: {name: {offset, type, scale, add, bit, unit, limits, marginal}}`. For a field that also
// gives unit, limits or marginal, onMeasure(key, value) is called to read those as a measurement of it.
FieldSpecs readFields(YamlReader &r, const YAML::Node &n,
                      const std::function<void(const YAML::Node &key, const YAML::Node &value)> &onMeasure);

// Why `device` cannot take this kind of send (`hex` for hex text, else a text line), or an empty string.
QString sendFramingProblem(const DeviceConfig &device, bool hex);

// The names an expect gives values by: the pattern's named groups and the decoded fields.
QStringList captureNames(const ExpectSpec &expect);

} // namespace hil
