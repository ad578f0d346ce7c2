#include "core/transport/fdtransport.h"

#include <QPointer>
#include <QSocketNotifier>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

namespace hil {

namespace {

// One read() takes at most this; a PTY or tty hands over a few KiB at a time anyway.
constexpr qsizetype kReadChunk = 64 * 1024;
// Beyond this, deliver what we have and let the event loop breathe: a device that streams faster than
// we read must not starve timers and other devices. The notifier is level-triggered and fires again.
constexpr qsizetype kMaxReadPerWakeup = 1024 * 1024;
// Sent bytes are cut off the front of the queue only in large steps, so draining a long queue in small
// writes does not move the rest of it every time.
constexpr qsizetype kCompactThreshold = 64 * 1024;

QString ioErrorText(int error) {
    QString text = qt_error_string(error);
    if (error == EIO)
        text += QStringLiteral(" (the other side hung up, or the device is gone)");
    return text;
}

// A terminal in non-canonical mode with VMIN = 0 (libserialport configures ports that way) returns 0
// from read() when no data is there, even with O_NONBLOCK, which is indistinguishable from the end of
// file that a hung-up tty gives. VMIN = 1, VTIME = 0 makes an empty read fail with EAGAIN instead.
bool makeZeroReadMeanEndOfFile(int fd, QString *error) {
    termios tio{};
    if (!::isatty(fd) || ::tcgetattr(fd, &tio) != 0 || (tio.c_lflag & ICANON) || tio.c_cc[VMIN] >= 1)
        return true;
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (::tcsetattr(fd, TCSANOW, &tio) == 0)
        return true;
    *error = QStringLiteral("cannot set VMIN: ") + qt_error_string(errno);
    return false;
}

} // namespace

FdTransport::FdTransport(QObject *parent)
    : Transport(parent) {}

QString FdTransport::endOfFileReason() const {
    return QStringLiteral("end of file (the other side closed or hung up)");
}

FdTransport::~FdTransport() {
    Q_ASSERT_X(m_fd < 0, "FdTransport", "a subclass destructor must call close()");
}

void FdTransport::open() {
    if (m_state != State::Closed)
        return;
    m_state = State::Opening;
    const quint64 attempt = ++m_attempt;
    QMetaObject::invokeMethod(
        this, [this, attempt] { finishOpening(attempt); }, Qt::QueuedConnection);
}

void FdTransport::close() {
    if (m_state == State::Closed)
        return;
    releaseAll();
    m_state = State::Closed;
    ++m_attempt;
}

void FdTransport::setDiscardInputAtOpen(bool discard) {
    m_discardAtOpen = discard;
}

void FdTransport::readAvailable() {
    if (m_state == State::Open)
        onReadable();
}

bool FdTransport::isOpen() const {
    return m_state == State::Open;
}

void FdTransport::write(const QByteArray &bytes) {
    if (m_state == State::Closed || bytes.isEmpty())
        return;
    const bool wasIdle = m_outPos == m_out.size();
    m_out.append(bytes);
    if (m_state != State::Open || !wasIdle)
        return;

    // Nothing queued before: try right away rather than one event loop iteration later.
    QString error;
    if (!flush(&error)) {
        m_writeNotifier->setEnabled(false);
        // Reported from the event loop: emitting closed() inside write() would re-enter the caller.
        QMetaObject::invokeMethod(
            this,
            [this, attempt = m_attempt, error] {
                if (attempt == m_attempt)
                    lose(error);
            },
            Qt::QueuedConnection);
        return;
    }
    updateWriteNotifier();
}

void FdTransport::finishOpening(quint64 attempt) {
    if (attempt != m_attempt || m_state != State::Opening)
        return;

    QString error;
    const int fd = openDescriptor(&error);
    if (fd >= 0) {
        const int statusFlags = ::fcntl(fd, F_GETFL);
        const int fdFlags = ::fcntl(fd, F_GETFD);
        if (statusFlags < 0 || fdFlags < 0 || ::fcntl(fd, F_SETFL, statusFlags | O_NONBLOCK) < 0
            || ::fcntl(fd, F_SETFD, fdFlags | FD_CLOEXEC) < 0) {
            error = describe() + QStringLiteral(": fcntl failed: ") + qt_error_string(errno);
            releaseDescriptor(fd);
        } else if (!makeZeroReadMeanEndOfFile(fd, &error)) {
            error = describe() + QStringLiteral(": ") + error;
            releaseDescriptor(fd);
        } else {
            m_fd = fd;
            struct stat st {};
            m_isSocket = ::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
            if (m_discardAtOpen && ::isatty(fd) == 1)
                ::tcflush(fd, TCIFLUSH);
        }
    }
    if (m_fd < 0) {
        m_state = State::Closed;
        m_out.clear();
        m_outPos = 0;
        if (error.isEmpty())
            error = describe() + QStringLiteral(": cannot open");
        emit failed(error);
        return;
    }

    m_state = State::Open;
    m_readNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &FdTransport::onReadable);
    m_writeNotifier = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &FdTransport::onWritable);

    const QPointer<FdTransport> alive(this);
    emit opened();
    if (!alive || attempt != m_attempt)
        return;
    // Bytes written while opening.
    updateWriteNotifier();
}

void FdTransport::onReadable() {
    if (m_state != State::Open)
        return;

    QByteArray received;
    QString lossReason;
    char buffer[kReadChunk];
    for (;;) {
        const ssize_t count = ::read(m_fd, buffer, sizeof buffer);
        if (count > 0) {
            received.append(buffer, count);
            // A short read took all there was: the next read would only say EAGAIN.
            if (count < static_cast<ssize_t>(sizeof buffer) || received.size() >= kMaxReadPerWakeup)
                break;
            continue;
        }
        if (count == 0) {
            lossReason = endOfFileReason();
            break;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            // Woken without data: the wake-up may have been a hang-up or an error condition rather
            // than input, which read() alone does not tell on every kind of descriptor.
            if (received.isEmpty()) {
                pollfd status{m_fd, POLLIN, 0};
                if (::poll(&status, 1, 0) == 1 && (status.revents & (POLLHUP | POLLERR | POLLNVAL)))
                    lossReason = (status.revents & POLLHUP) ? QStringLiteral("hang-up (POLLHUP)")
                                                            : QStringLiteral("error condition on the device");
            }
            break;
        }
        lossReason = QStringLiteral("read failed: ") + ioErrorText(errno);
        break;
    }

    const QPointer<FdTransport> alive(this);
    const quint64 attempt = m_attempt;
    if (!received.isEmpty())
        emit bytesReceived(received);
    if (!alive || attempt != m_attempt || lossReason.isEmpty())
        return;
    lose(describe() + QStringLiteral(": ") + lossReason);
}

void FdTransport::onWritable() {
    if (m_state != State::Open)
        return;
    QString error;
    if (!flush(&error)) {
        lose(error);
        return;
    }
    updateWriteNotifier();
}

bool FdTransport::flush(QString *error) {
    while (m_outPos < m_out.size()) {
        const char *data = m_out.constData() + m_outPos;
        const auto size = static_cast<size_t>(m_out.size() - m_outPos);
        // On a socket whose peer is gone, send() reports EPIPE instead of raising SIGPIPE.
        const ssize_t count = m_isSocket ? ::send(m_fd, data, size, MSG_NOSIGNAL) : ::write(m_fd, data, size);
        if (count > 0) {
            m_outPos += count;
            continue;
        }
        if (count < 0 && errno == EINTR)
            continue;
        if (count == 0 || errno == EAGAIN || errno == EWOULDBLOCK)
            break;
        *error = describe() + QStringLiteral(": write failed: ") + ioErrorText(errno);
        return false;
    }
    if (m_outPos == m_out.size()) {
        m_out.clear();
        m_outPos = 0;
    } else if (m_outPos >= kCompactThreshold && m_outPos >= m_out.size() / 2) {
        m_out.remove(0, m_outPos);
        m_outPos = 0;
    }
    return true;
}

void FdTransport::updateWriteNotifier() {
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(m_outPos < m_out.size());
}

void FdTransport::lose(const QString &reason) {
    if (m_state != State::Open)
        return;
    releaseAll();
    m_state = State::Closed;
    ++m_attempt;
    emit closed(reason);
}

void FdTransport::releaseAll() {
    // Disabled before the descriptor goes, so the event dispatcher never polls a closed (or reused)
    // descriptor; deleted later because we may be inside one of their activated() signals.
    for (QSocketNotifier **notifier : {&m_readNotifier, &m_writeNotifier}) {
        if (*notifier) {
            (*notifier)->setEnabled(false);
            (*notifier)->deleteLater();
            *notifier = nullptr;
        }
    }
    if (m_fd >= 0) {
        releaseDescriptor(m_fd);
        m_fd = -1;
    }
    m_out.clear();
    m_outPos = 0;
}

} // namespace hil
