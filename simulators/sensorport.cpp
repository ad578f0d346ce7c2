#include "sensorport.h"

#include <QRegularExpression>
#include <QSocketNotifier>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#include <utility>

namespace hilsim {

namespace {

constexpr qsizetype kMaxLine = 4096;

} // namespace

SensorPort::SensorPort(QString name, QString path, QObject *parent)
    : QObject(parent)
    , m_name(std::move(name))
    , m_path(std::move(path)) {}

SensorPort::~SensorPort() {
    close();
}

bool SensorPort::open() {
    m_fd = ::open(m_path.toLocal8Bit().constData(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (m_fd < 0) {
        m_error =
            QStringLiteral("cannot open %1: %2").arg(m_path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    termios tio{};
    if (::tcgetattr(m_fd, &tio) == 0) {
        ::cfmakeraw(&tio);
        ::cfsetispeed(&tio, B115200);
        ::cfsetospeed(&tio, B115200);
        tio.c_cflag |= CLOCAL | CREAD;
        ::tcsetattr(m_fd, TCSANOW, &tio);
    }
    m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SensorPort::onReadable);
    return true;
}

void SensorPort::close() {
    delete m_notifier;
    m_notifier = nullptr;
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

bool SensorPort::poll() {
    const bool answeredLast = !m_awaiting;
    static const QByteArray request = QByteArrayLiteral("READ? ALL\n");
    m_awaiting = ::write(m_fd, request.constData(), static_cast<size_t>(request.size())) == request.size();
    return answeredLast && m_awaiting;
}

void SensorPort::onReadable() {
    char buffer[1024];
    for (;;) {
        const ssize_t n = ::read(m_fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        m_partial.append(buffer, n);
    }
    static const QRegularExpression answer(
        QStringLiteral("^ALL (-?[0-9]+(?:\\.[0-9]+)?) (-?[0-9]+(?:\\.[0-9]+)?)$"));
    qsizetype newline;
    while ((newline = m_partial.indexOf('\n')) >= 0) {
        QByteArray line = m_partial.left(newline);
        m_partial.remove(0, newline + 1);
        if (line.endsWith('\r'))
            line.chop(1);
        const QRegularExpressionMatch m = answer.match(QString::fromLatin1(line));
        if (m.hasMatch() && m_awaiting) {
            m_awaiting = false;
            emit reading(m.captured(1).toLatin1(), m.captured(2).toLatin1());
        }
    }
    if (m_partial.size() > kMaxLine)
        m_partial.clear(); // garbage without a newline: not a reading
}

} // namespace hilsim
