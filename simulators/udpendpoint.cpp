#include "udpendpoint.h"

#include "simdevice.h"

#include <QNetworkDatagram>
#include <QUdpSocket>

namespace hilsim {

UdpEndpoint::UdpEndpoint(SimDevice *device, QObject *parent)
    : QObject(parent)
    , m_device(device)
    , m_socket(new QUdpSocket(this)) {
    connect(m_socket, &QUdpSocket::readyRead, this, &UdpEndpoint::onReadyRead);
    connect(m_device, &SimDevice::transmit, this, &UdpEndpoint::write);
}

bool UdpEndpoint::bind(const QHostAddress &address, quint16 port) {
    return m_socket->bind(address, port);
}

QString UdpEndpoint::errorString() const {
    return m_socket->errorString();
}

QHostAddress UdpEndpoint::address() const {
    return m_socket->localAddress();
}

quint16 UdpEndpoint::port() const {
    return m_socket->localPort();
}

void UdpEndpoint::onReadyRead() {
    while (m_socket->hasPendingDatagrams()) {
        const QNetworkDatagram d = m_socket->receiveDatagram();
        if (!d.isValid())
            break;
        const auto port = static_cast<quint16>(d.senderPort());
        if (port != m_peerPort || !d.senderAddress().isEqual(m_peer)) {
            m_peer = d.senderAddress();
            m_peerPort = port;
            m_pending.clear();
        }
        m_device->receive(d.data());
    }
}

void UdpEndpoint::write(const QByteArray &bytes) {
    m_pending += bytes;
    qsizetype start = 0;
    for (qsizetype end = m_pending.indexOf('\n'); end >= 0; end = m_pending.indexOf('\n', start)) {
        if (m_peerPort != 0)
            m_socket->writeDatagram(m_pending.mid(start, end + 1 - start), m_peer, m_peerPort);
        start = end + 1;
    }
    m_pending.remove(0, start);
    m_device->outputDrained(); // a datagram is gone once written
}

} // namespace hilsim
