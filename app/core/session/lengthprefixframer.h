#pragma once

#include "core/session/binaryframer.h"

namespace hil {

// Frames with a length field in front (1, 2 or 4 bytes, big or little endian). The field's value plus
// `lengthAdjust` is the number of bytes after it: the payload, and the CRC when `lengthIncludesCrc`
// (otherwise the CRC follows those bytes).
//
// There is no delimiter to find the next frame by, so resynchronising is a choice:
// - a frame whose length is beyond maxFrame but within kSkipFactor * maxFrame is taken as a real, too
//   long frame: one Overflow, its bytes are skipped (counted, not kept) and the next frame follows them;
// - a larger length, or one that gives a negative size, is taken as line noise or corruption: one
//   Overflow (or Bad for a negative size) and every byte held is dropped; the framer assumes the next
//   read from the transport starts a frame (true of a device that answers requests after a pause);
// - a frame that fails its CRC is Bad, and the bytes held after it are dropped the same way, since a
//   corrupted length field would put every later frame out of step.
// Memory: at most maxFrame plus one read.
class LengthPrefixFramer final : public BinaryFramer {
public:
    static constexpr qint64 kSkipFactor = 64;

    explicit LengthPrefixFramer(const FramingSpec &spec);

    void push(QByteArrayView chunk, const Sink &sink) override;
    std::optional<QByteArray> encode(QByteArrayView text, QString *error) override;
    void reset() override;
    qsizetype pending() const override { return m_buffer.size(); }

private:
    QByteArray m_buffer;
    qint64 m_skip = 0; // bytes of an oversize frame still to skip
};

} // namespace hil
