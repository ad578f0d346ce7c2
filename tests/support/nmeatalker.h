#pragma once

// tests/support/nmeatalker.py, the streaming device nobody here wrote: a Python NMEA 0183 talker on a
// pseudo-terminal, and a fixture that names its terminal as a serial port. Test targets that use it
// define HIL_NMEA_TALKER (the script's path).
#include "support/harness.h"

#include <QFile>
#include <QFileInfo>
#include <boost/test/unit_test.hpp>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace hiltest {

// Sentence n is "$GPGGA,<123519 + n as HHMMS.S>,...*HH\r\n", all of one length.
constexpr qint64 kNmeaSentenceBytes =
    sizeof("$GPGGA,012351.9,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n") - 1;

// The talker as a child process, its terminal at ws/ttyGPS (`link`); `args` are the script's options
// (--rate, --corrupt-every, --wait-start, --stop-after ...).
struct NmeaTalker {
    Child process;
    QString link;

    NmeaTalker(const Workspace &ws, const QStringList &args)
        : process(QStringLiteral("/usr/bin/python3"),
                  QStringList{QStringLiteral(HIL_NMEA_TALKER), ws.path("ttyGPS")} + args) {
        const QString ready = process.firstLine();
        BOOST_REQUIRE_MESSAGE(ready.startsWith(u"READY "), "the talker said '" << str(ready) << "'; stderr: "
                                                                               << str(process.stderrText()));
        link = ready.mid(6);
    }

    // Bytes the terminal holds unread (the talker keeps its end open, so looking does not disturb them).
    qint64 unread() const {
        const int fd =
            ::open(QFile::encodeName(link).constData(), O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            return -1;
        int n = -1;
        const int rc = ::ioctl(fd, FIONREAD, &n);
        ::close(fd);
        return rc == 0 ? n : -1;
    }

    // Waits until at least `lines` sentences wait unread on the terminal; returns how many do.
    qint64 waitBuffered(qint64 lines) const {
        qint64 bytes = 0;
        waitUntil(
            [&] {
                bytes = unread();
                return bytes >= lines * kNmeaSentenceBytes;
            },
            20000, 50);
        return bytes / kNmeaSentenceBytes;
    }
};

// False, with a message, where python3 is missing: the caller skips its test.
inline bool haveNmeaTalker() {
    if (QFileInfo(QStringLiteral("/usr/bin/python3")).isExecutable())
        return true;
    BOOST_TEST_MESSAGE("SKIPPED: /usr/bin/python3 is not installed");
    return false;
}

// ws/talker.yaml: the device `gps` on the talker's terminal as a serial port, lines ending in CR LF, plus
// `extra` lines of the device's entry (indented by four spaces).
inline void writeTalkerBench(const Workspace &ws, const NmeaTalker &talker,
                             const QString &extra = QString()) {
    ws.write("talker.yaml", QStringLiteral("name: talker-bench\n"
                                           "devices:\n"
                                           "  gps:\n"
                                           "    serial: {port: %1}\n"
                                           "    terminator: \"\\r\\n\"\n"
                                           "    timeout: 1s\n"
                                           "%2")
                                .arg(talker.link, extra));
}

} // namespace hiltest
