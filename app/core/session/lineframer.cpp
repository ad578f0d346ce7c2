#include "core/session/lineframer.h"

#include <algorithm>

namespace hil {

LineFramer::LineFramer(QByteArray terminator, qsizetype maxLineLength, bool stripCarriageReturn)
    : m_terminator(terminator.isEmpty() ? QByteArrayLiteral("\n") : std::move(terminator))
    , m_maxLineLength(std::max<qsizetype>(1, maxLineLength))
    , m_stripCr(stripCarriageReturn && m_terminator == "\n") {}

void LineFramer::reset() {
    m_buffer.clear();
    m_discarding = false;
    m_dropped = 0;
    m_preview.clear();
}

std::optional<QByteArray> LineFramer::encode(QByteArrayView text, QString *) {
    QByteArray out;
    out.reserve(text.size() + m_terminator.size());
    out.append(text);
    out.append(m_terminator);
    return out;
}

void LineFramer::emitLine(QByteArray line, const Sink &sink) const {
    if (m_stripCr && line.endsWith('\r'))
        line.chop(1);
    sink(Frame{Frame::Kind::Line, std::move(line), 0, {}});
}

void LineFramer::push(QByteArrayView chunk, const Sink &sink) {
    const qsizetype termLen = m_terminator.size();
    while (!chunk.isEmpty()) {
        // Search the tail of the buffer that could hold the start of a split terminator, then the chunk.
        const qsizetype keep = std::min<qsizetype>(m_buffer.size(), termLen - 1);
        const qsizetype carried = m_buffer.size() - keep;
        m_buffer.append(chunk.data(), chunk.size());
        chunk = {};
        qsizetype from = carried;
        qsizetype lineStart = 0;
        for (;;) {
            const qsizetype at = m_buffer.indexOf(m_terminator, from);
            if (at < 0)
                break;
            if (m_discarding) {
                m_dropped += at - lineStart;
                m_preview.append(
                    m_buffer.mid(lineStart, std::min(at - lineStart, kPreviewBytes - m_preview.size())));
                sink(Frame{Frame::Kind::Overflow, m_preview, m_dropped, {}});
                m_discarding = false;
                m_dropped = 0;
                m_preview.clear();
            } else if (at - lineStart > m_maxLineLength) {
                sink(Frame{Frame::Kind::Overflow,
                           m_buffer.mid(lineStart, std::min(kPreviewBytes, at - lineStart)),
                           at - lineStart,
                           {}});
            } else {
                emitLine(m_buffer.mid(lineStart, at - lineStart), sink);
            }
            lineStart = at + termLen;
            from = lineStart;
        }
        m_buffer.remove(0, lineStart);
        // An unfinished line that is already too long is dropped now, so memory stays bounded.
        if (m_buffer.size() > m_maxLineLength + termLen - 1) {
            const qsizetype drop = m_buffer.size() - (termLen - 1);
            m_discarding = true;
            // The preview is the line's first bytes: only dropped ones, never the kept tail, which may be
            // the start of the terminator.
            m_preview.append(m_buffer.left(std::min(drop, kPreviewBytes - m_preview.size())));
            m_dropped += drop;
            m_buffer.remove(0, drop);
        }
    }
}

} // namespace hil
