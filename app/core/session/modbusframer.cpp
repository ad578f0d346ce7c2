#include "core/session/modbusframer.h"

#include "core/base/crc.h"
#include "core/base/hextext.h"

#include <QModbusResponse>

namespace hil {

namespace {

constexpr qsizetype kMbapSize = 7; // transaction id, protocol id, length, unit
constexpr int kMaxPdu = 253;

quint16 be16(QByteArrayView b, qsizetype at) {
    return static_cast<quint16>((static_cast<quint8>(b[at]) << 8) | static_cast<quint8>(b[at + 1]));
}

// Parses the step's hex text into unit + PDU; nullopt and *error when it is not one.
std::optional<QByteArray> requestBytes(QByteArrayView text, QString *error) {
    QString why;
    std::optional<QByteArray> bytes = fromHexText(text, &why);
    if (!bytes) {
        if (error)
            *error = QStringLiteral("not hex text: %1").arg(why);
        return std::nullopt;
    }
    if (bytes->size() < 2 || bytes->size() > 1 + kMaxPdu) {
        if (error)
            *error = QStringLiteral("a Modbus request is a unit and a PDU of 1..%1 bytes, not %2 bytes")
                         .arg(kMaxPdu)
                         .arg(bytes->size());
        return std::nullopt;
    }
    return bytes;
}

QString hex16(quint16 v) {
    return QStringLiteral("0x%1").arg(QString::number(v, 16).toUpper(), 4, QLatin1Char('0'));
}

Framer::Frame badFrame(QByteArrayView bytes, QString reason) {
    Framer::Frame f;
    f.kind = Framer::Frame::Kind::Bad;
    f.data = toHexText(bytes);
    f.reason = std::move(reason);
    return f;
}

Framer::Frame lineFrame(QByteArrayView bytes) {
    Framer::Frame f;
    f.data = toHexText(bytes);
    return f;
}

} // namespace

int modbusResponsePduSize(QByteArrayView pdu) {
    if (pdu.isEmpty())
        return -1;
    const auto fc = static_cast<quint8>(pdu[0]);
    const auto code = static_cast<QModbusPdu::FunctionCode>(fc & 0x7F);
    if ((fc & 0x7F) == 0 || QModbusResponse::minimumDataSize(QModbusResponse(code, QByteArray())) < 0)
        return -2;
    if (fc & 0x80) { // function | 0x80, exception code 1..11
        if (pdu.size() < 2)
            return -1;
        const auto ex = static_cast<quint8>(pdu[1]);
        return ex >= 1 && ex <= 0x0B ? 2 : -2;
    }
    const int data = QModbusResponse::calculateDataSize(QModbusResponse(code, pdu.sliced(1).toByteArray()));
    return data < 0 ? -1 : 1 + data;
}

namespace {

// Where in `buffer`, after offset 0, a complete frame with a good CRC starts; -1 if nowhere.
qsizetype nextGoodRtuFrame(QByteArrayView buffer) {
    for (qsizetype at = 1; at + 4 <= buffer.size(); ++at) {
        const int pdu = modbusResponsePduSize(buffer.sliced(at + 1));
        if (pdu < 0 || at + 1 + pdu + 2 > buffer.size())
            continue;
        const QByteArrayView frame = buffer.sliced(at, 1 + pdu);
        const quint16 crc = static_cast<quint16>(static_cast<quint8>(buffer[at + 1 + pdu])
                                                 | (static_cast<quint8>(buffer[at + 2 + pdu]) << 8));
        if (crc == crc16Modbus(frame))
            return at;
    }
    return -1;
}

} // namespace

// --- Modbus TCP ---

void ModbusTcpFramer::flushGarbage(const Sink &sink) {
    if (m_garbage.isEmpty())
        return;
    const qsizetype n = m_garbage.size();
    sink(badFrame(m_garbage, QStringLiteral("%1 bytes that are no Modbus TCP frame skipped").arg(n)));
    m_garbage.clear();
}

void ModbusTcpFramer::push(QByteArrayView chunk, const Sink &sink) {
    m_buffer.append(chunk);
    while (m_buffer.size() >= kMbapSize) {
        const quint16 tid = be16(m_buffer, 0);
        const quint16 protocol = be16(m_buffer, 2);
        const quint16 length = be16(m_buffer, 4); // unit + PDU
        if (protocol != 0 || length < 2 || length > 1 + kMaxPdu) {
            m_garbage.append(m_buffer.front());
            m_buffer.remove(0, 1);
            continue;
        }
        if (m_buffer.size() < 6 + length)
            break;
        flushGarbage(sink);
        const QByteArray frame = m_buffer.left(6 + length);
        m_buffer.remove(0, 6 + length);
        const QByteArrayView adu = QByteArrayView(frame).sliced(6); // unit + PDU
        const int pduSize = modbusResponsePduSize(adu.sliced(1));
        if (pduSize == -2) {
            sink(badFrame(adu, QStringLiteral("function code 0x%1 is no Modbus response")
                                   .arg(static_cast<quint8>(adu[1]), 2, 16, QLatin1Char('0'))));
        } else if (pduSize != length - 1) {
            sink(badFrame(adu, QStringLiteral("MBAP length %1 does not fit the PDU (%2 bytes for function "
                                              "0x%3 with its byte count)")
                                   .arg(length)
                                   .arg(pduSize < 0 ? QStringLiteral("more") : QString::number(pduSize))
                                   .arg(static_cast<quint8>(adu[1]), 2, 16, QLatin1Char('0'))));
        } else if (!m_inFlight || tid != m_transactionId) {
            sink(badFrame(adu, m_inFlight ? QStringLiteral(
                                                "transaction id %1 is not the request in flight (%2): a late "
                                                "or stray answer")
                                                .arg(tid)
                                                .arg(m_transactionId)
                                          : QStringLiteral("transaction id %1 answers no request").arg(tid)));
        } else {
            m_inFlight = false;
            sink(lineFrame(adu));
        }
    }
    // A header that never becomes plausible is not held for ever.
    if (m_garbage.size() >= 1 + kMaxPdu)
        flushGarbage(sink);
}

std::optional<QByteArray> ModbusTcpFramer::encode(QByteArrayView text, QString *error) {
    std::optional<QByteArray> adu = requestBytes(text, error);
    if (!adu)
        return std::nullopt;
    ++m_transactionId;
    m_inFlight = true;
    QByteArray out;
    out.reserve(6 + adu->size());
    out.append(static_cast<char>(m_transactionId >> 8)).append(static_cast<char>(m_transactionId & 0xFF));
    out.append('\0').append('\0');
    out.append(static_cast<char>(adu->size() >> 8)).append(static_cast<char>(adu->size() & 0xFF));
    out.append(*adu);
    return out;
}

void ModbusTcpFramer::reset() {
    m_buffer.clear();
    m_garbage.clear();
    m_inFlight = false;
}

// --- Modbus RTU ---

void ModbusRtuFramer::flushGarbage(const Sink &sink) {
    if (m_garbage.isEmpty())
        return;
    const qsizetype n = m_garbage.size();
    sink(badFrame(m_garbage, QStringLiteral("%1 bytes that are no Modbus RTU frame skipped").arg(n)));
    m_garbage.clear();
}

void ModbusRtuFramer::push(QByteArrayView chunk, const Sink &sink) {
    m_buffer.append(chunk);
    while (m_buffer.size() >= 2) {
        const int pdu = modbusResponsePduSize(QByteArrayView(m_buffer).sliced(1));
        if (pdu == -2) {
            m_garbage.append(m_buffer.front());
            m_buffer.remove(0, 1);
            continue;
        }
        if (pdu < 0 || m_buffer.size() < 1 + pdu + 2) {
            if (pdu < 0 || 1 + pdu + 2 <= kMaxFrame)
                break;
            m_garbage.append(m_buffer.front()); // a byte count no frame can have
            m_buffer.remove(0, 1);
            continue;
        }
        const qsizetype size = 1 + pdu;
        const QByteArrayView frame = QByteArrayView(m_buffer).first(size);
        const quint16 got = static_cast<quint16>(static_cast<quint8>(m_buffer[size])
                                                 | (static_cast<quint8>(m_buffer[size + 1]) << 8));
        const quint16 want = crc16Modbus(frame);
        if (got != want) {
            // Misaligned (garbage before a frame) rather than corrupted, if a good frame follows.
            if (const qsizetype at = nextGoodRtuFrame(m_buffer); at > 0) {
                m_garbage.append(m_buffer.first(at));
                m_buffer.remove(0, at);
                continue;
            }
        }
        flushGarbage(sink);
        if (got == want)
            sink(lineFrame(frame));
        else
            sink(badFrame(QByteArrayView(m_buffer).first(size + 2),
                          QStringLiteral("CRC mismatch: frame has %1, its bytes give %2")
                              .arg(hex16(got), hex16(want))));
        m_buffer.remove(0, size + 2);
    }
    if (m_garbage.size() >= kMaxFrame)
        flushGarbage(sink);
}

std::optional<QByteArray> ModbusRtuFramer::encode(QByteArrayView text, QString *error) {
    std::optional<QByteArray> adu = requestBytes(text, error);
    if (!adu)
        return std::nullopt;
    // Half duplex: the answer to this request is what comes next; a partial frame is no longer owed.
    m_abandonedBytes += m_garbage.size() + m_buffer.size();
    m_garbage.clear();
    m_buffer.clear();
    const quint16 crc = crc16Modbus(*adu);
    adu->append(static_cast<char>(crc & 0xFF)).append(static_cast<char>(crc >> 8));
    return adu;
}

void ModbusRtuFramer::reset() {
    m_buffer.clear();
    m_garbage.clear();
}

} // namespace hil
