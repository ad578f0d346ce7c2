#pragma once

#include "core/config/mqttspec.h"
#include "core/transport/transport.h"

#include <QList>
#include <QSet>
#include <QTimer>
#include <memory>

struct mosquitto;
struct mosquitto_message;
class QSocketNotifier;

namespace hil {

struct MqttMessage;

// An MQTT client link over libmosquitto, driven by the Qt event loop of the owning thread (the library's
// own thread is not used): the client's socket is watched by QSocketNotifiers (read always, write while
// the library has bytes queued), and a 1 s timer runs the library's keep-alive work.
//
// open() connects (mosquitto_connect_async) to `host:port`, which is the spec's broker or a fault proxy in
// front of it (describe() then names both); opened() follows once the broker accepted the connection
// (CONNACK) and acknowledged every subscription of the spec (SUBACK), so an expect started after opened()
// cannot miss a message. A broker that refuses the connection gives failed() with its reason ("not
// authorised", "bad user name or password"); no answer within connectTimeoutMs gives failed() too. After
// opened(), a lost connection (the broker went away, a keep-alive timeout) gives closed().
//
// Bytes: each received message is delivered by bytesReceived() as one record of transport/mqttmessage.h;
// write() takes such records (split anywhere) and publishes each. A fresh library client is made by every
// open(), so the transport can be reopened after a loss.
class MqttTransport : public Transport {
    Q_OBJECT
public:
    MqttTransport(MqttSpec spec, QString host, quint16 port, QObject *parent = nullptr,
                  int connectTimeoutMs = 5000);
    ~MqttTransport() override;

    void open() override;
    void close() override;
    void write(const QByteArray &bytes) override;
    bool isOpen() const override;
    QString describe() const override;

    // Messages write() could not publish (not connected, refused by the library), since construction.
    qint64 publishErrors() const { return m_publishErrors; }

private:
    enum class State { Closed, Connecting, Subscribing, Open };
    // What the library's callbacks reported during one call into it; handled once the call returned.
    struct Event {
        enum class Kind { Connack, Suback, Message, Disconnect };
        Kind kind;
        int code = 0; // CONNACK reason, SUBACK mid, DISCONNECT rc
        QList<int> granted;
        QByteArray record; // Message: the record; Disconnect: the reason's text
    };

    static void onConnect(mosquitto *, void *self, int rc);
    static void onSubscribe(mosquitto *, void *self, int mid, int count, const int *granted);
    static void onMessage(mosquitto *, void *self, const mosquitto_message *message);
    static void onDisconnect(mosquitto *, void *self, int rc);

    void onReadable();
    void onWritable();
    void onMisc();
    // After a call into the library: its return code, then the events its callbacks queued.
    void settle(int rc, const char *what);
    void handle(const Event &e);
    void subscribeAll();
    void watchSocket();
    void updateWriteInterest();
    void publish(const MqttMessage &m);
    void end(const QString &reason);
    void destroyClient();

    MqttSpec m_spec;
    QString m_host;
    quint16 m_port;
    int m_connectTimeoutMs;
    mosquitto *m_mosq = nullptr;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier;
    QTimer m_miscTimer;
    QTimer m_connectTimer;
    State m_state = State::Closed;
    QList<Event> m_events;
    QSet<int> m_pendingSubscriptions; // mids not acknowledged yet
    QByteArray m_outgoing;            // part of a record written so far
    QString m_refusal;
    quint64 m_generation = 0; // bumped by open() and close(): events of an older client are dropped
    qint64 m_publishErrors = 0;
};

} // namespace hil
