#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QTimer>
#include <deque>
#include <functional>

class QTcpSocket;

namespace hilsim {

// The wire from a simulated supply to the device it feeds: a client of that device's control channel
// that sends "POWER ON" / "POWER OFF" and reports each answer. Commands go out in order over one
// connection, opened on first use and again after it drops; each gets exactly one completion, called
// from the event loop (never from inside send()): ok for "OK", not ok for "ERR ...", a refused or lost
// connection, or no answer within the timeout.
//
// Use from the thread that owns it.
class FeedClient : public QObject {
    Q_OBJECT

public:
    using Completion = std::function<void(bool ok, const QByteArray &reply)>;
    static constexpr int kTimeoutMs = 3000;

    FeedClient(const QHostAddress &address, quint16 port, QObject *parent = nullptr);

    void send(const QByteArray &command, Completion done);

    QHostAddress address() const { return m_address; }
    quint16 port() const { return m_port; }

private:
    struct Pending {
        QByteArray command;
        Completion done;
        bool written = false;
    };

    void connectIfNeeded();
    void writePending();
    void onReadyRead();
    void failAll(const QByteArray &reason);
    void complete(bool ok, const QByteArray &reply);

    QHostAddress m_address;
    quint16 m_port;
    QTcpSocket *m_socket; // child of this
    QTimer m_timeout;
    std::deque<Pending> m_pending;
};

} // namespace hilsim
