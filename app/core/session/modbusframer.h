#pragma once

#include "core/session/framer.h"

#include <QByteArray>
#include <QByteArrayView>

namespace hil {

// Modbus frames as hex text "UNIT FUNCTION DATA..." (base/hextext.h), the same for both transports, so a
// step's send and expect do not depend on how the device is reached. The harness is the client: encode()
// frames a request, push() cuts responses. Not thread-safe; one framer per stream.

// Modbus TCP: a 7-byte MBAP header (transaction id, protocol 0, length, unit) before the PDU. encode()
// gives each request the next transaction id; a response is matched by it: one whose id is not the
// request in flight (a late answer to an earlier request, or a stray one) is a Bad frame saying so,
// never taken as the answer to the newer request. A header that cannot be Modbus (protocol not 0, a
// length outside 2..254) is garbage: skipped byte by byte until a plausible header, and reported Bad.
class ModbusTcpFramer final : public Framer {
public:
    void push(QByteArrayView chunk, const Sink &sink) override;
    std::optional<QByteArray> encode(QByteArrayView text, QString *error) override;
    void reset() override;
    qsizetype pending() const override { return m_buffer.size(); }

    quint16 lastTransactionId() const { return m_transactionId; }

private:
    void flushGarbage(const Sink &sink);

    QByteArray m_buffer;
    QByteArray m_garbage;
    quint16 m_transactionId = 0;
    bool m_inFlight = false;
};

// Modbus RTU: UNIT PDU CRC16 (Modbus polynomial, low byte first), no delimiter. A response's length
// follows from its function code (QModbusResponse::calculateDataSize; an exception is 5 bytes). A CRC
// mismatch is a Bad frame; an unknown function code is garbage, skipped byte by byte (resync) and
// reported as one Bad frame before the next good one. A request starts a new exchange: a partial response
// still held when the next request is sent (its step already timed out waiting for the rest) is dropped
// and counted (abandonedBytes()), not reported as a frame, which would fail the new request's step.
class ModbusRtuFramer final : public Framer {
public:
    void push(QByteArrayView chunk, const Sink &sink) override;
    std::optional<QByteArray> encode(QByteArrayView text, QString *error) override;
    void reset() override;
    qsizetype pending() const override { return m_buffer.size(); }

    static constexpr qsizetype kMaxFrame = 256; // unit + PDU (<= 253) + CRC
    qint64 abandonedBytes() const { return m_abandonedBytes; }

private:
    void flushGarbage(const Sink &sink);

    QByteArray m_buffer;
    QByteArray m_garbage;
    qint64 m_abandonedBytes = 0; // partial responses cut short by the next request
};

// Bytes a Modbus response PDU (function code first) needs in all, from the bytes seen so far: -1 while
// more are needed to tell, -2 for a function code no Modbus response has.
int modbusResponsePduSize(QByteArrayView pdu);

} // namespace hil
