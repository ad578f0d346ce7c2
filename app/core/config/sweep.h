#pragma once

#include "core/config/binding.h"
#include "core/config/loadscope.h"
#include "core/config/yamlreader.h"

#include <QList>
#include <optional>

namespace hil {

// The most iterations a `for_each:` may give (all its variables' values multiplied).
constexpr qint64 kMaxSweepIterations = 100000;

// Reads `for_each: {V: [1, 2, 5], N: {from: 1, to: 20, step: 1}}`: the product of the variables' values,
// the first variable outermost, as one Bindings per iteration. Values may be computed from the static
// variables of `scope`. nullopt after an error (recorded at file:line:col).
std::optional<QList<Bindings>> readSweep(YamlReader &r, LoadScope &scope, const YAML::Node &n);

} // namespace hil
