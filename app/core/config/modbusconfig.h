#pragma once

#include "core/config/fixture.h"

#include <QString>
#include <functional>

namespace YAML {
class Node;
}

namespace hil {

class YamlReader;

// A fixture's `modbus:` entry: `{tcp: HOST:PORT, unit: 1}`, `{serial: PORT | {port, baud, parity, ...},
// unit: 1}`, or, beside `sim: {model: modbus}`, just `{unit: 1}`. Sets the device's transport (serial
// or tcp), its framing (Modbus TCP over tcp, RTU over serial) and unit; errors go to `r` at the node.
// `readSerial` reads a serial settings map as the fixture's `serial:` does.
void readModbusDevice(YamlReader &r, const YAML::Node &n, bool simulated, DeviceConfig &d,
                      const std::function<void(const YAML::Node &)> &readSerial);

// The name of a Modbus exception code: "illegal data address" for 0x02; "unknown exception" otherwise.
QString modbusExceptionName(int code);

// "modbus exception 0x02 (illegal data address)" when the frame (hex text: unit, function, ...) is a
// Modbus exception response; empty otherwise.
QString modbusExceptionText(QByteArrayView frameHex);

// The FAIL of a Modbus request nobody answered: "timeout: no Modbus answer from plc (unit 7) within
// 300ms (is the unit right? a server does not answer another unit id)". `request` is the request's hex text
// (unit first).
QString modbusTimeoutText(QByteArrayView request, const QString &device, Nanoseconds within);

} // namespace hil
