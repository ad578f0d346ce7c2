#pragma once

#include "core/config/faultplan.h"
#include "core/config/fixture.h"

#include <QStringList>
#include <optional>

namespace YAML {
class Node;
}

namespace hil {

class YamlReader;

// Reads one fault (a `faults:` entry, or with inStep the value of a step's `fault:`) and validates it
// against the fixture: the device or proxy exists and can take the fault, parameters are in range.
// Problems go to the reader with their line:col; returns nullopt if the entry is unusable.
std::optional<FaultEntry> readFaultEntry(YamlReader &r, const YAML::Node &n, const Fixture &fixture,
                                         const QStringList &devices, bool inStep);

} // namespace hil
