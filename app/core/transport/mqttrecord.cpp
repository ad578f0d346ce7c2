#include "core/transport/mqttrecord.h"

#include <QtEndian>

namespace hil {

namespace {

constexpr char kMagic = 'M';
constexpr qsizetype kHeader = 1 + 1 + 1 + 2; // magic, qos, retain, topic length

} // namespace

QByteArray encodeMqttRecord(const MqttMessage &message) {
    QByteArray out;
    out.reserve(kHeader + message.topic.size() + 4 + message.payload.size());
    out.append(kMagic);
    out.append(static_cast<char>(message.qos));
    out.append(static_cast<char>(message.retain ? 1 : 0));
    char u16[2];
    qToBigEndian(static_cast<quint16>(message.topic.size()), u16);
    out.append(u16, 2);
    out.append(message.topic);
    char u32[4];
    qToBigEndian(static_cast<quint32>(message.payload.size()), u32);
    out.append(u32, 4);
    out.append(message.payload);
    return out;
}

std::optional<MqttMessage> takeMqttRecord(QByteArray &buffer, QString *error) {
    error->clear();
    if (buffer.isEmpty())
        return std::nullopt;
    if (buffer.at(0) != kMagic) {
        *error = QStringLiteral("not an MQTT message record (first byte 0x%1)")
                     .arg(static_cast<uchar>(buffer.at(0)), 2, 16, QLatin1Char('0'));
        return std::nullopt;
    }
    if (buffer.size() < kHeader)
        return std::nullopt;
    const qsizetype topicLength = qFromBigEndian<quint16>(buffer.constData() + 3);
    const qsizetype payloadAt = kHeader + topicLength + 4;
    if (buffer.size() < payloadAt)
        return std::nullopt;
    const qsizetype payloadLength = qFromBigEndian<quint32>(buffer.constData() + kHeader + topicLength);
    if (buffer.size() - payloadAt < payloadLength)
        return std::nullopt;
    MqttMessage m;
    m.qos = static_cast<uchar>(buffer.at(1));
    m.retain = buffer.at(2) != 0;
    m.topic = buffer.mid(kHeader, topicLength);
    m.payload = buffer.mid(payloadAt, payloadLength);
    buffer.remove(0, payloadAt + payloadLength);
    return m;
}

} // namespace hil
