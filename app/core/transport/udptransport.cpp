#include "core/transport/udptransport.h"

#include <QNetworkDatagram>

namespace hil {

UdpTransport::UdpTransport(QString host, quint16 port, QByteArray lineTerminator, QObject *parent)
    : Transport(parent)
    , m_host(std::move(host))
    , m_port(port)
    , m_terminator(std::move(lineTerminator))
    , m_socket(this) {
    connect(&m_socket, &QUdpSocket::connected, this, [this] {
        m_open = true;
        emit opened();
    });
    connect(&m_socket, &QUdpSocket::readyRead, this, &UdpTransport::onReadyRead);
    connect(&m_socket, &QUdpSocket::errorOccurred, this, &UdpTransport::onError);
}

UdpTransport::~UdpTransport() {
    m_closing = true;
    m_socket.disconnect(this);
    m_socket.abort();
}

void UdpTransport::open() {
    m_closing = false;
    m_open = false;
    m_socket.abort();
    // Connecting a UDP socket only looks the name up and fixes the peer; connected() follows from the
    // event loop (never from inside open()).
    m_socket.connectToHost(m_host, m_port);
}

void UdpTransport::close() {
    m_closing = true;
    m_open = false;
    m_socket.abort();
}

void UdpTransport::write(const QByteArray &bytes) {
    if (!m_open || bytes.isEmpty())
        return;
    m_socket.write(bytes);
}

bool UdpTransport::isOpen() const {
    return m_open;
}

QString UdpTransport::describe() const {
    return QStringLiteral("udp %1:%2").arg(m_host).arg(m_port);
}

void UdpTransport::onReadyRead() {
    while (m_socket.hasPendingDatagrams()) {
        const QNetworkDatagram d = m_socket.receiveDatagram();
        if (!d.isValid())
            break;
        QByteArray bytes = d.data();
        if (!m_terminator.isEmpty()) {
            if (bytes.isEmpty())
                continue;
            if (!bytes.endsWith(m_terminator))
                bytes += m_terminator;
        }
        emit bytesReceived(bytes);
        if (!m_open)
            return; // a slot closed the transport
    }
}

void UdpTransport::onError(QAbstractSocket::SocketError) {
    if (m_closing)
        return;
    const QString reason = QStringLiteral("%1: %2").arg(describe(), m_socket.errorString());
    const bool wasOpen = m_open;
    m_open = false;
    m_socket.abort();
    if (wasOpen)
        emit closed(reason);
    else
        emit failed(reason);
}

} // namespace hil
