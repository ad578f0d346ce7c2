#pragma once

#include <QtGlobal>

namespace hilsim {

// How a simulated Modbus PLC frames its PDUs: RTU (unit id, CRC16) on a serial line, MBAP on TCP.
enum class ModbusFraming { Rtu, Tcp };

// Everything that makes one simulated Modbus PLC differ from another; the command line fills it in.
struct ModbusConfig {
    quint8 unit = 1; // RTU: answers only this unit id (0 is broadcast: writes carried out, no answer)
    ModbusFraming framing = ModbusFraming::Rtu;
    quint64 seed = 1;
    double rateHz = 10.0; // the sensor model's sample rate
    bool noReply = false; // a hung device: swallow every byte, answer nothing
};

} // namespace hilsim
