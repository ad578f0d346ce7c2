#pragma once

#include "deviceprotocol.h"
#include "envsensormodel.h"
#include "modbusconfig.h"

#include <QByteArray>
#include <array>

namespace hilsim {

// A Modbus PLC with the ENV-1 sensor model behind its register map:
//
//   input registers   0 temperature x10 (signed), 1 humidity x10, 2 uptime in s since boot
//   holding registers 0 setpoint, 1 config (both read/write, 0 after a boot)
//   coil              0 relay (off after a boot)
//
// Functions 01, 03, 04, 05, 06, 15 and 16. Exceptions: 01 for another function, 02 for an address
// outside the map, 03 for a bad quantity or coil value. RTU frames (unit id, PDU, CRC16/MODBUS low byte
// first) are delimited by the length each function code implies; a frame with a bad CRC costs its
// first byte, so the reader resyncs on the next good frame; so does a function code it does not know
// unless the bytes that arrived make a frame with a good CRC (answered with exception 01). A frame for
// another unit id is ignored, as a real server on a shared bus does. Modbus TCP frames carry an MBAP header
// whose transaction id comes back; any unit id is answered.
//
// Channels for faults: 0 = "temp", 1 = "hum" (input registers 0 and 1). A hang or dropout withholds
// the answer to a read of them.
//
// Not thread-safe; use it from one thread.
class ModbusProtocol : public DeviceProtocol {
public:
    enum Channel { Temperature = 0, Humidity = 1 };
    static constexpr int kInputRegisters = 3;
    static constexpr int kHoldingRegisters = 2;
    static constexpr int kCoils = 1;

    explicit ModbusProtocol(ModbusConfig config);

    QByteArray feed(QByteArrayView bytes, std::chrono::nanoseconds now) override;
    bool isBinary() const override { return true; }
    QByteArrayList channels() const override { return {"temp", "hum"}; }
    double currentValue(int channel, std::chrono::nanoseconds now) override;

    // The CRC16/MODBUS of `bytes` (polynomial 0xA001 reflected, initial 0xFFFF).
    static quint16 crc16(QByteArrayView bytes);

protected:
    QByteArrayList execute(const QByteArrayList &, std::chrono::nanoseconds) override { return {}; }
    QByteArray bannerText() const override { return {}; }
    void onInputDropped() override { m_buffer.clear(); }
    void onBoot() override;

private:
    // The answer PDU to request `pdu`; empty when a fault withholds it.
    QByteArray answer(QByteArrayView pdu, std::chrono::nanoseconds now);
    QByteArray readBits(QByteArrayView pdu) const;
    QByteArray readRegisters(QByteArrayView pdu, std::chrono::nanoseconds now, bool input);
    QByteArray write(QByteArrayView pdu);
    quint16 inputRegister(int address, std::chrono::nanoseconds now);
    QByteArray feedRtu(std::chrono::nanoseconds now);
    QByteArray feedTcp(std::chrono::nanoseconds now);
    // How long the RTU request starting the buffer is: 0 if not known yet, -1 if it is no frame.
    qsizetype rtuFrameLength() const;

    ModbusConfig m_config;
    EnvSensorModel m_model;
    std::array<quint16, kHoldingRegisters> m_holding{};
    bool m_relay = false;
    QByteArray m_buffer;
};

} // namespace hilsim
