#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>

class QUdpSocket;

namespace hilsim {

class SimDevice;

// Serves a device over UDP: every datagram received is input for the device, and the device's output
// goes back, one datagram per line ('\n'-terminated; the rest waits for its end), to the address the
// last datagram came from (output before the first datagram goes nowhere). UDP has no connection: the
// device's session starts once, when the simulator starts, and a new client address simply takes over
// the replies. Only moves bytes; the device does all the talking.
//
// Does not own the device, which must outlive it. Use from the thread that owns both.
class UdpEndpoint : public QObject {
    Q_OBJECT

public:
    explicit UdpEndpoint(SimDevice *device, QObject *parent = nullptr);

    // Binds; port 0 picks a free one. On failure returns false and errorString() says why.
    bool bind(const QHostAddress &address, quint16 port);
    QString errorString() const;
    QHostAddress address() const;
    quint16 port() const;

private:
    void onReadyRead();
    void write(const QByteArray &bytes);

    SimDevice *m_device;
    QUdpSocket *m_socket;
    QHostAddress m_peer;
    quint16 m_peerPort = 0;
    QByteArray m_pending; // output not yet ended by '\n'
};

} // namespace hilsim
