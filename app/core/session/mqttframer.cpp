#include "core/session/mqttframer.h"

#include "core/transport/mqttrecord.h"

namespace hil {

MqttFramer::MqttFramer(qsizetype maxFrame)
    : m_maxFrame(maxFrame) {}

void MqttFramer::push(QByteArrayView chunk, const Sink &sink) {
    m_buffer.append(chunk.data(), chunk.size());
    for (;;) {
        QString error;
        const std::optional<MqttMessage> m = takeMqttRecord(m_buffer, &error);
        if (!m) {
            if (!error.isEmpty()) {
                // Only a harness bug gets here: the transport writes whole records.
                Frame bad;
                bad.kind = Frame::Kind::Bad;
                bad.data = m_buffer.left(64).toHex(' ').toUpper();
                bad.reason = error;
                m_buffer.clear();
                sink(std::move(bad));
            }
            return;
        }
        Frame f;
        f.data = mqttFrameText(*m);
        if (f.data.size() > m_maxFrame) {
            f.kind = Frame::Kind::Overflow;
            f.droppedBytes = f.data.size() - m_maxFrame;
            f.data.truncate(m_maxFrame);
        }
        sink(std::move(f));
    }
}

std::optional<QByteArray> MqttFramer::encode(QByteArrayView text, QString *error) {
    QString why;
    const std::optional<MqttMessage> m = parseMqttSendText(text.toByteArray(), &why);
    if (!m) {
        if (error)
            *error = QStringLiteral("cannot publish: %1").arg(why);
        return std::nullopt;
    }
    return encodeMqttRecord(*m);
}

} // namespace hil
