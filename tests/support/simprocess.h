#pragma once

// The simulator tests' side of real links: a hil-sim child process and its READY line, and blocking reads
// and writes on TCP sockets and PTYs, each bounded by a timeout.

#include "support/eventloop.h"
#include "support/simhelpers.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QTcpSocket>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <functional>
#include <optional>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace simtest {

inline bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout = 5s) {
    return hiltest::waitUntil(done, static_cast<int>(timeout.count()));
}

inline QString simulatorPath() {
    return QStringLiteral(HIL_BIN_DIR "/hil-sim");
}

// What a READY line says.
struct Ready {
    QString link;     // "tcp" or "pty"
    quint16 port = 0; // tcp
    QString ptyPath;  // pty
    quint16 control = 0;
};

// One hil-sim child, killed at the end of the test whatever happened.
class SimProcess {
public:
    explicit SimProcess(const QStringList &arguments, const QString &program = simulatorPath()) {
        // Diagnostics belong in the test log; stdout is what the harness parses.
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(program, arguments);
    }
    ~SimProcess() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    std::optional<QString> readStdoutLine(std::chrono::milliseconds timeout = 10s) {
        const QDeadlineTimer deadline(timeout);
        while (!m_process.canReadLine()) {
            if (deadline.hasExpired()
                || !m_process.waitForReadyRead(static_cast<int>(deadline.remainingTime())))
                return std::nullopt;
        }
        return QString::fromLocal8Bit(m_process.readLine()).trimmed();
    }

    // Parses "READY tcp 127.0.0.1:P control 127.0.0.1:C" or "READY pty /dev/pts/N control 127.0.0.1:C";
    // fails the test if the line is missing or malformed.
    Ready ready() {
        const auto line = readStdoutLine();
        BOOST_REQUIRE_MESSAGE(line, "hil-sim printed no READY line");
        static const QRegularExpression format(QStringLiteral(
            "^READY (?:tcp 127\\.0\\.0\\.1:(\\d+)|pty (/dev/pts/\\d+)) control 127\\.0\\.0\\.1:(\\d+)$"));
        const auto match = format.match(*line);
        BOOST_REQUIRE_MESSAGE(match.hasMatch(), "unexpected READY line: " << str(*line));
        Ready ready;
        ready.link = match.captured(1).isEmpty() ? QStringLiteral("pty") : QStringLiteral("tcp");
        ready.port = match.captured(1).toUShort();
        ready.ptyPath = match.captured(2);
        ready.control = match.captured(3).toUShort();
        BOOST_REQUIRE_NE(ready.control, 0);
        BOOST_REQUIRE(ready.link == u"pty" || ready.port != 0);
        return ready;
    }
    quint16 readyTcpPort() {
        const Ready r = ready();
        BOOST_REQUIRE(r.link == u"tcp");
        return r.port;
    }
    QString readyPtyPath() {
        const Ready r = ready();
        BOOST_REQUIRE(r.link == u"pty");
        return r.ptyPath;
    }

    QProcess &process() { return m_process; }

private:
    QProcess m_process;
};

inline std::optional<QByteArray> readLine(QTcpSocket &socket, std::chrono::milliseconds timeout = 5s) {
    const QDeadlineTimer deadline(timeout);
    while (!socket.canReadLine()) {
        if (deadline.hasExpired() || !socket.waitForReadyRead(static_cast<int>(deadline.remainingTime())))
            return std::nullopt;
    }
    return socket.readLine().chopped(1);
}

inline void connectTo(QTcpSocket &socket, quint16 port) {
    socket.connectToHost(QHostAddress::LocalHost, port);
    BOOST_REQUIRE_MESSAGE(socket.waitForConnected(5000), "cannot connect: " << str(socket.errorString()));
}

inline QByteArray ask(QTcpSocket &socket, const char *line) {
    socket.write(QByteArray(line) + '\n');
    const auto reply = readLine(socket);
    BOOST_REQUIRE_MESSAGE(reply, "no answer to " << line);
    return *reply;
}

// One control command: the data lines and the final "OK" / "ERR ..." line, joined with "\n".
inline QByteArray command(QTcpSocket &control, const char *line) {
    control.write(QByteArray(line) + '\n');
    QByteArrayList lines;
    for (;;) {
        const auto reply = readLine(control);
        BOOST_REQUIRE_MESSAGE(reply, "no control answer to " << line);
        lines.append(*reply);
        if (*reply == "OK" || reply->startsWith("ERR"))
            return lines.join('\n');
    }
}

// True if nothing at all arrives for `window`: asserting silence means waiting for it.
inline bool staysSilent(QTcpSocket &socket, std::chrono::milliseconds window) {
    return socket.bytesAvailable() == 0 && !socket.waitForReadyRead(static_cast<int>(window.count()));
}

class FileDescriptor {
public:
    explicit FileDescriptor(int fd)
        : m_fd(fd) {}
    ~FileDescriptor() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;
    int get() const { return m_fd; }

private:
    int m_fd;
};

// Opens the slave the way the harness does: no controlling terminal, raw.
inline int openPty(const QString &path) {
    const int fd = ::open(path.toLocal8Bit().constData(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    BOOST_REQUIRE_MESSAGE(fd >= 0, "cannot open " << str(path));
    termios settings{};
    BOOST_REQUIRE_EQUAL(::tcgetattr(fd, &settings), 0);
    ::cfmakeraw(&settings);
    BOOST_REQUIRE_EQUAL(::tcsetattr(fd, TCSANOW, &settings), 0);
    return fd;
}

inline std::optional<QByteArray> readLine(int fd, QByteArray &buffer,
                                          std::chrono::milliseconds timeout = 5s) {
    const QDeadlineTimer deadline(timeout);
    for (;;) {
        const qsizetype newline = buffer.indexOf('\n');
        if (newline >= 0) {
            const QByteArray line = buffer.left(newline);
            buffer.remove(0, newline + 1);
            return line;
        }
        if (deadline.hasExpired())
            return std::nullopt;
        pollfd waitFor{fd, POLLIN, 0};
        const int ready = ::poll(&waitFor, 1, static_cast<int>(deadline.remainingTime()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return std::nullopt;
        char chunk[512];
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n > 0)
            buffer.append(chunk, n);
        else if (n == 0 || (errno != EINTR && errno != EAGAIN))
            return std::nullopt;
    }
}

inline void writeAll(int fd, const QByteArray &bytes) {
    BOOST_REQUIRE_EQUAL(::write(fd, bytes.constData(), static_cast<size_t>(bytes.size())), bytes.size());
}

} // namespace simtest
