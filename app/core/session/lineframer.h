#pragma once

#include "core/session/framer.h"

#include <QByteArray>
#include <QByteArrayView>

namespace hil {

// Splits a byte stream into lines at a terminator, across arbitrary chunk boundaries (a terminator may be
// split between two reads). Memory is bounded: a line longer than maxLineLength is not accumulated; the
// framer reports one Overflow for it (with the first bytes as a preview and how many bytes were dropped)
// and discards input until the next terminator. Not thread-safe; one framer per stream.
// Frames are the lines without their terminator; an Overflow's droppedBytes are counted up to the terminator.
class LineFramer final : public Framer {
public:
    // With stripCarriageReturn, a "\r" right before a "\n" terminator is removed (CRLF devices).
    explicit LineFramer(QByteArray terminator = QByteArrayLiteral("\n"), qsizetype maxLineLength = 4096,
                        bool stripCarriageReturn = true);

    void push(QByteArrayView chunk, const Sink &sink) override;
    // The line and the terminator.
    std::optional<QByteArray> encode(QByteArrayView text, QString *error) override;
    // Bytes held for an unfinished line.
    qsizetype pending() const override { return m_buffer.size(); }
    bool discarding() const { return m_discarding; }
    void reset() override;

    static constexpr qsizetype kPreviewBytes = 256;

private:
    void emitLine(QByteArray line, const Sink &sink) const;

    QByteArray m_terminator;
    qsizetype m_maxLineLength;
    bool m_stripCr;
    QByteArray m_buffer;
    bool m_discarding = false;
    qint64 m_dropped = 0;
    QByteArray m_preview;
};

} // namespace hil
