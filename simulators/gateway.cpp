#include "gateway.h"

#include "envsensorprotocol.h"
#include "ptyendpoint.h"
#include "sensorport.h"
#include "simdevice.h"

#include <QDateTime>
#include <algorithm>
#include <utility>

namespace hilsim {

namespace {

MqttPublisher::Options publisherOptions(const GatewayConfig &c) {
    MqttPublisher::Options o;
    // Stable across restarts of the same gateway, so the broker keeps its session.
    o.clientId = QStringLiteral("hil-gw-") + QString::fromLatin1(c.id);
    o.host = c.brokerHost;
    o.port = c.brokerPort;
    o.keepaliveSeconds = c.keepaliveSeconds;
    o.ackTimeout = c.ackTimeout;
    return o;
}

} // namespace

Gateway::Gateway(GatewayConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_queue(m_config.bufferSize)
    , m_publisher(publisherOptions(m_config)) {
    m_pollTimer.setTimerType(Qt::PreciseTimer);
    m_pollTimer.setInterval(static_cast<int>(m_config.period.count()));
    connect(&m_pollTimer, &QTimer::timeout, this, &Gateway::pollAll);
    connect(&m_publisher, &MqttPublisher::published, this, [this] {
        ++m_published;
        flush();
    });
    // Queued: libmosquitto resends the session's unacknowledged messages after its connect callback,
    // and newer readings must go after them.
    connect(&m_publisher, &MqttPublisher::connected, this, &Gateway::flush, Qt::QueuedConnection);
}

Gateway::~Gateway() {
    // Ports first: they hold the terminals the endpoints serve.
    qDeleteAll(m_ports);
    m_ports.clear();
    m_endpoints.clear();
    m_devices.clear();
}

bool Gateway::start() {
    QStringList paths;
    for (int i = 0; i < m_config.simulatedSensors; ++i) {
        EnvSensorConfig sensor;
        sensor.serial = "SN-S" + QByteArray::number(i + 1);
        sensor.seed = m_config.seed + static_cast<quint64>(i) + 1;
        auto device = std::make_unique<SimDevice>(std::make_unique<EnvSensorProtocol>(sensor), sensor.seed);
        auto endpoint = std::make_unique<PtyEndpoint>(device.get());
        if (!endpoint->open()) {
            m_error = QStringLiteral("sensor s%1: cannot create a pseudo-terminal: %2")
                          .arg(i + 1)
                          .arg(endpoint->errorString());
            return false;
        }
        device->startSession();
        paths.append(endpoint->slavePath());
        m_devices.push_back(std::move(device));
        m_endpoints.push_back(std::move(endpoint));
    }
    paths += m_config.sensorPorts;
    for (qsizetype i = 0; i < paths.size(); ++i) {
        const int index = static_cast<int>(i);
        auto *port = new SensorPort(QStringLiteral("s%1").arg(index + 1), paths[i], this);
        if (!port->open()) {
            m_error = QStringLiteral("sensor %1: %2").arg(port->name(), port->errorString());
            delete port;
            return false;
        }
        connect(port, &SensorPort::reading, this,
                [this, index](const QByteArray &t, const QByteArray &h) { onReading(index, t, h); });
        m_ports.append(port);
        m_seq.append(0);
    }
    if (m_ports.isEmpty()) {
        m_error = QStringLiteral("no sensors");
        return false;
    }
    m_publisher.start();
    m_pollTimer.start();
    // The first poll at once, not one period in.
    QMetaObject::invokeMethod(this, &Gateway::pollAll, Qt::QueuedConnection);
    return true;
}

void Gateway::pause() {
    if (std::exchange(m_paused, true))
        return;
    m_pollTimer.stop();
    m_publisher.stop();
}

void Gateway::resume() {
    if (!std::exchange(m_paused, false))
        return;
    m_publisher.start();
    m_pollTimer.start();
}

void Gateway::pollAll() {
    if (m_paused)
        return;
    for (SensorPort *port : std::as_const(m_ports)) {
        if (!port->poll())
            ++m_pollErrors;
    }
}

void Gateway::onReading(int sensor, const QByteArray &temperature, const QByteArray &humidity) {
    if (m_paused)
        return;
    const quint64 seq = ++m_seq[sensor];
    ++m_readings;
    const QByteArray name = m_ports[sensor]->name().toLatin1();
    Reading r;
    r.topic = "gw/" + m_config.id + '/' + name + "/reading";
    r.payload = "{\"seq\":" + QByteArray::number(seq) + ",\"sensor\":\"" + name
                + "\",\"t_ms\":" + QByteArray::number(QDateTime::currentMSecsSinceEpoch())
                + ",\"temp\":" + temperature + ",\"hum\":" + humidity + '}';
    m_queue.setHeldElsewhere(m_publisher.inFlight());
    m_queue.push(std::move(r));
    flush();
}

void Gateway::flush() {
    while (!m_queue.isEmpty() && m_publisher.isConnected() && m_publisher.inFlight() < m_config.inflight) {
        const Reading &next = m_queue.front();
        if (m_publisher.publish(next.topic, next.payload) == 0)
            break;
        m_queue.takeFront();
    }
    m_queue.setHeldElsewhere(m_publisher.inFlight());
}

void Gateway::setBufferSize(qsizetype size) {
    m_queue.setHeldElsewhere(m_publisher.inFlight());
    m_queue.setCapacity(size);
}

Gateway::Stats Gateway::stats() const {
    Stats s;
    s.readings = m_readings;
    s.buffered = m_queue.size() + m_publisher.inFlight();
    s.dropped = m_queue.dropped();
    s.published = m_published;
    s.reconnects = m_publisher.reconnects();
    s.pollErrors = m_pollErrors;
    s.connected = m_publisher.isConnected();
    return s;
}

QStringList Gateway::sensorNames() const {
    QStringList names;
    for (const SensorPort *p : m_ports)
        names.append(p->name());
    return names;
}

QStringList Gateway::sensorPaths() const {
    QStringList paths;
    for (const SensorPort *p : m_ports)
        paths.append(p->path());
    return paths;
}

} // namespace hilsim
