#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

// TLS towards an MQTT broker (mosquitto_tls_set): the CA that signed the broker's certificate, and a
// client certificate and key when the broker asks for one. `insecure` skips the check that the
// certificate names the broker's host (never the signature check).
struct MqttTlsSpec {
    QString ca;
    QString cert;
    QString key;
    bool insecure = false;
};

// A fixture device that is an MQTT client of a broker (`mqtt:`).
struct MqttSpec {
    QString host;
    quint16 port = 1883;
    QString clientId; // empty: the library makes one up (needs clean_session)
    bool cleanSession = true;
    int qos = 0;         // of the subscriptions, and of publishes that give none
    int keepaliveS = 30; // seconds
    QString username;
    QString password;
    std::optional<MqttTlsSpec> tls;
    // The topic filters the device subscribes to when it connects: those the run's expects and streams
    // on the device listen on (filled in for a run, see withMqttSubscriptions()).
    QStringList subscriptions;
};

} // namespace hil
