#include "core/session/lengthprefixframer.h"

namespace hil {

LengthPrefixFramer::LengthPrefixFramer(const FramingSpec &spec)
    : BinaryFramer(spec) {}

void LengthPrefixFramer::reset() {
    m_buffer.clear();
    m_skip = 0;
}

void LengthPrefixFramer::push(QByteArrayView chunk, const Sink &sink) {
    if (m_skip > 0) {
        const qint64 n = std::min<qint64>(m_skip, chunk.size());
        m_skip -= n;
        chunk = chunk.sliced(n);
    }
    m_buffer.append(chunk);
    const FramingSpec &s = spec();
    const int size = s.lengthSize;
    qsizetype pos = 0;
    while (m_buffer.size() - pos >= size) {
        quint64 field = 0;
        for (int i = 0; i < size; ++i) {
            const int index = s.lengthBigEndian ? i : size - 1 - i;
            field = (field << 8) | static_cast<quint8>(m_buffer[pos + index]);
        }
        const qint64 body =
            static_cast<qint64>(field) + s.lengthAdjust + (s.lengthIncludesCrc ? 0 : crcWidth());
        const qsizetype available = m_buffer.size() - pos - size;
        if (body < 0) {
            reject(QByteArrayView(m_buffer).sliced(pos,
                                                   std::min<qsizetype>(m_buffer.size() - pos, kPreviewBytes)),
                   QStringLiteral("length field %1 gives a frame of %2 bytes; %3 bytes dropped")
                       .arg(field)
                       .arg(body)
                       .arg(m_buffer.size() - pos),
                   sink);
            m_buffer.clear();
            return;
        }
        if (body > s.maxFrame) {
            const QByteArrayView rest = QByteArrayView(m_buffer).sliced(pos);
            if (body <= kSkipFactor * s.maxFrame) {
                const qint64 have = std::min<qint64>(available, body);
                overflow(rest, size + body, sink);
                pos += size + have;
                m_skip = body - have;
                continue;
            }
            overflow(rest, rest.size(), sink);
            m_buffer.clear();
            return;
        }
        if (available < body)
            break;
        const bool good = deliver(QByteArrayView(m_buffer).sliced(pos + size, body), sink);
        pos += size + body;
        if (!good) {
            m_buffer.clear();
            return;
        }
    }
    m_buffer.remove(0, pos);
}

std::optional<QByteArray> LengthPrefixFramer::encode(QByteArrayView text, QString *error) {
    const std::optional<QByteArray> content = contentOf(text, error);
    if (!content)
        return std::nullopt;
    const FramingSpec &s = spec();
    const qint64 counted = content->size() - (s.lengthIncludesCrc ? 0 : crcWidth()) - s.lengthAdjust;
    const quint64 max = s.lengthSize >= 8 ? ~0ULL : (1ULL << (8 * s.lengthSize)) - 1;
    if (counted < 0 || static_cast<quint64>(counted) > max) {
        if (error)
            *error = QStringLiteral("a frame of %1 bytes does not fit a %2-byte length field (value %3)")
                         .arg(content->size())
                         .arg(s.lengthSize)
                         .arg(counted);
        return std::nullopt;
    }
    QByteArray out;
    out.reserve(s.lengthSize + content->size());
    for (int i = 0; i < s.lengthSize; ++i) {
        const int shift = s.lengthBigEndian ? 8 * (s.lengthSize - 1 - i) : 8 * i;
        out.append(static_cast<char>((static_cast<quint64>(counted) >> shift) & 0xFF));
    }
    out.append(*content);
    return out;
}

} // namespace hil
