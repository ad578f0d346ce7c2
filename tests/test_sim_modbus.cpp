// The Modbus PLC model on fake time: RTU framing (its unit only, broadcasts unanswered, CRC errors
// resynced), Modbus TCP's MBAP, exceptions 01/02/03, and device faults and reboots reaching its registers.

#include "devicecore.h"
#include "modbusprotocol.h"
#include "support/simhelpers.h"

#include <boost/test/unit_test.hpp>
#include <memory>

using namespace hilsim;
using namespace simtest;
using namespace std::chrono_literals;

namespace {

QByteArray hex(const char *text) {
    return QByteArray::fromHex(QByteArray(text).replace(' ', ""));
}

std::unique_ptr<DeviceCore> plc(ModbusFraming framing, quint8 unit = 1) {
    ModbusConfig config;
    config.framing = framing;
    config.unit = unit;
    return std::make_unique<DeviceCore>(std::make_unique<ModbusProtocol>(config), 1);
}

} // namespace

BOOST_AUTO_TEST_SUITE(modbus_model)

BOOST_AUTO_TEST_CASE(crc_matches_the_published_frames) {
    // "01 03 00 00 00 01 84 0A": read holding register 0 of unit 1, as the Modbus guides print it.
    BOOST_TEST(ModbusProtocol::crc16(hex("01 03 00 00 00 01")) == 0x0A84);
}

BOOST_AUTO_TEST_CASE(rtu_answers_its_unit_only_and_never_a_broadcast) {
    auto core = plc(ModbusFraming::Rtu, 5);
    BOOST_TEST(core->receive(hex("01 03 00 00 00 01 84 0A"), 0ns).isEmpty()); // unit 1: someone else's
    // Unit 0, write holding 0 = 0x1234: carried out, not answered.
    QByteArray broadcast = hex("00 06 00 00 12 34");
    const quint16 crc = ModbusProtocol::crc16(broadcast);
    broadcast += static_cast<char>(crc & 0xFF);
    broadcast += static_cast<char>(crc >> 8);
    BOOST_TEST(core->receive(broadcast, 1ms).isEmpty());
    QByteArray read = hex("05 03 00 00 00 01");
    const quint16 readCrc = ModbusProtocol::crc16(read);
    read += static_cast<char>(readCrc & 0xFF);
    read += static_cast<char>(readCrc >> 8);
    const QByteArray reply = core->receive(read, 2ms);
    BOOST_TEST(str(reply.toHex(' ').left(14)) == "05 03 02 12 34");
}

BOOST_AUTO_TEST_CASE(rtu_resyncs_after_garbage_and_a_bad_crc) {
    auto core = plc(ModbusFraming::Rtu);
    // Garbage, then a frame with a broken CRC, then a good one cut in two pieces.
    BOOST_TEST(core->receive(hex("FF 00 01 03 00 00 00 01 84 0B"), 0ns).isEmpty());
    BOOST_TEST(core->receive(hex("01 03 00 00"), 1ms).isEmpty());
    BOOST_TEST(str(core->receive(hex("00 01 84 0A"), 2ms).toHex(' ')) == "01 03 02 00 00 b8 44");
}

BOOST_AUTO_TEST_CASE(tcp_echoes_the_transaction_and_raises_exceptions) {
    auto core = plc(ModbusFraming::Tcp);
    BOOST_TEST(str(core->receive(hex("12 34 00 00 00 06 09 06 00 01 00 2A"), 0ns).toHex(' '))
               == "12 34 00 00 00 06 09 06 00 01 00 2a");
    BOOST_TEST(str(core->receive(hex("00 07 00 00 00 06 09 03 00 00 00 02"), 1ms).toHex(' '))
               == "00 07 00 00 00 07 09 03 04 00 00 00 2a");
    // 01 illegal function, 02 illegal address, 03 illegal value (quantity 0; a coil value not on/off).
    BOOST_TEST(str(core->receive(hex("00 08 00 00 00 02 01 2B"), 2ms).toHex(' '))
               == "00 08 00 00 00 03 01 ab 01");
    BOOST_TEST(str(core->receive(hex("00 09 00 00 00 06 01 04 00 02 00 02"), 3ms).toHex(' '))
               == "00 09 00 00 00 03 01 84 02");
    BOOST_TEST(str(core->receive(hex("00 0A 00 00 00 06 01 03 00 00 00 00"), 4ms).toHex(' '))
               == "00 0a 00 00 00 03 01 83 03");
    BOOST_TEST(str(core->receive(hex("00 0B 00 00 00 06 01 05 00 00 12 34"), 5ms).toHex(' '))
               == "00 0b 00 00 00 03 01 85 03");
}

BOOST_AUTO_TEST_CASE(faults_reach_the_registers_and_a_reboot_clears_them) {
    auto core = plc(ModbusFraming::Tcp);
    const QByteArray readTemp = hex("00 01 00 00 00 06 01 04 00 00 00 01");
    const QByteArray before = core->receive(readTemp, 0ns);
    const int tenths =
        static_cast<qint16>((static_cast<quint8>(before[9]) << 8) | static_cast<quint8>(before[10]));
    BOOST_TEST(tenths >= 215);
    BOOST_TEST(tenths <= 235);
    BOOST_TEST(str(core->control("FAULT stuck channel=temp value=-12.3", 1ms).last()) == "OK");
    BOOST_TEST(str(core->receive(readTemp, 2ms).toHex(' ')) == "00 01 00 00 00 05 01 04 02 ff 85"); // -123
    BOOST_TEST(str(core->control("FAULT hang", 3ms).last()) == "OK");
    BOOST_TEST(core->receive(readTemp, 4ms).isEmpty());
    BOOST_TEST(str(core->control("CLEAR all", 5ms).last()) == "OK");
    core->receive(hex("00 02 00 00 00 06 01 05 00 00 FF 00"), 6ms); // relay on
    BOOST_TEST(str(core->control("FAULT reboot down=100ms", 7ms).last()) == "OK");
    core->tick(200ms);
    BOOST_TEST(str(core->receive(hex("00 03 00 00 00 06 01 01 00 00 00 01"), 201ms).toHex(' '))
               == "00 03 00 00 00 04 01 01 01 00");
}

BOOST_AUTO_TEST_SUITE_END()
