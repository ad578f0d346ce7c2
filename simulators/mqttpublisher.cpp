#include "mqttpublisher.h"

#include <QSocketNotifier>
#include <algorithm>
#include <mosquitto.h>
#include <utility>

namespace hilsim {

namespace {

void initLibrary() {
    static const int once = [] { return mosquitto_lib_init(); }();
    Q_UNUSED(once);
}

} // namespace

MqttPublisher::MqttPublisher(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options)) {
    initLibrary();
    const QByteArray id = m_options.clientId.toUtf8();
    m_client = mosquitto_new(id.constData(), /*clean_session=*/false, this);
    if (m_client) {
        mosquitto_int_option(m_client, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
        mosquitto_connect_callback_set(m_client, &MqttPublisher::onConnect);
        mosquitto_disconnect_callback_set(m_client, &MqttPublisher::onDisconnect);
        mosquitto_publish_callback_set(m_client, &MqttPublisher::onPublish);
    } else {
        m_lastError = QStringLiteral("cannot create an MQTT client");
    }
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, &MqttPublisher::onTick);
    m_reconnect.setSingleShot(true);
    connect(&m_reconnect, &QTimer::timeout, this, &MqttPublisher::attempt);
}

MqttPublisher::~MqttPublisher() {
    unwatchSocket();
    if (m_client)
        mosquitto_destroy(m_client);
}

void MqttPublisher::start() {
    if (m_running || !m_client)
        return;
    m_running = true;
    m_tick.start();
    attempt();
}

void MqttPublisher::stop() {
    m_running = false;
    m_tick.stop();
    m_reconnect.stop();
    unwatchSocket();
    if (m_connected) {
        m_connected = false;
        emit disconnected();
    }
    if (m_client)
        mosquitto_disconnect(m_client);
}

void MqttPublisher::attempt() {
    if (!m_running)
        return;
    unwatchSocket();
    const QByteArray host = m_options.host.toUtf8();
    // Blocking only for the TCP connect (the broker is on the bench's network); CONNACK comes through
    // the event loop. A new connect closes the previous socket and keeps the session's messages.
    const int rc = mosquitto_connect(m_client, host.constData(), m_options.port, m_options.keepaliveSeconds);
    m_attemptAt = std::chrono::steady_clock::now();
    if (rc != MOSQ_ERR_SUCCESS) {
        lost(QStringLiteral("cannot connect to %1:%2: %3")
                 .arg(m_options.host)
                 .arg(m_options.port)
                 .arg(QString::fromUtf8(mosquitto_strerror(rc))));
        return;
    }
    watchSocket();
}

void MqttPublisher::lost(const QString &why) {
    m_lastError = why;
    unwatchSocket();
    const bool was = std::exchange(m_connected, false);
    if (m_running && !m_reconnect.isActive()) {
        m_reconnect.start(m_backoffMs);
        m_backoffMs = std::min(m_backoffMs * 2, kMaxBackoffMs);
    }
    if (was)
        emit disconnected();
}

void MqttPublisher::watchSocket() {
    const int fd = mosquitto_socket(m_client);
    if (fd < 0)
        return;
    m_readNotifier = new QSocketNotifier(fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &MqttPublisher::onReadable);
    m_writeNotifier = new QSocketNotifier(fd, QSocketNotifier::Write, this);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &MqttPublisher::onWritable);
    updateWriteNotifier();
}

void MqttPublisher::unwatchSocket() {
    // Later: this may run from inside one of their own signals.
    for (QSocketNotifier *n :
         {std::exchange(m_readNotifier, nullptr), std::exchange(m_writeNotifier, nullptr)}) {
        if (n) {
            n->setEnabled(false);
            n->deleteLater();
        }
    }
}

void MqttPublisher::updateWriteNotifier() {
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(mosquitto_want_write(m_client));
}

void MqttPublisher::onReadable() {
    const int rc = mosquitto_loop_read(m_client, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
        lost(QStringLiteral("connection lost: %1").arg(QString::fromUtf8(mosquitto_strerror(rc))));
        return;
    }
    updateWriteNotifier();
}

void MqttPublisher::onWritable() {
    const int rc = mosquitto_loop_write(m_client, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
        lost(QStringLiteral("connection lost: %1").arg(QString::fromUtf8(mosquitto_strerror(rc))));
        return;
    }
    updateWriteNotifier();
}

void MqttPublisher::onTick() {
    if (!m_readNotifier)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (!m_connected && now - m_attemptAt > m_options.ackTimeout) {
        lost(QStringLiteral("no CONNACK within %1 ms").arg(m_options.ackTimeout.count()));
        return;
    }
    // A link that loses bytes can leave a message half acknowledged for good: a new connection resends it.
    for (const auto &[mid, at] : m_inFlight) {
        if (m_connected && now - at > m_options.ackTimeout) {
            lost(QStringLiteral("message %1 not acknowledged within %2 ms")
                     .arg(mid)
                     .arg(m_options.ackTimeout.count()));
            return;
        }
    }
    const int rc = mosquitto_loop_misc(m_client);
    if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket(m_client) < 0) {
        lost(QStringLiteral("keepalive: %1").arg(QString::fromUtf8(mosquitto_strerror(rc))));
        return;
    }
    updateWriteNotifier();
}

int MqttPublisher::publish(const QByteArray &topic, const QByteArray &payload) {
    if (!m_connected)
        return 0;
    int mid = 0;
    const int rc = mosquitto_publish(m_client, &mid, topic.constData(), static_cast<int>(payload.size()),
                                     payload.constData(), 2, false);
    if (rc != MOSQ_ERR_SUCCESS) {
        m_lastError = QStringLiteral("publish refused: %1").arg(QString::fromUtf8(mosquitto_strerror(rc)));
        return 0;
    }
    m_inFlight[mid] = std::chrono::steady_clock::now();
    updateWriteNotifier();
    return mid;
}

void MqttPublisher::onConnect(mosquitto *, void *self, int rc) {
    auto *p = static_cast<MqttPublisher *>(self);
    if (rc != 0) {
        p->lost(QStringLiteral("broker refused the connection: %1")
                    .arg(QString::fromUtf8(mosquitto_connack_string(rc))));
        return;
    }
    p->m_connected = true;
    p->m_backoffMs = 100;
    if (std::exchange(p->m_everConnected, true))
        ++p->m_reconnects;
    // Resent now: each gets a fresh wait for its acknowledgement.
    const auto now = std::chrono::steady_clock::now();
    for (auto &entry : p->m_inFlight)
        entry.second = now;
    emit p->connected();
}

void MqttPublisher::onDisconnect(mosquitto *, void *self, int rc) {
    auto *p = static_cast<MqttPublisher *>(self);
    if (p->m_running)
        p->lost(QStringLiteral("disconnected: %1").arg(QString::fromUtf8(mosquitto_strerror(rc))));
}

void MqttPublisher::onPublish(mosquitto *, void *self, int mid) {
    auto *p = static_cast<MqttPublisher *>(self);
    if (p->m_inFlight.erase(mid) > 0)
        emit p->published(mid);
}

} // namespace hilsim
