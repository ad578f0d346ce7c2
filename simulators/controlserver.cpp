#include "controlserver.h"

#include "simdevice.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <utility>

namespace hilsim {

ControlServer::ControlServer(SimDevice *device, QObject *parent)
    : QObject(parent)
    , m_device(device)
    , m_server(new QTcpServer(this)) {
    connect(m_server, &QTcpServer::newConnection, this, &ControlServer::onNewConnection);
}

bool ControlServer::listen(quint16 port) {
    return m_server->listen(QHostAddress::LocalHost, port);
}

QString ControlServer::errorString() const {
    return m_server->errorString();
}

QHostAddress ControlServer::address() const {
    return m_server->serverAddress();
}

quint16 ControlServer::port() const {
    return m_server->serverPort();
}

void ControlServer::onNewConnection() {
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        ++m_counters.clientsAccepted;
        m_clients[socket] = Client{};
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_clients.erase(socket);
            socket->deleteLater();
        });
    }
}

void ControlServer::onReadyRead(QTcpSocket *socket) {
    const auto it = m_clients.find(socket);
    if (it == m_clients.end())
        return;
    Client &client = it->second;
    const QByteArray bytes = socket->readAll();
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        const qsizetype newline = bytes.indexOf('\n', pos);
        const qsizetype end = newline < 0 ? bytes.size() : newline;
        if (!client.discardingLine) {
            client.partialLine.append(bytes.sliced(pos, end - pos));
            if (client.partialLine.size() > kMaxLineLength + 1) {
                client.partialLine.clear();
                client.discardingLine = true;
                socket->write("ERR line too long\n");
                socket->flush();
            }
        }
        if (newline < 0)
            break;
        if (client.discardingLine) {
            client.discardingLine = false;
        } else {
            QByteArray line = std::exchange(client.partialLine, QByteArray());
            if (line.endsWith('\r'))
                line.chop(1);
            answer(socket, line);
        }
        pos = newline + 1;
    }
}

void ControlServer::answer(QTcpSocket *socket, const QByteArray &line) {
    // Empty lines are ignored, as on the device side.
    if (line.trimmed().isEmpty())
        return;
    ++m_counters.linesHandled;
    QByteArray reply;
    for (const QByteArray &answerLine : m_device->control(line))
        reply += answerLine + '\n';
    socket->write(reply);
    // At once: a client that sends its commands and half-closes (printf | nc) makes Qt reset the socket
    // on the end of input, and whatever was still buffered here would be lost.
    socket->flush();
}

} // namespace hilsim
