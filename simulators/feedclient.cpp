#include "feedclient.h"

#include <QTcpSocket>
#include <utility>

namespace hilsim {

FeedClient::FeedClient(const QHostAddress &address, quint16 port, QObject *parent)
    : QObject(parent)
    , m_address(address)
    , m_port(port)
    , m_socket(new QTcpSocket(this)) {
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] { failAll("no answer from the fed device"); });
    connect(m_socket, &QTcpSocket::connected, this, &FeedClient::writePending);
    connect(m_socket, &QTcpSocket::readyRead, this, &FeedClient::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this,
            [this] { failAll("fed device control channel: " + m_socket->errorString().toLocal8Bit()); });
}

void FeedClient::send(const QByteArray &command, Completion done) {
    m_pending.push_back({command, std::move(done)});
    if (!m_timeout.isActive())
        m_timeout.start(kTimeoutMs);
    // Queued, so a completion never runs inside the caller's send() even if the socket fails at once.
    QMetaObject::invokeMethod(this, &FeedClient::connectIfNeeded, Qt::QueuedConnection);
}

void FeedClient::connectIfNeeded() {
    if (m_socket->state() == QAbstractSocket::ConnectedState)
        writePending();
    else if (m_socket->state() == QAbstractSocket::UnconnectedState && !m_pending.empty())
        m_socket->connectToHost(m_address, m_port);
}

void FeedClient::writePending() {
    for (Pending &pending : m_pending) {
        if (!pending.written) {
            m_socket->write(pending.command + '\n');
            pending.written = true;
        }
    }
}

void FeedClient::onReadyRead() {
    while (m_socket->canReadLine()) {
        const QByteArray line = m_socket->readLine().trimmed();
        if (line == "OK")
            complete(true, line);
        else if (line.startsWith("ERR"))
            complete(false, line);
        // POWER answers have no data lines; anything else is not ours to judge.
    }
}

void FeedClient::failAll(const QByteArray &reason) {
    m_socket->abort();
    while (!m_pending.empty())
        complete(false, reason);
}

void FeedClient::complete(bool ok, const QByteArray &reply) {
    if (m_pending.empty())
        return;
    Pending pending = std::move(m_pending.front());
    m_pending.pop_front();
    if (m_pending.empty())
        m_timeout.stop();
    else
        m_timeout.start(kTimeoutMs);
    if (pending.done)
        pending.done(ok, reply);
}

} // namespace hilsim
