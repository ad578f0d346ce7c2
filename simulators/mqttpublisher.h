#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>
#include <chrono>
#include <map>

class QSocketNotifier;
struct mosquitto;

namespace hilsim {

// A libmosquitto client driven by the Qt event loop (socket notifiers and one timer, no thread of its
// own) that publishes at QoS 2 with a persistent session (clean_session false), so a message handed to
// publish() is delivered to the broker exactly once across reconnects: libmosquitto keeps it until the
// broker's PUBCOMP and resends it, marked as a duplicate, after a reconnect.
//
// The connection is kept up for as long as the object lives: a refused or lost connection, a keepalive
// that goes unanswered, a CONNACK or an in-flight message's acknowledgement that takes longer than the
// ack timeout closes the socket and connects again after a back-off (100 ms doubling to 2 s, back to
// 100 ms once connected).
//
// Use from the thread that owns it.
class MqttPublisher : public QObject {
    Q_OBJECT

public:
    static constexpr int kMaxBackoffMs = 2000;

    struct Options {
        QString clientId;
        QString host;
        quint16 port = 1883;
        int keepaliveSeconds = 5; // libmosquitto takes 5 or more
        std::chrono::milliseconds ackTimeout{2000};
    };

    explicit MqttPublisher(Options options, QObject *parent = nullptr);
    ~MqttPublisher() override;

    // Starts connecting (at once; the first attempt is not a reconnect).
    void start();
    // Closes the connection and stops connecting; the session's in-flight messages stay with it.
    void stop();

    bool isConnected() const { return m_connected; }
    // Hands a message over; returns its message id, or 0 if libmosquitto refused it (not connected).
    int publish(const QByteArray &topic, const QByteArray &payload);
    // Messages handed over and not yet acknowledged by the broker (PUBCOMP).
    qsizetype inFlight() const { return static_cast<qsizetype>(m_inFlight.size()); }
    // Successful connections after the first.
    quint64 reconnects() const { return m_reconnects; }
    QString lastError() const { return m_lastError; }

signals:
    void connected();
    void disconnected();
    // The broker acknowledged the message with this id (QoS 2: PUBCOMP).
    void published(int mid);

private:
    static void onConnect(mosquitto *, void *self, int rc);
    static void onDisconnect(mosquitto *, void *self, int rc);
    static void onPublish(mosquitto *, void *self, int mid);

    void attempt();
    void lost(const QString &why);
    void watchSocket();
    void unwatchSocket();
    void onReadable();
    void onWritable();
    void onTick();
    void updateWriteNotifier();

    Options m_options;
    mosquitto *m_client = nullptr;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QTimer m_tick;      // keepalive and ack timeouts
    QTimer m_reconnect; // the next attempt after a back-off
    int m_backoffMs = 100;
    std::chrono::steady_clock::time_point m_attemptAt;
    bool m_running = false;
    bool m_everConnected = false;
    bool m_connected = false;
    bool m_everAttempted = false;
    quint64 m_reconnects = 0;
    QString m_lastError;
    std::map<int, std::chrono::steady_clock::time_point> m_inFlight; // mid -> when handed over
};

} // namespace hilsim
