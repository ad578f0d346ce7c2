#include "core/transport/ptytransport.h"

#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

namespace hil {

namespace {

// Linux: UNIX98_PTY_SLAVE_MAJOR and the majors reserved after it (UNIX98_PTY_MAJOR_COUNT = 8).
constexpr unsigned kFirstPtySlaveMajor = 136;
constexpr unsigned kLastPtySlaveMajor = 143;

speed_t termiosSpeed(int baud) {
    switch (baud) {
    case 1200:
        return B1200;
    case 2400:
        return B2400;
    case 4800:
        return B4800;
    case 9600:
        return B9600;
    case 19200:
        return B19200;
    case 38400:
        return B38400;
    case 57600:
        return B57600;
    case 115200:
        return B115200;
    case 230400:
        return B230400;
    case 460800:
        return B460800;
    case 500000:
        return B500000;
    case 576000:
        return B576000;
    case 921600:
        return B921600;
    case 1000000:
        return B1000000;
    case 1152000:
        return B1152000;
    case 1500000:
        return B1500000;
    case 2000000:
        return B2000000;
    case 2500000:
        return B2500000;
    case 3000000:
        return B3000000;
    case 3500000:
        return B3500000;
    case 4000000:
        return B4000000;
    default:
        return B0;
    }
}

tcflag_t characterSize(int dataBits) {
    switch (dataBits) {
    case 5:
        return CS5;
    case 6:
        return CS6;
    case 7:
        return CS7;
    default:
        return CS8;
    }
}

void applyLineSettings(termios &tio, const SerialSettings &settings) {
    cfmakeraw(&tio);
    tio.c_cflag |= CREAD | CLOCAL;
    if (const speed_t speed = termiosSpeed(settings.baud); speed != B0)
        cfsetspeed(&tio, speed);

    tio.c_cflag = (tio.c_cflag & ~CSIZE) | characterSize(settings.dataBits);

    tio.c_cflag &= ~(PARENB | PARODD | CMSPAR);
    switch (settings.parity) {
    case SerialSettings::Parity::None:
        break;
    case SerialSettings::Parity::Odd:
        tio.c_cflag |= PARENB | PARODD;
        break;
    case SerialSettings::Parity::Even:
        tio.c_cflag |= PARENB;
        break;
    case SerialSettings::Parity::Mark:
        tio.c_cflag |= PARENB | CMSPAR | PARODD;
        break;
    case SerialSettings::Parity::Space:
        tio.c_cflag |= PARENB | CMSPAR;
        break;
    }

    if (settings.stopBits == 2)
        tio.c_cflag |= CSTOPB;
    else
        tio.c_cflag &= ~CSTOPB;

    tio.c_cflag &= ~CRTSCTS;
    tio.c_iflag &= ~(IXON | IXOFF | IXANY);
    if (settings.flow == SerialSettings::Flow::RtsCts)
        tio.c_cflag |= CRTSCTS;
    else if (settings.flow == SerialSettings::Flow::XonXoff)
        tio.c_iflag |= IXON | IXOFF;
    // DTR/DSR flow control has no termios flag on Linux; a PTY has no such lines either.
}

} // namespace

PtyTransport::PtyTransport(const SerialSettings &settings, QObject *parent)
    : FdTransport(parent)
    , m_settings(settings) {}

PtyTransport::~PtyTransport() {
    close();
}

QString PtyTransport::describe() const {
    return QStringLiteral("pty ") + m_settings.port;
}

bool PtyTransport::isPseudoTerminal(const QString &path) {
    // canonicalFilePath() follows every symlink (socat's link=/tmp/ttyV0 -> /dev/pts/N) and is empty
    // when the path does not exist.
    const QString target = QFileInfo(path).canonicalFilePath();
    if (target.isEmpty())
        return false;
    struct stat status {};
    if (::stat(QFile::encodeName(target).constData(), &status) == 0) {
        return S_ISCHR(status.st_mode) && major(status.st_rdev) >= kFirstPtySlaveMajor
               && major(status.st_rdev) <= kLastPtySlaveMajor;
    }
    static const QString ptsPrefix = QStringLiteral("/dev/pts/");
    if (!target.startsWith(ptsPrefix))
        return false;
    bool isNumber = false;
    target.mid(ptsPrefix.size()).toUInt(&isNumber);
    return isNumber;
}

int PtyTransport::openDescriptor(QString *error) {
    const QByteArray path = QFile::encodeName(m_settings.port);
    // O_NOCTTY: the harness must never acquire the device as its controlling terminal.
    const int fd = ::open(path.constData(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *error = describe() + QStringLiteral(": cannot open: ") + qt_error_string(errno);
        return -1;
    }
    termios tio{};
    if (::tcgetattr(fd, &tio) != 0) {
        *error = describe() + QStringLiteral(": not a terminal: ") + qt_error_string(errno);
        ::close(fd);
        return -1;
    }
    applyLineSettings(tio, m_settings);
    if (::tcsetattr(fd, TCSANOW, &tio) != 0) {
        *error = describe() + QStringLiteral(": cannot set line settings: ") + qt_error_string(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

void PtyTransport::releaseDescriptor(int fd) {
    ::close(fd);
}

} // namespace hil
