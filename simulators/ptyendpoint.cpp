#include "ptyendpoint.h"

#include "simdevice.h"

#include <QFile>
#include <QSocketNotifier>
#include <QTimer>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

namespace hilsim {

PtyEndpoint::PtyEndpoint(SimDevice *device, QObject *parent)
    : QObject(parent)
    , m_device(device) {
    connect(m_device, &SimDevice::transmit, this, &PtyEndpoint::write);
    connect(m_device, &SimDevice::unplugged, this, &PtyEndpoint::unplug);
}

PtyEndpoint::~PtyEndpoint() {
    closeAll();
    removeLink();
}

namespace {

// The target of the symbolic link at path; empty if path is not a symbolic link (or cannot be read).
QByteArray linkTarget(const QByteArray &path) {
    char target[4096];
    const ssize_t n = ::readlink(path.constData(), target, sizeof target);
    return n > 0 && static_cast<size_t>(n) < sizeof target ? QByteArray(target, n) : QByteArray();
}

} // namespace

QString PtyEndpoint::linkPathProblem(const QString &path) {
    const QByteArray name = QFile::encodeName(path);
    struct stat st {};
    if (::lstat(name.constData(), &st) != 0) {
        if (errno == ENOENT)
            return {};
        return QStringLiteral("cannot inspect %1: %2")
            .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
    }
    if (S_ISLNK(st.st_mode) && linkTarget(name).startsWith("/dev/pts/"))
        return {};
    const QString what =
        S_ISLNK(st.st_mode)
            ? QStringLiteral("a symbolic link to %1").arg(QString::fromLocal8Bit(linkTarget(name)))
        : S_ISDIR(st.st_mode) ? QStringLiteral("a directory")
        : S_ISREG(st.st_mode) ? QStringLiteral("a regular file")
                              : QStringLiteral("a special file");
    return QStringLiteral("%1 exists and is %2, not a link to a pseudo-terminal; it is left alone (remove it "
                          "or choose another link path)")
        .arg(path, what);
}

void PtyEndpoint::removeLink() {
    if (m_linkPath.isEmpty() || m_slavePath.isEmpty())
        return;
    const QByteArray link = QFile::encodeName(m_linkPath);
    if (linkTarget(link) == QFile::encodeName(m_slavePath))
        ::unlink(link.constData());
}

bool PtyEndpoint::makeLink(const char *slave) {
    if (m_linkPath.isEmpty())
        return true;
    // Checked again on every (re)creation: a file put there during an unplug is not ours either.
    if (const QString problem = linkPathProblem(m_linkPath); !problem.isEmpty()) {
        m_errorString = problem;
        closeAll();
        return false;
    }
    // A new name then rename(2): the link is never missing while it is replaced, nor half made.
    const QByteArray link = QFile::encodeName(m_linkPath);
    // The temporary name is this process's own, so nothing of anyone else's is removed to make room.
    const QByteArray temporary = link + ".hil-sim-" + QByteArray::number(::getpid()) + ".new";
    if (::symlink(slave, temporary.constData()) != 0)
        return fail("symlink");
    if (::rename(temporary.constData(), link.constData()) != 0) {
        const int error = errno;
        ::unlink(temporary.constData());
        errno = error;
        return fail("rename link");
    }
    return true;
}

void PtyEndpoint::unplug(std::chrono::nanoseconds down) {
    if (m_master < 0 || m_unplugged)
        return;
    ++m_counters.unplugs;
    m_unplugged = true;
    QTimer::singleShot(kUnplugGrace, this, [this, down] {
        removeLink();
        closeAll();
        m_pending.clear();
        m_device->endSession();
        const auto ms = std::chrono::ceil<std::chrono::milliseconds>(down);
        QTimer::singleShot(ms, this, [this] {
            m_unplugged = false;
            if (!open()) {
                std::fprintf(stderr, "hil-sim: cannot create the pseudo-terminal again: %s\n",
                             qPrintable(m_errorString));
                return;
            }
            m_device->startSession();
        });
    });
}

bool PtyEndpoint::open() {
    m_master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (m_master < 0)
        return fail("posix_openpt");
    // The simulator must not leak its terminal into anything it might spawn.
    if (::fcntl(m_master, F_SETFD, FD_CLOEXEC) != 0)
        return fail("fcntl(FD_CLOEXEC)");
    if (::grantpt(m_master) != 0)
        return fail("grantpt");
    if (::unlockpt(m_master) != 0)
        return fail("unlockpt");
    char name[128] = {};
    if (::ptsname_r(m_master, name, sizeof name) != 0)
        return fail("ptsname_r");

    // Holding the slave open keeps the master from reading EIO/HUP whenever the harness closes it, and
    // setting it raw here means bytes we send before the harness opens it are not echoed back to us.
    m_slave = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (m_slave < 0)
        return fail("open slave");
    termios settings{};
    if (::tcgetattr(m_slave, &settings) != 0)
        return fail("tcgetattr");
    ::cfmakeraw(&settings);
    if (::tcsetattr(m_slave, TCSANOW, &settings) != 0)
        return fail("tcsetattr");

    const int flags = ::fcntl(m_master, F_GETFL);
    if (flags < 0 || ::fcntl(m_master, F_SETFL, flags | O_NONBLOCK) != 0)
        return fail("fcntl(O_NONBLOCK)");

    if (!makeLink(name))
        return false;

    m_readNotifier = new QSocketNotifier(m_master, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &PtyEndpoint::onReadable);
    m_writeNotifier = new QSocketNotifier(m_master, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &PtyEndpoint::onWritable);

    m_slavePath = QString::fromLocal8Bit(name);
    return true;
}

bool PtyEndpoint::fail(const char *what) {
    const int error = errno;
    m_errorString =
        QString::fromLatin1(what) + QStringLiteral(": ") + QString::fromLocal8Bit(std::strerror(error));
    closeAll();
    return false;
}

void PtyEndpoint::onReadable() {
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(m_master, buffer, sizeof buffer);
        if (n > 0) {
            m_counters.bytesReceived += static_cast<quint64>(n);
            m_device->receive(QByteArrayView(buffer, n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        // End of file or EIO should be impossible while we hold the slave; stop rather than spin.
        std::fprintf(stderr, "hil-sim: reading the pty master failed: %s\n",
                     n < 0 ? std::strerror(errno) : "end of file");
        m_readNotifier->setEnabled(false);
        return;
    }
}

void PtyEndpoint::onWritable() {
    flush();
}

void PtyEndpoint::write(const QByteArray &bytes) {
    if (m_master < 0 || m_unplugged) {
        m_counters.bytesDropped += static_cast<quint64>(bytes.size());
        m_device->outputDrained();
        return;
    }
    // Whole chunks are dropped, never parts of one, so whatever arrives is still made of complete lines.
    if (m_pending.size() + bytes.size() > kMaxPendingBytes) {
        m_counters.bytesDropped += static_cast<quint64>(bytes.size());
        return;
    }
    m_pending += bytes;
    flush();
}

void PtyEndpoint::flush() {
    while (!m_pending.isEmpty()) {
        const ssize_t n = ::write(m_master, m_pending.constData(), static_cast<size_t>(m_pending.size()));
        if (n > 0) {
            m_counters.bytesSent += static_cast<quint64>(n);
            m_pending.remove(0, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            std::fprintf(stderr, "hil-sim: writing the pty master failed: %s\n", std::strerror(errno));
            m_counters.bytesDropped += static_cast<quint64>(m_pending.size());
            m_pending.clear();
        }
        break;
    }
    m_writeNotifier->setEnabled(!m_pending.isEmpty());
    if (m_pending.isEmpty())
        m_device->outputDrained();
}

void PtyEndpoint::closeAll() {
    // Notifiers must stop watching before their descriptor goes away.
    // Deleted later: this may run inside one of their activated() signals.
    for (QSocketNotifier **notifier : {&m_readNotifier, &m_writeNotifier}) {
        if (*notifier) {
            (*notifier)->setEnabled(false);
            (*notifier)->deleteLater();
            *notifier = nullptr;
        }
    }
    if (m_slave >= 0)
        ::close(m_slave);
    if (m_master >= 0)
        ::close(m_master);
    m_slave = -1;
    m_master = -1;
}

} // namespace hilsim
