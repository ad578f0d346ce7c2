#include "core/session/fixedframer.h"

namespace hil {

FixedFramer::FixedFramer(const FramingSpec &spec)
    : BinaryFramer(spec) {}

void FixedFramer::push(QByteArrayView chunk, const Sink &sink) {
    m_buffer.append(chunk);
    const qsizetype size = spec().fixedSize;
    qsizetype pos = 0;
    while (size > 0 && m_buffer.size() - pos >= size) {
        const bool good = deliver(QByteArrayView(m_buffer).sliced(pos, size), sink);
        pos += size;
        if (!good) {
            m_buffer.clear();
            return;
        }
    }
    m_buffer.remove(0, pos);
}

std::optional<QByteArray> FixedFramer::encode(QByteArrayView text, QString *error) {
    std::optional<QByteArray> content = contentOf(text, error);
    if (content && content->size() != spec().fixedSize) {
        if (error)
            *error = QStringLiteral("fixed frames are %1 bytes (CRC included); this one is %2")
                         .arg(spec().fixedSize)
                         .arg(content->size());
        return std::nullopt;
    }
    return content;
}

} // namespace hil
