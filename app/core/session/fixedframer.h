#pragma once

#include "core/session/binaryframer.h"

namespace hil {

// Frames of fixedSize bytes each, CRC included. Nothing marks where a frame starts, so after a frame that
// fails its CRC the bytes held after it are dropped and the framer assumes the next read starts a frame
// (true of a device that answers requests after a pause).
class FixedFramer final : public BinaryFramer {
public:
    explicit FixedFramer(const FramingSpec &spec);

    void push(QByteArrayView chunk, const Sink &sink) override;
    std::optional<QByteArray> encode(QByteArrayView text, QString *error) override;
    void reset() override { m_buffer.clear(); }
    qsizetype pending() const override { return m_buffer.size(); }

private:
    QByteArray m_buffer;
};

} // namespace hil
