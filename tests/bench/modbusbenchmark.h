#pragma once

#include <QString>
#include <vector>

namespace hilbench {

struct ModbusOptions {
    int reads = 2000; // measured per client per block
    int blocks = 3;   // hil and pymodbus take turns block by block
    int warmup = 50;  // unmeasured reads at the start of each block
};

// Per read, monotonic nanoseconds from the request to the decoded answer.
struct ModbusResult {
    QString server;                 // the server's command line
    std::vector<qint64> harnessNs;  // hil::DeviceSession (Modbus TCP framer) over hil::TcpTransport
    std::vector<qint64> pymodbusNs; // pymodbus's own ModbusTcpClient.read_holding_registers
};

// Starts Debian's pymodbus server (tests/support/modbus_server.py --tcp 0) and measures, against that one
// process, reads of two holding registers by hil's session (as a `modbus: read_holding` step runs them:
// hex send, regex expect, fields decoded) and by pymodbus's own synchronous client (a Python process).
// False with *error if the server cannot be started or any read fails.
bool runModbus(const ModbusOptions &options, ModbusResult *result, QString *error);

} // namespace hilbench
