// Serial transports against a real PTY pair whose master side the test plays as the device: the PTY
// path (PtyTransport) and the libserialport path (SerialTransport). libserialport cannot open a PTY on
// its own, so ctest preloads tests/support/ptyshim.c (hil_ptyshim) into this executable; the PTY tests
// check that they never need it, the libserialport tests that it is there and was used.

#define BOOST_TEST_MODULE serial
#include "core/transport/ptytransport.h"
#include "core/transport/serialportinfo.h"
#include "core/transport/serialtransport.h"
#include "core/transport/serialtransportfactory.h"
#include "support/eventloop.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTemporaryDir>
#include <QTimer>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <dlfcn.h>
#include <fcntl.h>
#include <functional>
#include <libserialport.h>
#include <memory>
#include <ostream>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

std::ostream &operator<<(std::ostream &out, const QString &text) {
    return out << text.toStdString();
}

// Large buffers are compared whole; on failure print their size and start, not a megabyte.
std::ostream &operator<<(std::ostream &out, const QByteArray &bytes) {
    return out << bytes.size() << " bytes [" << bytes.left(32).toHex(' ').toStdString()
               << (bytes.size() > 32 ? " ...]" : "]");
}

namespace {

using hiltest::waitUntil;

// The hooks hil_ptyshim exports, or nulls when it is not preloaded.
struct PtyShim {
    long (*emulatedCalls)() = nullptr;
    void (*setEnabled)(int) = nullptr;

    PtyShim() {
        // dlsym hands back object pointers; POSIX guarantees they convert to function pointers.
        emulatedCalls = reinterpret_cast<long (*)()>(dlsym(RTLD_DEFAULT, "hil_ptyshim_emulated_calls"));
        setEnabled = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "hil_ptyshim_set_enabled"));
    }
    bool loaded() const { return emulatedCalls && setEnabled; }
    long calls() const { return emulatedCalls ? emulatedCalls() : 0; }
};

void requireShim(const PtyShim &shim) {
    BOOST_REQUIRE_MESSAGE(shim.loaded(),
                          "hil_ptyshim is not preloaded, so libserialport cannot open a PTY and its path "
                          "cannot be tested. Run through ctest, or with LD_PRELOAD=" HIL_PTYSHIM_PATH);
}

// Disables the shim for one scope, to show what libserialport does on its own.
struct ShimDisabled {
    const PtyShim &shim;
    explicit ShimDisabled(const PtyShim &s)
        : shim(s) {
        shim.setEnabled(0);
    }
    ~ShimDisabled() { shim.setEnabled(1); }
    ShimDisabled(const ShimDisabled &) = delete;
    ShimDisabled &operator=(const ShimDisabled &) = delete;
};

// The device end of a real PTY pair: the transport under test opens the slave path, the test reads and
// writes the master side here, with its own non-blocking write queue (not FdTransport's, so that a bug
// there cannot cancel itself out).
class PtyDevice {
public:
    PtyDevice() {
        char name[256] = {};
        BOOST_REQUIRE_MESSAGE(::openpty(&m_master, &m_slave, name, nullptr, nullptr) == 0,
                              "openpty: " << qt_error_string(errno));
        m_path = QString::fromLocal8Bit(name);
        // Raw at once, so nothing the test writes before the transport opens is echoed back.
        termios tio{};
        ::tcgetattr(m_slave, &tio);
        ::cfmakeraw(&tio);
        ::tcsetattr(m_slave, TCSANOW, &tio);
        ::fcntl(m_master, F_SETFL, ::fcntl(m_master, F_GETFL) | O_NONBLOCK);
        // The test keeps its slave descriptor open, so the master never sees "no slave" (EIO) while
        // a transport closes and reopens the path.
        m_readNotifier = std::make_unique<QSocketNotifier>(m_master, QSocketNotifier::Read);
        QObject::connect(m_readNotifier.get(), &QSocketNotifier::activated, [this] { readMaster(); });
        m_writeNotifier = std::make_unique<QSocketNotifier>(m_master, QSocketNotifier::Write);
        m_writeNotifier->setEnabled(false);
        QObject::connect(m_writeNotifier.get(), &QSocketNotifier::activated, [this] { flushMaster(); });
    }
    ~PtyDevice() {
        closeMaster();
        ::close(m_slave);
    }
    PtyDevice(const PtyDevice &) = delete;
    PtyDevice &operator=(const PtyDevice &) = delete;

    const QString &path() const { return m_path; }
    // Everything the transport sent to the device so far.
    QByteArray received;

    void write(const QByteArray &bytes) {
        m_out.append(bytes);
        flushMaster();
    }
    bool allWritten() const { return m_outPos == m_out.size(); }

    // The device goes away: the transport's side of the PTY hangs up.
    void closeMaster() {
        if (m_master < 0)
            return;
        m_readNotifier.reset();
        m_writeNotifier.reset();
        ::close(m_master);
        m_master = -1;
    }

private:
    void readMaster() {
        char buffer[16384];
        for (;;) {
            const ssize_t count = ::read(m_master, buffer, sizeof buffer);
            if (count > 0)
                received.append(buffer, count);
            else if (count < 0 && errno == EINTR)
                continue;
            else
                return;
        }
    }
    void flushMaster() {
        while (m_outPos < m_out.size()) {
            const ssize_t count =
                ::write(m_master, m_out.constData() + m_outPos, static_cast<size_t>(m_out.size() - m_outPos));
            if (count > 0)
                m_outPos += count;
            else if (count < 0 && errno == EINTR)
                continue;
            else
                break;
        }
        m_writeNotifier->setEnabled(!allWritten());
    }

    int m_master = -1;
    int m_slave = -1;
    QString m_path;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier;
    QByteArray m_out;
    qsizetype m_outPos = 0;
};

// Records what a transport emits. The connections die with the recorder.
struct Recorder {
    QObject context;
    int opened = 0;
    int failed = 0;
    int closed = 0;
    int chunks = 0;
    QString failedReason;
    QString closedReason;
    QByteArray received;

    explicit Recorder(hil::Transport &transport) {
        QObject::connect(&transport, &hil::Transport::opened, &context, [this] { ++opened; });
        QObject::connect(&transport, &hil::Transport::failed, &context, [this](const QString &reason) {
            ++failed;
            failedReason = reason;
        });
        QObject::connect(&transport, &hil::Transport::closed, &context, [this](const QString &reason) {
            ++closed;
            closedReason = reason;
        });
        QObject::connect(&transport, &hil::Transport::bytesReceived, &context,
                         [this](const QByteArray &bytes) {
                             ++chunks;
                             received += bytes;
                         });
    }
};

hil::SerialSettings settingsFor(const QString &port, hil::SerialSettings::Backend backend) {
    hil::SerialSettings settings;
    settings.port = port;
    settings.backend = backend;
    return settings;
}

// open() returns before anything is emitted; then opened() or failed() follows.
void openAndWait(hil::Transport &transport, Recorder &recorder) {
    transport.open();
    BOOST_TEST(recorder.opened == 0);
    BOOST_TEST(recorder.failed == 0);
    BOOST_REQUIRE(waitUntil([&] { return recorder.opened + recorder.failed > 0; }));
    BOOST_REQUIRE_MESSAGE(recorder.opened == 1, "open failed: " << recorder.failedReason);
    BOOST_TEST(transport.isOpen());
}

void pingBothWays(hil::Transport &transport, Recorder &recorder, PtyDevice &device) {
    device.write("PING\n");
    BOOST_TEST(waitUntil([&] { return recorder.received.size() >= 5; }));
    BOOST_TEST(recorder.received == QByteArray("PING\n"));

    transport.write("PING\n");
    BOOST_TEST(waitUntil([&] { return device.received.size() >= 5; }));
    BOOST_TEST(device.received == QByteArray("PING\n"));
    BOOST_TEST(transport.isOpen());
    BOOST_TEST(recorder.closed == 0, "closed: " << recorder.closedReason);
    recorder.received.clear();
    device.received.clear();
}

// Every byte value, in a sequence whose period (251) fits no power-of-two chunk size, so a lost,
// repeated or reordered chunk shows.
QByteArray pattern(qsizetype size, int seed) {
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = static_cast<char>((i + seed) % 251);
    return bytes;
}

// 1 MiB each way at the same time, written in odd-sized pieces; both directions arrive whole, in order.
void bulkBothWays(hil::Transport &transport, Recorder &recorder, PtyDevice &device) {
    constexpr qsizetype kSize = 1024 * 1024;
    constexpr qsizetype kPiece = 4093;
    const QByteArray toDevice = pattern(kSize, 0);
    const QByteArray toHost = pattern(kSize, 100);
    const int chunksBefore = recorder.chunks;
    for (qsizetype at = 0; at < kSize; at += kPiece) {
        transport.write(toDevice.mid(at, kPiece));
        device.write(toHost.mid(at, kPiece));
    }
    BOOST_TEST(waitUntil([&] { return device.received.size() >= kSize && recorder.received.size() >= kSize; },
                         60000));
    BOOST_TEST(device.received == toDevice);
    BOOST_TEST(recorder.received == toHost);
    BOOST_TEST_MESSAGE("1 MiB to the host arrived in " << recorder.chunks - chunksBefore << " chunks");
    BOOST_TEST(recorder.chunks - chunksBefore > 1);
    BOOST_TEST(transport.isOpen());
    recorder.received.clear();
    device.received.clear();
}

void masterCloseGivesClosed(hil::Transport &transport, Recorder &recorder, PtyDevice &device) {
    BOOST_REQUIRE(transport.isOpen());
    device.closeMaster();
    BOOST_REQUIRE(waitUntil([&] { return recorder.closed > 0; }));
    BOOST_TEST_MESSAGE("closed: " << recorder.closedReason);
    BOOST_TEST(!recorder.closedReason.isEmpty());
    BOOST_TEST(recorder.closedReason.contains(transport.describe()));
    BOOST_TEST(!transport.isOpen());
    // Writing to a lost transport is harmless, and closed() stays a single event.
    transport.write("late\n");
    QCoreApplication::processEvents();
    BOOST_TEST(recorder.closed == 1);
    BOOST_TEST(recorder.failed == 0);
}

} // namespace

using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

BOOST_AUTO_TEST_SUITE(pty)

BOOST_AUTO_TEST_CASE(exchange_bulk_and_hangup) {
    const PtyShim shim;
    const long shimCallsBefore = shim.calls();
    PtyDevice device;
    hil::PtyTransport transport(settingsFor(device.path(), hil::SerialSettings::Backend::Pty));
    Recorder recorder(transport);
    BOOST_TEST(transport.describe() == QStringLiteral("pty ") + device.path());

    openAndWait(transport, recorder);
    pingBothWays(transport, recorder, device);
    bulkBothWays(transport, recorder, device);
    masterCloseGivesClosed(transport, recorder, device);
    // The PTY path stands on its own: it never needed the libserialport shim.
    BOOST_TEST(shim.calls() == shimCallsBefore);
}

BOOST_AUTO_TEST_CASE(close_is_silent_and_reopen_works) {
    PtyDevice device;
    hil::PtyTransport transport(settingsFor(device.path(), hil::SerialSettings::Backend::Pty));
    Recorder recorder(transport);
    openAndWait(transport, recorder);

    // Written and closed in the same breath: the bytes are dropped, nothing is emitted.
    transport.write("dropped\n");
    transport.close();
    BOOST_TEST(!transport.isOpen());
    transport.open();
    BOOST_REQUIRE(waitUntil([&] { return recorder.opened + recorder.failed > 1; }));
    BOOST_TEST(recorder.opened == 2);
    BOOST_TEST(recorder.closed == 0);
    BOOST_TEST(transport.isOpen());
    device.received.clear();
    pingBothWays(transport, recorder, device);
}

BOOST_AUTO_TEST_CASE(open_then_close_before_the_event_loop_emits_nothing) {
    PtyDevice device;
    hil::PtyTransport transport(settingsFor(device.path(), hil::SerialSettings::Backend::Pty));
    Recorder recorder(transport);
    transport.open();
    transport.close();
    // Open a second transport and wait for it: by then the first one's queued open has run (or not).
    hil::PtyTransport other(settingsFor(device.path(), hil::SerialSettings::Backend::Pty));
    Recorder otherRecorder(other);
    openAndWait(other, otherRecorder);
    BOOST_TEST(recorder.opened == 0);
    BOOST_TEST(recorder.failed == 0);
    BOOST_TEST(!transport.isOpen());
}

BOOST_AUTO_TEST_CASE(open_failures_say_why) {
    hil::PtyTransport missing(
        settingsFor(QStringLiteral("/nonexistent/pts/7"), hil::SerialSettings::Backend::Pty));
    Recorder missingRecorder(missing);
    missing.open();
    BOOST_TEST(missingRecorder.failed == 0);
    BOOST_REQUIRE(waitUntil([&] { return missingRecorder.failed > 0; }));
    BOOST_TEST_MESSAGE("failed: " << missingRecorder.failedReason);
    BOOST_TEST(missingRecorder.failedReason.contains(qt_error_string(ENOENT)));
    BOOST_TEST(missingRecorder.opened == 0);
    BOOST_TEST(!missing.isOpen());

    hil::PtyTransport notATerminal(
        settingsFor(QStringLiteral("/dev/null"), hil::SerialSettings::Backend::Pty));
    Recorder notATerminalRecorder(notATerminal);
    notATerminal.open();
    BOOST_REQUIRE(waitUntil([&] { return notATerminalRecorder.failed > 0; }));
    BOOST_TEST_MESSAGE("failed: " << notATerminalRecorder.failedReason);
    BOOST_TEST(notATerminalRecorder.failedReason.contains(QStringLiteral("not a terminal")));
}

BOOST_AUTO_TEST_CASE(is_pseudo_terminal) {
    PtyDevice device;
    QTemporaryDir dir;
    BOOST_REQUIRE(dir.isValid());
    // What socat's link=/tmp/ttyV0 makes.
    const QString link = dir.filePath(QStringLiteral("ttyV0"));
    BOOST_REQUIRE(QFile::link(device.path(), link));
    const QString regular = dir.filePath(QStringLiteral("regular"));
    QFile file(regular);
    BOOST_REQUIRE(file.open(QIODevice::WriteOnly));
    file.close();

    BOOST_TEST(hil::PtyTransport::isPseudoTerminal(device.path()));
    BOOST_TEST(hil::PtyTransport::isPseudoTerminal(link));
    BOOST_TEST(!hil::PtyTransport::isPseudoTerminal(QStringLiteral("/dev/null")));
    BOOST_TEST(!hil::PtyTransport::isPseudoTerminal(QStringLiteral("/dev/ptmx")));
    BOOST_TEST(!hil::PtyTransport::isPseudoTerminal(regular));
    BOOST_TEST(!hil::PtyTransport::isPseudoTerminal(dir.filePath(QStringLiteral("missing"))));
}

BOOST_AUTO_TEST_CASE(factory_chooses_the_backend) {
    PtyDevice device;
    QTemporaryDir dir;
    BOOST_REQUIRE(dir.isValid());
    const QString link = dir.filePath(QStringLiteral("ttyV0"));
    BOOST_REQUIRE(QFile::link(device.path(), link));
    using Backend = hil::SerialSettings::Backend;
    const auto isPty = [](const QString &port, Backend backend) {
        const std::unique_ptr<hil::Transport> transport =
            hil::makeSerialTransport(settingsFor(port, backend));
        BOOST_REQUIRE(transport);
        return dynamic_cast<hil::PtyTransport *>(transport.get()) != nullptr;
    };
    const auto isLibSerialPort = [](const QString &port, Backend backend) {
        const std::unique_ptr<hil::Transport> transport =
            hil::makeSerialTransport(settingsFor(port, backend));
        BOOST_REQUIRE(transport);
        return dynamic_cast<hil::SerialTransport *>(transport.get()) != nullptr;
    };

    BOOST_TEST(isPty(device.path(), Backend::Auto));
    BOOST_TEST(isPty(link, Backend::Auto));
    BOOST_TEST(isLibSerialPort(QStringLiteral("/dev/ttyS0"), Backend::Auto));
    BOOST_TEST(isLibSerialPort(QStringLiteral("/dev/ttyUSB9"), Backend::Auto));
    BOOST_TEST(isLibSerialPort(device.path(), Backend::LibSerialPort));
    BOOST_TEST(isPty(QStringLiteral("/dev/ttyUSB9"), Backend::Pty));

    QObject parent;
    const std::unique_ptr<hil::Transport> child =
        hil::makeSerialTransport(settingsFor(link, Backend::Auto), &parent);
    BOOST_TEST(child->parent() == &parent);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(libserialport)

BOOST_AUTO_TEST_CASE(shim_is_preloaded) {
    requireShim(PtyShim());
}

BOOST_AUTO_TEST_CASE(cannot_open_a_pty_without_the_shim) {
    // The premise of the shim (DESIGN.md): if libserialport ever learns to open PTYs, this fails and
    // the shim can go.
    const PtyShim shim;
    requireShim(shim);
    PtyDevice device;
    hil::SerialTransport transport(settingsFor(device.path(), hil::SerialSettings::Backend::LibSerialPort));
    Recorder recorder(transport);
    {
        const ShimDisabled disabled(shim);
        transport.open();
        BOOST_REQUIRE(waitUntil([&] { return recorder.opened + recorder.failed > 0; }));
    }
    BOOST_TEST_MESSAGE("without the shim: " << recorder.failedReason);
    BOOST_TEST(recorder.failed == 1);
    BOOST_TEST(recorder.failedReason.contains(QStringLiteral("sp_get_port_by_name failed")));
}

BOOST_AUTO_TEST_CASE(exchange_bulk_and_hangup) {
    const PtyShim shim;
    requireShim(shim);
    const long shimCallsBefore = shim.calls();
    PtyDevice device;
    hil::SerialSettings settings = settingsFor(device.path(), hil::SerialSettings::Backend::LibSerialPort);
    settings.baud = 9600; // a PTY ignores it; libserialport still sets it through termios
    hil::SerialTransport transport(settings);
    Recorder recorder(transport);
    BOOST_TEST(transport.describe()
               == QStringLiteral("serial ") + device.path() + QStringLiteral(" 9600 8N1"));

    openAndWait(transport, recorder);
    // The shim answered libserialport's sysfs lookup and modem-line ioctls: this went through
    // sp_get_port_by_name/sp_open/sp_set_config for real.
    BOOST_TEST(shim.calls() > shimCallsBefore);
    pingBothWays(transport, recorder, device);
    bulkBothWays(transport, recorder, device);
    masterCloseGivesClosed(transport, recorder, device);
}

BOOST_AUTO_TEST_CASE(symlinked_name_is_resolved) {
    // libserialport looks ports up by their /dev/ name; /dev/serial/by-id/... and socat links are
    // resolved first.
    requireShim(PtyShim());
    PtyDevice device;
    QTemporaryDir dir;
    BOOST_REQUIRE(dir.isValid());
    const QString link = dir.filePath(QStringLiteral("ttyV0"));
    BOOST_REQUIRE(QFile::link(device.path(), link));
    hil::SerialTransport transport(settingsFor(link, hil::SerialSettings::Backend::LibSerialPort));
    Recorder recorder(transport);
    openAndWait(transport, recorder);
    pingBothWays(transport, recorder, device);
}

BOOST_AUTO_TEST_CASE(nonexistent_port_fails_with_libserialports_message) {
    const QByteArray name = "/dev/ttyHILNONEXISTENT0";
    // What libserialport itself says about that port.
    QString expected;
    {
        sp_port *port = nullptr;
        BOOST_REQUIRE(sp_get_port_by_name(name.constData(), &port) != SP_OK);
        char *message = sp_last_error_message();
        expected = QString::fromLocal8Bit(message);
        sp_free_error_message(message);
    }
    BOOST_TEST_MESSAGE("libserialport says: " << expected);

    hil::SerialTransport transport(
        settingsFor(QString::fromLatin1(name), hil::SerialSettings::Backend::LibSerialPort));
    Recorder recorder(transport);
    transport.open();
    BOOST_TEST(recorder.failed == 0);
    BOOST_REQUIRE(waitUntil([&] { return recorder.opened + recorder.failed > 0; }));
    BOOST_TEST_MESSAGE("failed: " << recorder.failedReason);
    BOOST_TEST(recorder.failed == 1);
    BOOST_TEST(recorder.opened == 0);
    BOOST_TEST(recorder.failedReason.contains(QString::fromLatin1(name)));
    BOOST_TEST(recorder.failedReason.contains(QStringLiteral("sp_get_port_by_name failed: ") + expected));
    BOOST_TEST(!transport.isOpen());
}

BOOST_AUTO_TEST_CASE(unsupported_setting_fails_without_a_stale_errno_text) {
    // libserialport returns SP_ERR_SUPP for DTR/DSR flow control on Linux without setting errno;
    // its sp_last_error_message() would then describe whatever failed before.
    requireShim(PtyShim());
    PtyDevice device;
    hil::SerialSettings settings = settingsFor(device.path(), hil::SerialSettings::Backend::LibSerialPort);
    settings.flow = hil::SerialSettings::Flow::DtrDsr;
    hil::SerialTransport transport(settings);
    Recorder recorder(transport);
    transport.open();
    BOOST_REQUIRE(waitUntil([&] { return recorder.opened + recorder.failed > 0; }));
    BOOST_TEST_MESSAGE("failed: " << recorder.failedReason);
    BOOST_TEST(recorder.failed == 1);
    BOOST_TEST(recorder.failedReason.contains(QStringLiteral("sp_set_config failed: not supported")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(enumeration)

BOOST_AUTO_TEST_CASE(list_serial_ports) {
    QString error = QStringLiteral("not cleared");
    const QList<hil::SerialPortInfo> ports = hil::listSerialPorts(&error);
    BOOST_TEST(error.isEmpty(), "listSerialPorts: " << error);
    BOOST_TEST_MESSAGE(ports.size() << " serial port(s)");
    const QRegularExpression vidPid(QStringLiteral("^[0-9a-f]{4}:[0-9a-f]{4}$"));
    for (const hil::SerialPortInfo &port : ports) {
        BOOST_TEST_MESSAGE(port.name << " " << port.transport << " " << port.usbVidPid << " "
                                     << port.description);
        BOOST_TEST(port.name.startsWith(QStringLiteral("/dev/")));
        BOOST_TEST((port.transport == QStringLiteral("native") || port.transport == QStringLiteral("usb")
                    || port.transport == QStringLiteral("bluetooth")));
        BOOST_TEST((port.usbVidPid.isEmpty() || vidPid.match(port.usbVidPid).hasMatch()));
        BOOST_TEST(!port.name.startsWith(QStringLiteral("/dev/pts/")));
    }
    BOOST_TEST(hil::listSerialPorts().size() == ports.size());
}

BOOST_AUTO_TEST_SUITE_END()
