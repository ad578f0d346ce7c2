#pragma once

#include "core/session/framer.h"

namespace hil {

// The framer of an MQTT device: its transport (MqttTransport) delivers each received message as a record
// of transport/mqttrecord.h; a frame is the message's text "TOPIC\nPAYLOAD" (config/mqttmessage.h), which
// expects match with their topic filter and pattern. encode() takes a publish's send text
// ("TOPIC\nqos N [retain]\nPAYLOAD") and gives the record MqttTransport::write() publishes.
class MqttFramer final : public Framer {
public:
    // maxFrame: a larger message (topic + payload) is an Overflow, its preview kept.
    explicit MqttFramer(qsizetype maxFrame);

    void push(QByteArrayView chunk, const Sink &sink) override;
    std::optional<QByteArray> encode(QByteArrayView text, QString *error) override;
    void reset() override { m_buffer.clear(); }
    qsizetype pending() const override { return m_buffer.size(); }

private:
    qsizetype m_maxFrame;
    QByteArray m_buffer;
};

} // namespace hil
