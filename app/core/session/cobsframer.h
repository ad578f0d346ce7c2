#pragma once

#include "core/session/binaryframer.h"

namespace hil {

// COBS (Consistent Overhead Byte Stuffing, Cheshire & Baker): each frame is COBS-encoded, so it holds no
// 0x00, and ends at a 0x00 delimiter. A frame whose code bytes do not fit it is a Bad frame (its encoded
// bytes shown). One longer than COBS needs for maxFrame bytes of content is one Overflow; input is dropped
// up to the next 0x00, where the framer is in step again. Empty frames are ignored. Memory: about maxFrame.
class CobsFramer final : public BinaryFramer {
public:
    explicit CobsFramer(const FramingSpec &spec);

    void push(QByteArrayView chunk, const Sink &sink) override;
    std::optional<QByteArray> encode(QByteArrayView text, QString *error) override;
    void reset() override;
    qsizetype pending() const override { return m_encoded.size(); }

    // COBS on its own (no delimiter); decode gives nullopt and *error for a malformed frame.
    static QByteArray cobsEncode(QByteArrayView bytes);
    static std::optional<QByteArray> cobsDecode(QByteArrayView encoded, QString *error);

private:
    void endFrame(const Sink &sink);

    QByteArray m_encoded; // the frame so far, as received
    qsizetype m_limit = 0;
    bool m_discarding = false;
    qint64 m_dropped = 0;
    QByteArray m_preview;
};

} // namespace hil
