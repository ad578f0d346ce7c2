#include "modbusprotocol.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace hilsim {

namespace {

constexpr quint8 kIllegalFunction = 0x01;
constexpr quint8 kIllegalAddress = 0x02;
constexpr quint8 kIllegalValue = 0x03;
constexpr qsizetype kMaxFrame = 260; // an MBAP header and the largest PDU, or an RTU frame

quint16 be16(QByteArrayView bytes, qsizetype at) {
    return static_cast<quint16>((static_cast<quint8>(bytes[at]) << 8) | static_cast<quint8>(bytes[at + 1]));
}

void appendBe16(QByteArray &out, quint16 value) {
    out += static_cast<char>(value >> 8);
    out += static_cast<char>(value & 0xFF);
}

QByteArray exception(quint8 function, quint8 code) {
    QByteArray pdu;
    pdu += static_cast<char>(function | 0x80);
    pdu += static_cast<char>(code);
    return pdu;
}

// An RTU frame's CRC, low byte first, checks.
bool crcMatches(QByteArrayView frame) {
    const qsizetype n = frame.size();
    const auto sent =
        static_cast<quint16>(static_cast<quint8>(frame[n - 2]) | (static_cast<quint8>(frame[n - 1]) << 8));
    return ModbusProtocol::crc16(frame.first(n - 2)) == sent;
}

} // namespace

ModbusProtocol::ModbusProtocol(ModbusConfig config)
    : DeviceProtocol(false, config.noReply)
    , m_config(config)
    , m_model(m_config.seed, m_config.rateHz) {}

quint16 ModbusProtocol::crc16(QByteArrayView bytes) {
    quint16 crc = 0xFFFF;
    for (const char c : bytes) {
        crc ^= static_cast<quint8>(c);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1) != 0 ? static_cast<quint16>((crc >> 1) ^ 0xA001) : static_cast<quint16>(crc >> 1);
    }
    return crc;
}

double ModbusProtocol::currentValue(int channel, std::chrono::nanoseconds now) {
    // As reported, in tenths, so a stuck reading holds exactly what was read.
    return static_cast<qint16>(inputRegister(channel == Humidity ? 1 : 0, now)) / 10.0;
}

void ModbusProtocol::onBoot() {
    m_model = EnvSensorModel(m_config.seed, m_config.rateHz);
    m_holding.fill(0);
    m_relay = false;
    m_buffer.clear();
}

QByteArray ModbusProtocol::feed(QByteArrayView bytes, std::chrono::nanoseconds now) {
    mutableCounters().bytesReceived += static_cast<quint64>(bytes.size());
    if (m_config.noReply)
        return {};
    m_buffer += bytes;
    return m_config.framing == ModbusFraming::Rtu ? feedRtu(now) : feedTcp(now);
}

qsizetype ModbusProtocol::rtuFrameLength() const {
    switch (static_cast<quint8>(m_buffer[1])) {
    case 0x01:
    case 0x02:
    case 0x03:
    case 0x04:
    case 0x05:
    case 0x06:
        return 8;
    case 0x0F:
    case 0x10:
        return m_buffer.size() < 7 ? 0 : 9 + static_cast<quint8>(m_buffer[6]);
    default:
        // A function this device does not know: its length is unknown, so the frame is what arrived if
        // its CRC checks; otherwise it is no frame (-1), and its first byte goes.
        return crcMatches(m_buffer) ? m_buffer.size() : -1;
    }
}

QByteArray ModbusProtocol::feedRtu(std::chrono::nanoseconds now) {
    QByteArray out;
    while (m_buffer.size() >= 4) {
        const qsizetype length = rtuFrameLength();
        if (length < 0) {
            mutableCounters().errors++;
            m_buffer.remove(0, 1); // not a frame: resync on the next byte
            continue;
        }
        if (length == 0 || m_buffer.size() < length) {
            if (m_buffer.size() >= kMaxFrame)
                m_buffer.remove(0, 1); // never a frame: resync
            else
                break;
            continue;
        }
        const QByteArrayView frame = QByteArrayView(m_buffer).first(length);
        if (!crcMatches(frame)) {
            mutableCounters().errors++;
            m_buffer.remove(0, 1); // resync on the next byte
            continue;
        }
        const auto unit = static_cast<quint8>(frame[0]);
        const QByteArray pdu = frame.sliced(1, length - 3).toByteArray();
        m_buffer.remove(0, length);
        mutableCounters().linesReceived++;
        if (unit != m_config.unit && unit != 0)
            continue; // someone else's on the bus
        const QByteArray reply = answer(pdu, now);
        if (unit == 0 || reply.isEmpty())
            continue; // a broadcast is never answered
        QByteArray adu;
        adu += static_cast<char>(unit);
        adu += reply;
        const quint16 replyCrc = crc16(adu);
        adu += static_cast<char>(replyCrc & 0xFF);
        adu += static_cast<char>(replyCrc >> 8);
        out += adu;
        mutableCounters().answersSent++;
    }
    return out;
}

QByteArray ModbusProtocol::feedTcp(std::chrono::nanoseconds now) {
    QByteArray out;
    while (m_buffer.size() >= 7) {
        const quint16 length = be16(m_buffer, 4);
        if (length < 2 || length > kMaxFrame - 6) {
            mutableCounters().errors++;
            m_buffer.clear(); // not Modbus TCP: nothing after it can be framed
            break;
        }
        if (m_buffer.size() < 6 + length)
            break;
        const QByteArray header = m_buffer.first(7);
        const QByteArray pdu = m_buffer.sliced(7, length - 1);
        m_buffer.remove(0, 6 + length);
        mutableCounters().linesReceived++;
        if (be16(header, 2) != 0)
            continue; // another protocol id
        const QByteArray reply = answer(pdu, now);
        if (reply.isEmpty())
            continue;
        QByteArray adu = header.first(4);
        appendBe16(adu, static_cast<quint16>(reply.size() + 1));
        adu += header[6];
        adu += reply;
        out += adu;
        mutableCounters().answersSent++;
    }
    return out;
}

QByteArray ModbusProtocol::answer(QByteArrayView pdu, std::chrono::nanoseconds now) {
    const auto function = static_cast<quint8>(pdu[0]);
    QByteArray reply;
    switch (function) {
    case 0x01:
        reply = pdu.size() == 5 ? readBits(pdu) : exception(function, kIllegalValue);
        break;
    case 0x03:
    case 0x04:
        reply =
            pdu.size() == 5 ? readRegisters(pdu, now, function == 0x04) : exception(function, kIllegalValue);
        break;
    case 0x05:
    case 0x06:
    case 0x0F:
    case 0x10:
        reply = write(pdu);
        break;
    default:
        reply = exception(function, kIllegalFunction);
    }
    if (!reply.isEmpty() && (static_cast<quint8>(reply[0]) & 0x80) != 0)
        mutableCounters().errors++;
    else if (!reply.isEmpty())
        mutableCounters().commandsHandled++;
    return reply;
}

QByteArray ModbusProtocol::readBits(QByteArrayView pdu) const {
    const quint16 start = be16(pdu, 1);
    const quint16 count = be16(pdu, 3);
    if (count < 1 || count > 2000)
        return exception(0x01, kIllegalValue);
    if (start + count > kCoils)
        return exception(0x01, kIllegalAddress);
    QByteArray reply;
    reply += char(0x01);
    reply += char(1);
    reply += static_cast<char>(m_relay ? 1 : 0);
    return reply;
}

quint16 ModbusProtocol::inputRegister(int address, std::chrono::nanoseconds now) {
    const auto modelTime = now - bootTime();
    if (address == 2)
        return static_cast<quint16>(
            std::min<qint64>(std::chrono::duration_cast<std::chrono::seconds>(modelTime).count(), 0xFFFF));
    const EnvSample &sample = m_model.advanceTo(modelTime);
    const double raw = address == 0 ? sample.temperature : sample.humidity;
    const double value = faulted(address, raw, sample.index, bootTime() + sample.time, now);
    const double tenths = std::clamp(std::round(value * 10.0), -32768.0, 32767.0);
    return static_cast<quint16>(static_cast<qint16>(tenths));
}

QByteArray ModbusProtocol::readRegisters(QByteArrayView pdu, std::chrono::nanoseconds now, bool input) {
    const auto function = static_cast<quint8>(pdu[0]);
    const quint16 start = be16(pdu, 1);
    const quint16 count = be16(pdu, 3);
    if (count < 1 || count > 125)
        return exception(function, kIllegalValue);
    if (start + count > (input ? kInputRegisters : kHoldingRegisters))
        return exception(function, kIllegalAddress);
    // A reading of the sensor that a hang or dropout withholds: no answer at all.
    if (input && start < 2 && withholdReading(now))
        return {};
    QByteArray reply;
    reply += static_cast<char>(function);
    reply += static_cast<char>(count * 2);
    for (int address = start; address < start + count; ++address)
        appendBe16(reply, input ? inputRegister(address, now) : m_holding[static_cast<size_t>(address)]);
    return reply;
}

QByteArray ModbusProtocol::write(QByteArrayView pdu) {
    const auto function = static_cast<quint8>(pdu[0]);
    if (pdu.size() < 5)
        return exception(function, kIllegalValue);
    const quint16 start = be16(pdu, 1);
    const quint16 value = be16(pdu, 3);
    switch (function) {
    case 0x05:
        if (pdu.size() != 5 || (value != 0xFF00 && value != 0x0000))
            return exception(function, kIllegalValue);
        if (start >= kCoils)
            return exception(function, kIllegalAddress);
        m_relay = value == 0xFF00;
        return pdu.toByteArray();
    case 0x06:
        if (pdu.size() != 5)
            return exception(function, kIllegalValue);
        if (start >= kHoldingRegisters)
            return exception(function, kIllegalAddress);
        m_holding[start] = value;
        return pdu.toByteArray();
    case 0x0F: {
        if (pdu.size() < 6 || value < 1 || value > 1968 || pdu.size() != 6 + static_cast<quint8>(pdu[5])
            || static_cast<quint8>(pdu[5]) != (value + 7) / 8)
            return exception(function, kIllegalValue);
        if (start + value > kCoils)
            return exception(function, kIllegalAddress);
        m_relay = (static_cast<quint8>(pdu[6]) & 1) != 0;
        return pdu.first(5).toByteArray();
    }
    default: { // 0x10
        if (pdu.size() < 6 || value < 1 || value > 123 || static_cast<quint8>(pdu[5]) != value * 2
            || pdu.size() != 6 + value * 2)
            return exception(function, kIllegalValue);
        if (start + value > kHoldingRegisters)
            return exception(function, kIllegalAddress);
        for (int i = 0; i < value; ++i)
            m_holding[static_cast<size_t>(start + i)] = be16(pdu, 6 + 2 * i);
        return pdu.first(5).toByteArray();
    }
    }
}

} // namespace hilsim
