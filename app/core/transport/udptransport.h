#pragma once

#include "core/transport/transport.h"

#include <QUdpSocket>

namespace hil {

// A device reached by datagrams (a `udp:` device). open() binds a local port and "connects" the socket
// to the device (UDP has no handshake: the kernel only fixes the peer, so datagrams from anyone else are
// dropped and ICMP errors for this peer come back); opened() follows once that is done. write() sends
// one datagram per call: a session writes one request (with its terminator) per call.
//
// Received datagrams are handed on one per bytesReceived(). For a line device (a non-empty
// `lineTerminator`) a datagram is one or more whole lines: a datagram that does not end with the
// terminator gets one appended, so its last line is not glued to the next datagram, and an empty
// datagram is ignored; a datagram holding several lines gives several lines. Binary framings get the
// datagram's bytes as they are.
//
// An ICMP error (port unreachable: nobody listens there) is reported with closed(reason): the session
// records the device as lost and reconnects with its back-off, as for a refused TCP connection.
class UdpTransport : public Transport {
    Q_OBJECT
public:
    UdpTransport(QString host, quint16 port, QByteArray lineTerminator, QObject *parent = nullptr);
    ~UdpTransport() override;

    void open() override;
    void close() override;
    void write(const QByteArray &bytes) override;
    bool isOpen() const override;
    QString describe() const override;

private:
    void onReadyRead();
    void onError(QAbstractSocket::SocketError error);

    QString m_host;
    quint16 m_port;
    QByteArray m_terminator;
    QUdpSocket m_socket;
    bool m_open = false;
    bool m_closing = false;
};

} // namespace hil
