#include "core/session/binaryframer.h"

#include "core/base/crc.h"
#include "core/base/hextext.h"
#include "core/config/framingnames.h"

namespace hil {

namespace {

quint32 computeCrc(FrameCrc crc, QByteArrayView bytes) {
    switch (crc) {
    case FrameCrc::None:
        return 0;
    case FrameCrc::Crc8:
        return crc8(bytes);
    case FrameCrc::Crc16Modbus:
        return crc16Modbus(bytes);
    case FrameCrc::Crc16Ccitt:
        return crc16Ccitt(bytes);
    case FrameCrc::Crc32:
        return crc32(bytes);
    }
    return 0;
}

QString hexValue(quint32 v, int width) {
    return QStringLiteral("0x") + QStringLiteral("%1").arg(v, width * 2, 16, QLatin1Char('0')).toUpper();
}

} // namespace

BinaryFramer::BinaryFramer(const FramingSpec &spec)
    : m_spec(spec)
    , m_crcWidth(frameCrcWidth(spec.crc)) {}

bool BinaryFramer::deliver(QByteArrayView content, const Sink &sink) const {
    if (m_crcWidth == 0) {
        sink(Frame{Frame::Kind::Line, toHexText(content), 0, {}});
        return true;
    }
    if (content.size() < m_crcWidth) {
        reject(content,
               QStringLiteral("frame of %1 bytes is shorter than its %2")
                   .arg(content.size())
                   .arg(frameCrcName(m_spec.crc)),
               sink);
        return false;
    }
    const QByteArrayView payload = content.first(content.size() - m_crcWidth);
    const QByteArrayView tail = content.last(m_crcWidth);
    quint32 written = 0;
    for (int i = 0; i < m_crcWidth; ++i) {
        const int index = m_spec.crcBigEndian ? i : m_crcWidth - 1 - i;
        written = (written << 8) | static_cast<quint8>(tail[index]);
    }
    const quint32 computed = computeCrc(m_spec.crc, payload);
    if (written != computed) {
        reject(
            content,
            QStringLiteral("%1 %2, expected %3")
                .arg(frameCrcName(m_spec.crc), hexValue(written, m_crcWidth), hexValue(computed, m_crcWidth)),
            sink);
        return false;
    }
    sink(Frame{Frame::Kind::Line, toHexText(payload), 0, {}});
    return true;
}

void BinaryFramer::reject(QByteArrayView raw, const QString &reason, const Sink &sink) {
    sink(Frame{Frame::Kind::Bad, toHexText(raw), 0, reason});
}

void BinaryFramer::overflow(QByteArrayView start, qint64 dropped, const Sink &sink) {
    sink(Frame{
        Frame::Kind::Overflow, toHexText(start.first(std::min(start.size(), kPreviewBytes))), dropped, {}});
}

std::optional<QByteArray> BinaryFramer::contentOf(QByteArrayView text, QString *error) const {
    std::optional<QByteArray> bytes = fromHexText(text, error);
    if (!bytes)
        return std::nullopt;
    if (m_crcWidth == 0)
        return bytes;
    const quint32 crc = computeCrc(m_spec.crc, *bytes);
    for (int i = 0; i < m_crcWidth; ++i) {
        const int shift = m_spec.crcBigEndian ? 8 * (m_crcWidth - 1 - i) : 8 * i;
        bytes->append(static_cast<char>((crc >> shift) & 0xFF));
    }
    return bytes;
}

} // namespace hil
