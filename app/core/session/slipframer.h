#pragma once

#include "core/session/binaryframer.h"

namespace hil {

// SLIP (RFC 1055): frames end at END (0xC0); inside a frame 0xC0 is sent as ESC ESC_END (0xDB 0xDC) and
// 0xDB as ESC ESC_ESC (0xDB 0xDD). Encoding sends END before and after the frame (the RFC's flush of line
// noise); empty frames are ignored. An ESC followed by anything else is a Bad frame (its bytes shown as
// received). A frame whose content passes maxFrame is one Overflow; input is dropped up to the next END,
// where the framer is in step again. Memory: at most maxFrame bytes.
class SlipFramer final : public BinaryFramer {
public:
    static constexpr char kEnd = static_cast<char>(0xC0);
    static constexpr char kEsc = static_cast<char>(0xDB);
    static constexpr char kEscEnd = static_cast<char>(0xDC);
    static constexpr char kEscEsc = static_cast<char>(0xDD);

    explicit SlipFramer(const FramingSpec &spec);

    void push(QByteArrayView chunk, const Sink &sink) override;
    std::optional<QByteArray> encode(QByteArrayView text, QString *error) override;
    void reset() override;
    qsizetype pending() const override { return m_frame.size(); }

private:
    void endFrame(const Sink &sink);

    QByteArray m_frame; // content so far, unescaped
    bool m_escaped = false;
    QString m_badEscape; // set once the frame holds a bad escape: why it is Bad
    bool m_discarding = false;
    qint64 m_dropped = 0;
    QByteArray m_preview;
};

} // namespace hil
