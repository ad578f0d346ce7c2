#include "core/session/simcontrol.h"

namespace hil {

SimControl::SimControl(QObject *parent)
    : QObject(parent)
    , m_socket(this)
    , m_timeout(this) {
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        m_socket.abort();
        finish(false, QStringLiteral("no answer from the control channel %1").arg(m_address));
    });
    connect(&m_socket, &QTcpSocket::connected, this, [this] {
        if (m_busy)
            m_socket.write(m_queue.front().command.toUtf8() + '\n');
    });
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_busy)
            finish(false, QStringLiteral("control channel %1: %2").arg(m_address, m_socket.errorString()));
    });
    connect(&m_socket, &QTcpSocket::readyRead, this, [this] {
        m_buffer += m_socket.readAll();
        qsizetype nl;
        while ((nl = m_buffer.indexOf('\n')) >= 0) {
            const QString line = QString::fromUtf8(m_buffer.left(nl)).trimmed();
            m_buffer.remove(0, nl + 1);
            if (!m_busy)
                continue;
            if (line == u"OK")
                finish(true, m_data.join(u'\n'));
            else if (line.startsWith(QStringLiteral("ERR")))
                finish(false, line.mid(3).trimmed());
            else
                m_data.append(line);
        }
    });
}

void SimControl::setAddress(const QString &hostPort) {
    if (hostPort == m_address)
        return;
    m_address = hostPort;
    m_socket.abort();
    m_buffer.clear();
}

void SimControl::send(const QString &command, Handler handler, int timeoutMs) {
    m_queue.push_back({command, std::move(handler), timeoutMs});
    if (!m_busy)
        next();
}

void SimControl::next() {
    if (m_queue.empty())
        return;
    m_busy = true;
    m_data.clear();
    m_timeout.start(m_queue.front().timeoutMs);
    if (m_socket.state() == QAbstractSocket::ConnectedState) {
        m_socket.write(m_queue.front().command.toUtf8() + '\n');
        return;
    }
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        m_socket.abort();
    const qsizetype colon = m_address.lastIndexOf(u':');
    if (colon <= 0) {
        QMetaObject::invokeMethod(
            this, [this] { finish(false, QStringLiteral("the simulator has no control channel")); },
            Qt::QueuedConnection);
        return;
    }
    m_socket.connectToHost(m_address.left(colon), m_address.mid(colon + 1).toUShort());
}

void SimControl::finish(bool ok, const QString &answer) {
    if (!m_busy)
        return;
    m_timeout.stop();
    m_busy = false;
    Pending done = std::move(m_queue.front());
    m_queue.pop_front();
    if (done.handler)
        done.handler(ok, answer);
    next();
}

} // namespace hil
