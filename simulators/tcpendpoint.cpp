#include "tcpendpoint.h"

#include "simdevice.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <cstdio>

namespace hilsim {

TcpEndpoint::TcpEndpoint(SimDevice *device, QObject *parent)
    : QObject(parent)
    , m_device(device)
    , m_server(new QTcpServer(this)) {
    connect(m_server, &QTcpServer::newConnection, this, &TcpEndpoint::onNewConnection);
    connect(m_device, &SimDevice::transmit, this, &TcpEndpoint::write);
    connect(m_device, &SimDevice::unplugged, this, &TcpEndpoint::unplug);
}

bool TcpEndpoint::listen(const QHostAddress &address, quint16 port) {
    return m_server->listen(address, port);
}

QString TcpEndpoint::errorString() const {
    return m_server->errorString();
}

QHostAddress TcpEndpoint::address() const {
    return m_server->serverAddress();
}

quint16 TcpEndpoint::port() const {
    return m_server->serverPort();
}

void TcpEndpoint::onNewConnection() {
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_client) {
            ++m_counters.clientsReplaced;
            dropClient();
        }
        ++m_counters.clientsAccepted;
        m_client = socket;
        // Small lines at up to 1 kHz: waiting for Nagle would add latency the harness would measure.
        m_client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(m_client, &QTcpSocket::readyRead, this, &TcpEndpoint::onReadyRead);
        connect(m_client, &QTcpSocket::bytesWritten, this, [this, socket] {
            if (socket == m_client && socket->bytesToWrite() == 0)
                m_device->outputDrained();
        });
        connect(m_client, &QTcpSocket::disconnected, this, [this, socket] {
            if (socket == m_client)
                dropClient();
        });
        m_device->startSession();
    }
}

void TcpEndpoint::onReadyRead() {
    if (!m_client)
        return;
    const QByteArray bytes = m_client->readAll();
    m_counters.bytesReceived += static_cast<quint64>(bytes.size());
    m_device->receive(bytes);
}

void TcpEndpoint::write(const QByteArray &bytes) {
    if (!m_client || m_client->state() != QAbstractSocket::ConnectedState) {
        m_device->outputDrained(); // sent into the void
        return;
    }
    m_client->write(bytes);
    // At once: lower latency, and a client that half-closes after its commands still gets its answers
    // (Qt resets the socket on the end of input and would drop what was still buffered).
    m_client->flush();
    m_counters.bytesSent += static_cast<quint64>(bytes.size());
    if (m_client->bytesToWrite() == 0)
        m_device->outputDrained();
}

void TcpEndpoint::unplug(std::chrono::nanoseconds down) {
    ++m_counters.unplugs;
    if (QTcpSocket *client = m_client) {
        m_client = nullptr;
        disconnect(client, nullptr, this, nullptr);
        // A graceful close: the bytes already written (the cut answer) arrive before the end of file.
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        client->disconnectFromHost();
        if (client->state() == QAbstractSocket::UnconnectedState)
            client->deleteLater();
        m_device->endSession();
    }
    const QHostAddress address = m_server->serverAddress();
    const quint16 port = m_server->serverPort();
    m_server->close();
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(down);
    QTimer::singleShot(ms, this, [this, address, port] {
        if (!m_server->isListening() && !m_server->listen(address, port))
            std::fprintf(stderr, "hil-sim: cannot listen again on port %u after an unplug: %s\n",
                         static_cast<unsigned>(port), qPrintable(m_server->errorString()));
    });
}

void TcpEndpoint::dropClient() {
    QTcpSocket *client = m_client;
    m_client = nullptr;
    // Disconnect first: abort() emits disconnected() synchronously and would re-enter here.
    disconnect(client, nullptr, this, nullptr);
    client->abort();
    client->deleteLater();
    m_device->endSession();
}

} // namespace hilsim
