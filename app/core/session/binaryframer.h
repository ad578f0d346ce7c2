#pragma once

#include "core/config/framingspec.h"
#include "core/session/framer.h"

namespace hil {

// What the binary framings share: the CRC appended on encode and checked and stripped on receive, the
// hex text above the framer (base/hextext.h), and the size limit. A frame's content is its payload and
// CRC, without the framing around it (length field, SLIP escapes, COBS code bytes, delimiters); `maxFrame`
// bounds the content.
class BinaryFramer : public Framer {
public:
    // First bytes of an oversize frame kept (as hex) for the overflow event.
    static constexpr qsizetype kPreviewBytes = 32;

protected:
    explicit BinaryFramer(const FramingSpec &spec);

    // Checks and strips the CRC of a received frame's content and hands the payload up as hex text (Line),
    // or the whole content as hex with the reason (Bad). True if the frame was good.
    bool deliver(QByteArrayView content, const Sink &sink) const;
    // A Bad frame: `raw` as hex and why.
    static void reject(QByteArrayView raw, const QString &reason, const Sink &sink);
    // An Overflow: the first bytes of the frame as hex, how many were dropped.
    static void overflow(QByteArrayView start, qint64 dropped, const Sink &sink);
    // The step's hex text as bytes with the CRC appended; nullopt and *error if it is not hex text.
    std::optional<QByteArray> contentOf(QByteArrayView text, QString *error) const;

    int crcWidth() const { return m_crcWidth; }
    const FramingSpec &spec() const { return m_spec; }

private:
    FramingSpec m_spec;
    int m_crcWidth = 0;
};

} // namespace hil
