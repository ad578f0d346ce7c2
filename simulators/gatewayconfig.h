#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <chrono>

namespace hilsim {

// Everything that makes one simulated GW-1 gateway differ from another; the command line fills it in,
// tests build it directly.
struct GatewayConfig {
    QByteArray serial = QByteArrayLiteral("GW0001");
    QByteArray firmware = QByteArrayLiteral("1.0.0");
    QByteArray id = QByteArrayLiteral("gw1"); // the topic's <id>: gw/<id>/<sensor>/reading
    quint64 seed = 1;
    bool banner = false;
    bool noReply = false;
    int simulatedSensors = 1;               // ENV-1 sensors run in-process, each on its own pseudo-terminal
    QStringList sensorPorts;                // real sensors' serial ports, polled after the simulated ones
    std::chrono::milliseconds period{1000}; // how often every sensor is polled
    QString brokerHost = QStringLiteral("127.0.0.1");
    quint16 brokerPort = 1883;
    qsizetype bufferSize = 500; // readings kept while the broker is unreachable (in flight included)
    int inflight = 1;           // readings handed to the broker and not yet acknowledged, at most
    int keepaliveSeconds = 5;
    std::chrono::milliseconds ackTimeout{2000}; // CONNACK and PUBCOMP wait before a reconnect
};

} // namespace hilsim
