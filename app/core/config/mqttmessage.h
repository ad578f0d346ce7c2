#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

namespace hil {

// One MQTT message: what a `publish:` step sends and what a subscription receives.
struct MqttMessage {
    QByteArray topic;
    QByteArray payload;
    int qos = 0;
    bool retain = false;
};

// The send text of a publish, as a step's send line holds it (and the run's rows show it):
//   TOPIC "\n" "qos" N [" retain"] "\n" PAYLOAD
// e.g. "dev/1/cmd\nqos 1\nping 7". The payload is the rest, newlines and all.
QByteArray mqttSendText(const MqttMessage &message);
// Reads a send text back; nullopt with *error when it is not one or its topic is not a topic name.
std::optional<MqttMessage> parseMqttSendText(const QByteArray &text, QString *error);

// A received message as a frame text (what an expect's regex runs on): TOPIC "\n" PAYLOAD.
QByteArray mqttFrameText(const MqttMessage &message);

} // namespace hil
