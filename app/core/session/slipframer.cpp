#include "core/session/slipframer.h"

#include <cstring>

namespace hil {

SlipFramer::SlipFramer(const FramingSpec &spec)
    : BinaryFramer(spec) {}

void SlipFramer::reset() {
    m_frame.clear();
    m_escaped = false;
    m_badEscape.clear();
    m_discarding = false;
    m_dropped = 0;
    m_preview.clear();
}

void SlipFramer::endFrame(const Sink &sink) {
    if (m_discarding) {
        overflow(m_preview, m_dropped, sink);
    } else if (m_escaped) {
        reject(QByteArray(m_frame).append(kEsc),
               QStringLiteral("SLIP escape (0xDB) right before the frame's end"), sink);
    } else if (!m_badEscape.isEmpty()) {
        reject(m_frame, m_badEscape, sink);
    } else if (!m_frame.isEmpty()) {
        deliver(m_frame, sink);
    }
    reset();
}

void SlipFramer::push(QByteArrayView chunk, const Sink &sink) {
    const char *p = chunk.data();
    const char *const end = p + chunk.size();
    const qsizetype limit = spec().maxFrame;
    while (p < end) {
        if (m_discarding) {
            const char *at = static_cast<const char *>(std::memchr(p, kEnd, static_cast<size_t>(end - p)));
            m_dropped += (at ? at : end) - p;
            if (!at)
                return;
            p = at + 1;
            endFrame(sink);
            continue;
        }
        if (m_escaped) {
            m_escaped = false;
            const char c = *p;
            if (c == kEnd) {
                m_escaped = true; // reported by endFrame
                ++p;
                endFrame(sink);
                continue;
            }
            if (c == kEscEnd) {
                m_frame.append(kEnd);
            } else if (c == kEscEsc) {
                m_frame.append(kEsc);
            } else {
                if (m_badEscape.isEmpty())
                    m_badEscape =
                        QStringLiteral("bad SLIP escape 0xDB 0x%1 at byte %2")
                            .arg(
                                QString::number(static_cast<quint8>(c), 16).rightJustified(2, u'0').toUpper())
                            .arg(m_frame.size() + 1);
                m_frame.append(kEsc);
                m_frame.append(c);
            }
            ++p;
        } else {
            // A run of ordinary bytes goes in at once.
            const char *q = p;
            while (q < end && *q != kEnd && *q != kEsc)
                ++q;
            m_frame.append(p, q - p);
            p = q;
            if (p < end) {
                if (*p == kEnd) {
                    ++p;
                    endFrame(sink);
                    continue;
                }
                m_escaped = true;
                ++p;
            }
        }
        if (m_frame.size() > limit) {
            m_discarding = true;
            m_preview = m_frame.first(std::min(m_frame.size(), kPreviewBytes));
            m_dropped = m_frame.size() + (m_escaped ? 1 : 0);
            m_frame.clear();
            m_frame.squeeze();
            m_escaped = false;
            m_badEscape.clear();
        }
    }
}

std::optional<QByteArray> SlipFramer::encode(QByteArrayView text, QString *error) {
    const std::optional<QByteArray> content = contentOf(text, error);
    if (!content)
        return std::nullopt;
    QByteArray out;
    out.reserve(content->size() + content->size() / 8 + 2);
    out.append(kEnd);
    for (const char c : *content) {
        if (c == kEnd) {
            out.append(kEsc);
            out.append(kEscEnd);
        } else if (c == kEsc) {
            out.append(kEsc);
            out.append(kEscEsc);
        } else {
            out.append(c);
        }
    }
    out.append(kEnd);
    return out;
}

} // namespace hil
