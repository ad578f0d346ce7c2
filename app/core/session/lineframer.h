#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <functional>

namespace hil {

// Splits a byte stream into lines at a terminator, across arbitrary chunk boundaries (a terminator may be
// split between two reads). Memory is bounded: a line longer than maxLineLength is not accumulated; the
// framer reports one Overflow for it (with the first bytes as a preview and how many bytes were dropped)
// and discards input until the next terminator. Not thread-safe; one framer per stream.
class LineFramer {
public:
    struct Frame {
        enum class Kind { Line, Overflow };
        Kind kind = Kind::Line;
        QByteArray data;         // the line without its terminator, or a preview of the dropped line
        qint64 droppedBytes = 0; // Overflow only: bytes discarded, counted up to the terminator
    };
    using Sink = std::function<void(Frame &&)>;

    // With stripCarriageReturn, a "\r" right before a "\n" terminator is removed (CRLF devices).
    explicit LineFramer(QByteArray terminator = QByteArrayLiteral("\n"), qsizetype maxLineLength = 4096,
                        bool stripCarriageReturn = true);

    void push(QByteArrayView chunk, const Sink &sink);
    // Bytes held for an unfinished line.
    qsizetype pending() const { return m_buffer.size(); }
    bool discarding() const { return m_discarding; }
    void reset();

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
