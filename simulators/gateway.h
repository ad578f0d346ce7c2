#pragma once

#include "gatewayconfig.h"
#include "mqttpublisher.h"
#include "readingqueue.h"

#include <QList>
#include <QObject>
#include <QTimer>
#include <memory>
#include <vector>

namespace hilsim {

class PtyEndpoint;
class SensorPort;
class SimDevice;

// The GW-1 gateway: polls its sensors over their serial links every period ("READ? ALL"), turns each
// answer into a reading, and forwards the readings to an MQTT broker as gw/<id>/<sensor>/reading with a
// JSON payload {"seq":N,"sensor":"s1","t_ms":T,"temp":..,"hum":..} (seq counts that sensor's readings
// from 1; t_ms is when the answer came, in ms since the epoch), at QoS 2 on a persistent session.
//
// Store and forward: readings wait in a bounded buffer (ReadingQueue) while the broker is unreachable and
// are handed over in order once it is back, `inflight` at a time (1 by default, so a reading lost on the
// way and resent after a reconnect is never overtaken by a later one). A full buffer drops its oldest
// reading and counts it.
//
// Simulated sensors are ENV-1 devices (SimDevice + EnvSensorProtocol) served on pseudo-terminals in this
// process, named s1, s2, ...; real ones (sensorPorts) follow them in the numbering.
//
// Use from the thread that owns it.
class Gateway : public QObject {
    Q_OBJECT

public:
    struct Stats {
        quint64 readings = 0;   // readings taken
        qsizetype buffered = 0; // taken and not yet acknowledged by the broker (waiting + in flight)
        quint64 dropped = 0;    // pushed out of a full buffer
        quint64 published = 0;  // acknowledged by the broker (PUBCOMP)
        quint64 reconnects = 0; // connections to the broker after the first
        quint64 pollErrors = 0; // polls a sensor did not answer before the next one
        bool connected = false;
    };

    explicit Gateway(GatewayConfig config, QObject *parent = nullptr);
    ~Gateway() override;

    // Brings the sensors up, starts polling and connecting. On failure returns false and errorString()
    // says why.
    bool start();
    QString errorString() const { return m_error; }

    // Power: polling and the broker connection stop; the buffer and the session are kept.
    void pause();
    void resume();

    Stats stats() const;
    // The buffer's capacity (BUFFER n on the service port); a smaller one drops the oldest readings now.
    void setBufferSize(qsizetype size);
    qsizetype bufferSize() const { return m_queue.capacity(); }
    QStringList sensorNames() const;
    // Why the broker connection is down (or went down last).
    QString linkError() const { return m_publisher.lastError(); }
    const GatewayConfig &config() const { return m_config; }
    // The pseudo-terminals of the simulated sensors (for tests and diagnostics).
    QStringList sensorPaths() const;

private:
    void pollAll();
    void onReading(int sensor, const QByteArray &temperature, const QByteArray &humidity);
    void flush();

    GatewayConfig m_config;
    std::vector<std::unique_ptr<SimDevice>> m_devices;
    std::vector<std::unique_ptr<PtyEndpoint>> m_endpoints;
    QList<SensorPort *> m_ports; // children
    QList<quint64> m_seq;        // per sensor: the last reading's seq
    ReadingQueue m_queue;
    MqttPublisher m_publisher;
    QTimer m_pollTimer;
    quint64 m_readings = 0;
    quint64 m_published = 0;
    quint64 m_pollErrors = 0;
    bool m_paused = false;
    QString m_error;
};

} // namespace hilsim
