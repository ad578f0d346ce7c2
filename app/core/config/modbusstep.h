#pragma once

#include "core/config/fixture.h"
#include "core/config/scenario.h"

#include <QString>
#include <functional>
#include <optional>

namespace YAML {
class Node;
}

namespace hil {

class YamlReader;

// A step's `modbus:` compiled into what the engine runs: a send of the request as hex text (unit + PDU;
// the device's framer adds MBAP or CRC), an expect whose regex is the shape of the normal response, and
// fields decoding the values: registers as u16be named r0.. (or `names:`), coils and discrete inputs as
// bits c0.. (or `names:`). The regex carries an empty named group per value, so `measure:`, `record:`
// and `${...}` accept the names like any capture (the decoded field wins over the empty group).
//
//   modbus: {to: plc, read_holding: {address: 0, count: 2}, names: [t, h], within: 500ms}
//   modbus: {to: plc, write_register: {address: 10, value: 7}}
//
// Functions: read_coils (1), read_discrete (2), read_holding (3), read_input (4), write_coil (5),
// write_register (6), write_registers (16). Numbers may be decimal or 0x hex and may use values known
// before the run (`${...}` of vars, sweeps, blocks); values learnt during the run are not accepted here
// (use `send: {hex: ...}` with `hex()` for those). Errors go to `r` at the offending node.
struct ModbusStepContext {
    // The device a `to:` names (nullopt: already reported), or the default device when `to` is null.
    std::function<std::optional<QString>(const YAML::Node *to)> device;
    const Fixture *fixture = nullptr;
};

void readModbusStep(YamlReader &r, const YAML::Node &n, const ModbusStepContext &context, Step &step);

// The load error for a `measure:` of a name a modbus step does not give: "the modbus step gives r0, r1,
// not 'r2'" (or "gives no values" for a write).
QString modbusUnknownValueText(const QString &name, const FieldSpecs &fields);

} // namespace hil
