#include "core/transport/mqtttransport.h"

#include "core/transport/mqttrecord.h"

#include <QSocketNotifier>
#include <mosquitto.h>
#include <mutex>
#include <sys/ioctl.h>

namespace hil {

namespace {

void initLibrary() {
    static std::once_flag once;
    std::call_once(once, [] { mosquitto_lib_init(); });
}

QString libraryError(int rc) {
    if (rc == MOSQ_ERR_ERRNO)
        return qt_error_string(errno);
    return QString::fromUtf8(mosquitto_strerror(rc));
}

// "Connection Refused: not authorised." -> "not authorised"
QString refusalText(int reason) {
    QString s = QString::fromUtf8(mosquitto_connack_string(reason));
    const qsizetype colon = s.indexOf(u':');
    if (colon >= 0)
        s = s.mid(colon + 1).trimmed();
    if (s.endsWith(u'.'))
        s.chop(1);
    return s;
}

} // namespace

MqttTransport::MqttTransport(MqttSpec spec, QString host, quint16 port, QObject *parent, int connectTimeoutMs)
    : Transport(parent)
    , m_spec(std::move(spec))
    , m_host(std::move(host))
    , m_port(port)
    , m_connectTimeoutMs(connectTimeoutMs)
    , m_miscTimer(this)
    , m_connectTimer(this) {
    initLibrary();
    m_miscTimer.setInterval(1000);
    connect(&m_miscTimer, &QTimer::timeout, this, &MqttTransport::onMisc);
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        end(m_state == State::Subscribing
                ? QStringLiteral("%1: the broker did not acknowledge the subscriptions within %2 ms")
                      .arg(describe())
                      .arg(m_connectTimeoutMs)
                : QStringLiteral("%1: no connection within %2 ms").arg(describe()).arg(m_connectTimeoutMs));
    });
}

MqttTransport::~MqttTransport() {
    destroyClient();
}

QString MqttTransport::describe() const {
    QString s = QStringLiteral("mqtt %1:%2").arg(m_spec.host).arg(m_spec.port);
    if (m_host != m_spec.host || m_port != m_spec.port)
        s += QStringLiteral(" (via %1:%2)").arg(m_host).arg(m_port);
    return s;
}

bool MqttTransport::isOpen() const {
    return m_state == State::Open;
}

void MqttTransport::open() {
    destroyClient();
    ++m_generation;
    m_refusal.clear();
    m_outgoing.clear();
    m_state = State::Connecting; // so that a refusal below ends it with failed()
    const QByteArray id = m_spec.clientId.toUtf8();
    m_mosq = mosquitto_new(id.isEmpty() ? nullptr : id.constData(), m_spec.cleanSession, this);
    const quint64 generation = m_generation;
    const auto refuse = [this, generation](const QString &why) {
        // Never from inside open(): the caller connects to failed() after calling it, or handles it later.
        QMetaObject::invokeMethod(
            this,
            [this, generation, why] {
                if (generation == m_generation)
                    end(QStringLiteral("%1: %2").arg(describe(), why));
            },
            Qt::QueuedConnection);
    };
    if (!m_mosq) {
        refuse(QStringLiteral("cannot make a client: %1").arg(libraryError(MOSQ_ERR_ERRNO)));
        return;
    }
    mosquitto_int_option(m_mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_connect_callback_set(m_mosq, &MqttTransport::onConnect);
    mosquitto_subscribe_callback_set(m_mosq, &MqttTransport::onSubscribe);
    mosquitto_message_callback_set(m_mosq, &MqttTransport::onMessage);
    mosquitto_disconnect_callback_set(m_mosq, &MqttTransport::onDisconnect);
    if (!m_spec.username.isEmpty()) {
        const QByteArray user = m_spec.username.toUtf8();
        const QByteArray password = m_spec.password.toUtf8();
        mosquitto_username_pw_set(m_mosq, user.constData(),
                                  m_spec.password.isEmpty() ? nullptr : password.constData());
    }
    if (m_spec.tls) {
        const auto path = [](const QString &p) { return p.toLocal8Bit(); };
        const QByteArray ca = path(m_spec.tls->ca), cert = path(m_spec.tls->cert),
                         key = path(m_spec.tls->key);
        const int rc = mosquitto_tls_set(m_mosq, ca.isEmpty() ? nullptr : ca.constData(), nullptr,
                                         cert.isEmpty() ? nullptr : cert.constData(),
                                         key.isEmpty() ? nullptr : key.constData(), nullptr);
        if (rc != MOSQ_ERR_SUCCESS) {
            refuse(QStringLiteral("TLS settings refused (ca %1, cert %2, key %3): %4")
                       .arg(m_spec.tls->ca, m_spec.tls->cert, m_spec.tls->key, libraryError(rc)));
            return;
        }
        if (m_spec.tls->insecure)
            mosquitto_tls_insecure_set(m_mosq, true);
    }
    const QByteArray host = m_host.toUtf8();
    const int rc = mosquitto_connect_async(m_mosq, host.constData(), m_port, m_spec.keepaliveS);
    if (rc != MOSQ_ERR_SUCCESS) {
        refuse(libraryError(rc));
        return;
    }
    m_connectTimer.start(m_connectTimeoutMs);
    m_miscTimer.start();
    watchSocket();
}

void MqttTransport::watchSocket() {
    const int fd = mosquitto_socket(m_mosq);
    if (fd < 0)
        return;
    m_readNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    connect(m_readNotifier.get(), &QSocketNotifier::activated, this, &MqttTransport::onReadable);
    m_writeNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Write);
    connect(m_writeNotifier.get(), &QSocketNotifier::activated, this, &MqttTransport::onWritable);
    updateWriteInterest();
}

void MqttTransport::updateWriteInterest() {
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(m_mosq && mosquitto_want_write(m_mosq));
}

void MqttTransport::onReadable() {
    if (!m_mosq)
        return;
    const quint64 generation = m_generation;
    const int fd = mosquitto_socket(m_mosq);
    // The library reads one packet per call and no further than its end: keep going while the socket has
    // more, so a burst of messages costs one wake-up (bounded, so that one flood cannot starve the loop).
    for (int i = 0; i < 256; ++i) {
        settle(mosquitto_loop_read(m_mosq, 1), "read");
        if (generation != m_generation || !m_mosq || m_spec.tls)
            return;
        int pending = 0;
        if (::ioctl(fd, FIONREAD, &pending) != 0 || pending <= 0)
            return;
    }
}

void MqttTransport::onWritable() {
    if (m_mosq)
        settle(mosquitto_loop_write(m_mosq, 1), "write");
}

void MqttTransport::onMisc() {
    if (m_mosq)
        settle(mosquitto_loop_misc(m_mosq), "keep-alive");
}

void MqttTransport::settle(int rc, const char *what) {
    const QString why = rc == MOSQ_ERR_SUCCESS ? QString() : libraryError(rc); // before errno changes
    const quint64 generation = m_generation;
    const QList<Event> events = std::exchange(m_events, {});
    for (const Event &e : events) {
        handle(e);
        if (generation != m_generation)
            return; // ended, closed or reopened by a receiver
    }
    if (rc != MOSQ_ERR_SUCCESS && m_state != State::Closed) {
        if (!m_refusal.isEmpty())
            end(m_refusal);
        else if (m_state == State::Connecting)
            end(QStringLiteral("%1: no connection to the broker (%2 failed: %3)")
                    .arg(describe(), QString::fromLatin1(what), why));
        else
            end(QStringLiteral("%1: %2 failed: %3").arg(describe(), QString::fromLatin1(what), why));
        return;
    }
    updateWriteInterest();
}

void MqttTransport::handle(const Event &e) {
    switch (e.kind) {
    case Event::Kind::Connack:
        if (e.code != 0) {
            m_refusal = QStringLiteral("%1: the broker refused the connection: %2 (CONNACK %3)")
                            .arg(describe(), refusalText(e.code))
                            .arg(e.code);
            end(m_refusal);
            return;
        }
        if (m_state != State::Connecting)
            return;
        m_state = State::Subscribing;
        subscribeAll();
        return;
    case Event::Kind::Suback: {
        if (!m_pendingSubscriptions.remove(e.code))
            return;
        for (int granted : e.granted) {
            if (granted >= 0x80) {
                end(QStringLiteral("%1: the broker refused a subscription of client %2 (SUBACK 0x%3)")
                        .arg(describe(), m_spec.clientId)
                        .arg(granted, 2, 16, QLatin1Char('0')));
                return;
            }
        }
        if (m_pendingSubscriptions.isEmpty() && m_state == State::Subscribing) {
            m_state = State::Open;
            m_connectTimer.stop();
            emit opened();
        }
        return;
    }
    case Event::Kind::Message:
        if (m_state == State::Open)
            emit bytesReceived(e.record);
        return;
    case Event::Kind::Disconnect:
        if (m_state == State::Closed)
            return;
        end(!m_refusal.isEmpty() ? m_refusal
            : m_state == State::Connecting
                ? QStringLiteral("%1: no connection to the broker (closed before CONNACK: is it up?): %2")
                      .arg(describe(), QString::fromUtf8(e.record))
                : QStringLiteral("%1: connection lost: %2").arg(describe(), QString::fromUtf8(e.record)));
        return;
    }
}

void MqttTransport::subscribeAll() {
    m_pendingSubscriptions.clear();
    for (const QString &filter : std::as_const(m_spec.subscriptions)) {
        const QByteArray f = filter.toUtf8();
        int mid = 0;
        const int rc = mosquitto_subscribe(m_mosq, &mid, f.constData(), m_spec.qos);
        if (rc != MOSQ_ERR_SUCCESS) {
            end(QStringLiteral("%1: cannot subscribe to '%2': %3").arg(describe(), filter, libraryError(rc)));
            return;
        }
        m_pendingSubscriptions.insert(mid);
    }
    if (m_pendingSubscriptions.isEmpty()) {
        m_state = State::Open;
        m_connectTimer.stop();
        emit opened();
    }
}

void MqttTransport::write(const QByteArray &bytes) {
    m_outgoing.append(bytes);
    for (;;) {
        QString error;
        const std::optional<MqttMessage> m = takeMqttRecord(m_outgoing, &error);
        if (!m) {
            if (!error.isEmpty()) {
                ++m_publishErrors;
                m_outgoing.clear();
            }
            break;
        }
        publish(*m);
    }
    updateWriteInterest();
}

void MqttTransport::publish(const MqttMessage &m) {
    if (m_state != State::Open || !m_mosq) {
        ++m_publishErrors;
        return;
    }
    const int rc = mosquitto_publish(m_mosq, nullptr, m.topic.constData(), static_cast<int>(m.payload.size()),
                                     m.payload.constData(), m.qos, m.retain);
    if (rc != MOSQ_ERR_SUCCESS)
        ++m_publishErrors;
}

void MqttTransport::end(const QString &reason) {
    const State was = m_state;
    if (was == State::Closed)
        return;
    destroyClient();
    ++m_generation;
    if (was == State::Open)
        emit closed(reason);
    else
        emit failed(reason);
}

void MqttTransport::close() {
    destroyClient();
    ++m_generation;
}

void MqttTransport::destroyClient() {
    m_state = State::Closed;
    m_connectTimer.stop();
    m_miscTimer.stop();
    m_readNotifier.reset();
    m_writeNotifier.reset();
    m_events.clear();
    m_pendingSubscriptions.clear();
    if (m_mosq) {
        mosquitto_disconnect(m_mosq);
        mosquitto_destroy(m_mosq);
        m_mosq = nullptr;
    }
}

void MqttTransport::onConnect(mosquitto *, void *self, int rc) {
    static_cast<MqttTransport *>(self)->m_events.append({Event::Kind::Connack, rc, {}, {}});
}

void MqttTransport::onSubscribe(mosquitto *, void *self, int mid, int count, const int *granted) {
    QList<int> g;
    for (int i = 0; i < count; ++i)
        g.append(granted[i]);
    static_cast<MqttTransport *>(self)->m_events.append({Event::Kind::Suback, mid, g, {}});
}

void MqttTransport::onMessage(mosquitto *, void *self, const mosquitto_message *message) {
    MqttMessage m;
    m.topic = QByteArray(message->topic);
    m.payload = QByteArray(static_cast<const char *>(message->payload), message->payloadlen);
    m.qos = message->qos;
    m.retain = message->retain;
    static_cast<MqttTransport *>(self)->m_events.append({Event::Kind::Message, 0, {}, encodeMqttRecord(m)});
}

void MqttTransport::onDisconnect(mosquitto *, void *self, int rc) {
    // The reason's text now, while errno is still the library's.
    static_cast<MqttTransport *>(self)->m_events.append(
        {Event::Kind::Disconnect, rc, {}, libraryError(rc).toUtf8()});
}

} // namespace hil
