#include "core/transport/tcptransport.h"

#include "core/transport/fdtransport.h"

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace hil {

// The connected socket, driven through its own copy of the descriptor.
class TcpTransport::Stream final : public FdTransport {
public:
    Stream(int fd, QString what, QObject *parent)
        : FdTransport(parent)
        , m_fd(fd)
        , m_what(std::move(what)) {}
    ~Stream() override {
        close();
        if (m_fd >= 0)
            ::close(m_fd);
    }
    QString describe() const override { return m_what; }

protected:
    int openDescriptor(QString *error) override {
        if (m_fd < 0) {
            *error = m_what + QStringLiteral(": the connection is gone");
            return -1;
        }
        return std::exchange(m_fd, -1);
    }
    void releaseDescriptor(int fd) override { ::close(fd); }
    QString endOfFileReason() const override { return QStringLiteral("the peer closed the connection"); }

private:
    int m_fd;
    QString m_what;
};

TcpTransport::TcpTransport(QString host, quint16 port, QObject *parent, int connectTimeoutMs)
    : Transport(parent)
    , m_host(std::move(host))
    , m_port(port)
    , m_connectTimeoutMs(connectTimeoutMs)
    , m_socket(this)
    , m_connectTimer(this) {
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        m_closing = true;
        m_socket.abort();
        m_closing = false;
        emit failed(QStringLiteral("%1: no connection within %2 ms").arg(describe()).arg(m_connectTimeoutMs));
    });
    connect(&m_socket, &QTcpSocket::connected, this, &TcpTransport::onConnected);
    connect(&m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_closing || m_stream)
            return;
        m_connectTimer.stop();
        emit failed(QStringLiteral("%1: %2").arg(describe(), m_socket.errorString()));
    });
}

TcpTransport::~TcpTransport() {
    dropStream();
}

void TcpTransport::onConnected() {
    m_connectTimer.stop();
    // Our own descriptor for the connection; QTcpSocket then lets go of its one without touching the
    // connection (no shutdown(), no linger): a socket lives until its last descriptor is closed.
    const int fd = ::fcntl(static_cast<int>(m_socket.socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    const QString error = fd < 0 ? qt_error_string(errno) : QString();
    m_closing = true;
    m_socket.abort();
    m_closing = false;
    if (fd < 0) {
        emit failed(QStringLiteral("%1: cannot take over the connection: %2").arg(describe(), error));
        return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    m_stream = new Stream(fd, describe(), this);
    connect(m_stream, &Transport::opened, this, [this] {
        m_connected = true;
        emit opened();
    });
    connect(m_stream, &Transport::failed, this, [this](const QString &reason) {
        dropStream();
        emit failed(reason);
    });
    connect(m_stream, &Transport::bytesReceived, this, &Transport::bytesReceived);
    connect(m_stream, &Transport::closed, this, [this](const QString &reason) {
        m_connected = false;
        dropStream();
        emit closed(reason);
    });
    m_stream->open();
}

void TcpTransport::dropStream() {
    if (!m_stream)
        return;
    m_stream->disconnect(this);
    m_stream->close();
    m_stream->deleteLater(); // we may be inside one of its signals
    m_stream = nullptr;
}

void TcpTransport::open() {
    m_connected = false;
    dropStream();
    m_connectTimer.start(m_connectTimeoutMs);
    m_socket.connectToHost(m_host, m_port);
}

void TcpTransport::close() {
    m_closing = true;
    m_connectTimer.stop();
    m_connected = false;
    m_socket.abort();
    dropStream();
    m_closing = false;
}

void TcpTransport::write(const QByteArray &bytes) {
    if (m_connected && m_stream)
        m_stream->write(bytes);
}

bool TcpTransport::isOpen() const {
    return m_connected;
}

QString TcpTransport::describe() const {
    return QStringLiteral("tcp %1:%2").arg(m_host).arg(m_port);
}

} // namespace hil
