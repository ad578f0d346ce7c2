#pragma once

#include <QHostAddress>
#include <QObject>
#include <chrono>

class QTcpServer;
class QTcpSocket;

namespace hilsim {

class SimDevice;

// Serves a device on a TCP port, one client at a time: a new client replaces the current one (the
// device sees endSession() then startSession()), and after a disconnect it waits for the next.
// Only moves bytes; the device does all the talking.
//
// An unplug fault (SimDevice::unplugged) closes the client's connection after the bytes already written
// (the cut answer) and stops listening for the fault's `down`, so reconnecting is refused meanwhile;
// then it listens on the same port again.
//
// Does not own the device, which must outlive it. Use from the thread that owns both.
class TcpEndpoint : public QObject {
    Q_OBJECT

public:
    struct Counters {
        quint64 clientsAccepted = 0;
        quint64 clientsReplaced = 0;
        quint64 bytesReceived = 0;
        quint64 bytesSent = 0;
        quint64 unplugs = 0;
    };

    explicit TcpEndpoint(SimDevice *device, QObject *parent = nullptr);

    // Starts listening; port 0 picks a free one. On failure returns false and errorString() says why.
    bool listen(const QHostAddress &address, quint16 port);
    QString errorString() const;

    QHostAddress address() const;
    quint16 port() const; // the real bound port once listening
    bool hasClient() const { return m_client != nullptr; }
    const Counters &counters() const { return m_counters; }

private:
    void onNewConnection();
    void onReadyRead();
    void write(const QByteArray &bytes);
    void dropClient();
    void unplug(std::chrono::nanoseconds down);

    SimDevice *m_device;
    QTcpServer *m_server;
    QTcpSocket *m_client = nullptr; // owned by m_server through the QObject tree
    Counters m_counters;
};

} // namespace hilsim
