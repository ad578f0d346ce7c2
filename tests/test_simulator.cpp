// The ENV-1 simulator: the model and protocol in-process (deterministic, fake time), the device and
// endpoints in-process on a real event loop, then the built hil-sim executable over TCP and a PTY.

#define BOOST_TEST_MODULE simulator
#include "envsensordevice.h"
#include "envsensormodel.h"
#include "envsensorprotocol.h"
#include "ptyendpoint.h"
#include "tcpendpoint.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTimer>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <functional>
#include <optional>
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

using namespace hilsim;
using namespace std::chrono_literals;

namespace {

// The in-process device and endpoint tests run a real event loop, which needs an application object.
struct QtApplicationFixture {
    int argc = 1;
    char arg0[16] = "test_simulator";
    char *argv[2] = {arg0, nullptr};
    QCoreApplication app{argc, argv};
};

// Runs the event loop until `done` holds or `timeout` passes; the single-shot timer wakes the loop
// at the deadline, so this neither sleeps nor polls.
bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout = 5s) {
    QTimer deadline;
    deadline.setSingleShot(true);
    deadline.start(timeout);
    while (!done() && deadline.isActive())
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    return done();
}

std::string str(const QByteArray &bytes) {
    return bytes.toStdString();
}
std::string str(const QString &text) {
    return text.toStdString();
}

QByteArrayList answer(EnvSensorProtocol &protocol, const char *line, std::chrono::nanoseconds now = 0ns) {
    return protocol.handleLine(QByteArrayView(line), now);
}

QByteArray single(EnvSensorProtocol &protocol, const char *line, std::chrono::nanoseconds now = 0ns) {
    const QByteArrayList lines = answer(protocol, line, now);
    BOOST_REQUIRE_EQUAL(lines.size(), 1);
    return lines.first();
}

bool matches(const QByteArray &text, const char *pattern) {
    return QRegularExpression(QString::fromLatin1(pattern)).match(QString::fromLatin1(text)).hasMatch();
}

std::vector<EnvSample> firstSamples(quint64 seed, quint64 count) {
    EnvSensorModel model(seed);
    std::vector<EnvSample> samples;
    for (quint64 k = 0; k < count; ++k)
        samples.push_back(model.advanceToIndex(k));
    return samples;
}

QByteArray dataLine(quint64 seq, const EnvSample &sample) {
    return "DATA " + QByteArray::number(seq) + ' ' + QByteArray::number(sample.temperature, 'f', 3) + ' '
           + QByteArray::number(sample.humidity, 'f', 2);
}

// ---- real processes ----

QString simulatorPath() {
    return QStringLiteral(HIL_BIN_DIR "/hil-sim");
}

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

    // Port from "READY tcp 127.0.0.1:PORT"; fails the test if the line is missing or malformed.
    quint16 readyTcpPort() {
        const auto line = readStdoutLine();
        BOOST_REQUIRE_MESSAGE(line, "hil-sim printed no READY line");
        const auto match =
            QRegularExpression(QStringLiteral("^READY tcp 127\\.0\\.0\\.1:(\\d+)$")).match(*line);
        BOOST_REQUIRE_MESSAGE(match.hasMatch(), "unexpected READY line: " << str(*line));
        const quint16 port = match.captured(1).toUShort();
        BOOST_REQUIRE_NE(port, 0);
        return port;
    }

    QString readyPtyPath() {
        const auto line = readStdoutLine();
        BOOST_REQUIRE_MESSAGE(line, "hil-sim printed no READY line");
        const auto match = QRegularExpression(QStringLiteral("^READY pty (/dev/pts/\\d+)$")).match(*line);
        BOOST_REQUIRE_MESSAGE(match.hasMatch(), "unexpected READY line: " << str(*line));
        return match.captured(1);
    }

    QProcess &process() { return m_process; }

private:
    QProcess m_process;
};

std::optional<QByteArray> readLine(QTcpSocket &socket, std::chrono::milliseconds timeout = 5s) {
    const QDeadlineTimer deadline(timeout);
    while (!socket.canReadLine()) {
        if (deadline.hasExpired() || !socket.waitForReadyRead(static_cast<int>(deadline.remainingTime())))
            return std::nullopt;
    }
    return socket.readLine().chopped(1);
}

void connectTo(QTcpSocket &socket, quint16 port) {
    socket.connectToHost(QHostAddress::LocalHost, port);
    BOOST_REQUIRE_MESSAGE(socket.waitForConnected(5000), "cannot connect: " << str(socket.errorString()));
}

QByteArray ask(QTcpSocket &socket, const char *line) {
    socket.write(QByteArray(line) + '\n');
    const auto reply = readLine(socket);
    BOOST_REQUIRE_MESSAGE(reply, "no answer to " << line);
    return *reply;
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
int openPty(const QString &path) {
    const int fd = ::open(path.toLocal8Bit().constData(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    BOOST_REQUIRE_MESSAGE(fd >= 0, "cannot open " << str(path));
    termios settings{};
    BOOST_REQUIRE_EQUAL(::tcgetattr(fd, &settings), 0);
    ::cfmakeraw(&settings);
    BOOST_REQUIRE_EQUAL(::tcsetattr(fd, TCSANOW, &settings), 0);
    return fd;
}

std::optional<QByteArray> readLine(int fd, QByteArray &buffer, std::chrono::milliseconds timeout = 5s) {
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

void writeAll(int fd, const QByteArray &bytes) {
    BOOST_REQUIRE_EQUAL(::write(fd, bytes.constData(), static_cast<size_t>(bytes.size())), bytes.size());
}

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

BOOST_AUTO_TEST_SUITE(model)

BOOST_AUTO_TEST_CASE(same_seed_gives_identical_first_1000_samples) {
    const auto first = firstSamples(42, 1000);
    const auto second = firstSamples(42, 1000);
    BOOST_REQUIRE_EQUAL(first.size(), 1000u);
    for (std::size_t k = 0; k < first.size(); ++k) {
        BOOST_TEST_REQUIRE(first[k].index == k);
        BOOST_TEST_REQUIRE(first[k].temperature == second[k].temperature);
        BOOST_TEST_REQUIRE(first[k].humidity == second[k].humidity);
        BOOST_TEST_REQUIRE(first[k].time == second[k].time);
    }
}

BOOST_AUTO_TEST_CASE(different_seed_gives_different_samples) {
    const auto first = firstSamples(1, 1000);
    const auto second = firstSamples(2, 1000);
    int differing = 0;
    for (std::size_t k = 0; k < first.size(); ++k)
        differing += first[k].temperature != second[k].temperature ? 1 : 0;
    BOOST_TEST(differing >= 990);
}

BOOST_AUTO_TEST_CASE(pinned_values_for_seed_1) {
    // Guards the determinism promise across builds: if these change, every recorded run changes too.
    EnvSensorModel model(1);
    const EnvSample &sample = model.advanceToIndex(0);
    BOOST_TEST(str(QByteArray::number(sample.temperature, 'f', 9)) == "22.565642576");
    BOOST_TEST(str(QByteArray::number(sample.humidity, 'f', 9)) == "45.303189301");
    const EnvSample &later = model.advanceToIndex(1000);
    BOOST_TEST(str(QByteArray::number(later.temperature, 'f', 9)) == "22.911476827");
    BOOST_TEST(str(QByteArray::number(later.humidity, 'f', 9)) == "43.266417549");
}

BOOST_AUTO_TEST_CASE(skipping_samples_equals_stepping_through_them) {
    EnvSensorModel stepped(7);
    for (quint64 k = 1; k <= 5000; ++k)
        stepped.advanceToIndex(k);
    EnvSensorModel skipped(7);
    skipped.advanceToIndex(5000);
    BOOST_TEST((stepped.latest() == skipped.latest()));
    BOOST_TEST(skipped.samplesTaken() == 5001u);

    EnvSensorModel byTime(7);
    byTime.advanceTo(500s);
    BOOST_TEST((byTime.latest() == stepped.latest()));
}

BOOST_AUTO_TEST_CASE(sample_k_is_at_k_over_rate) {
    EnvSensorModel model(1, 10.0);
    BOOST_TEST(model.latest().index == 0u);
    BOOST_TEST((model.sampleTime(3) == 300ms));
    BOOST_TEST(model.advanceTo(250ms).index == 2u);
    BOOST_TEST(model.advanceTo(299'999'999ns).index == 2u);
    BOOST_TEST(model.advanceTo(300ms).index == 3u);
    BOOST_TEST(model.advanceTo(100ms).index == 3u); // the past changes nothing
}

BOOST_AUTO_TEST_CASE(rate_change_keeps_time_continuous) {
    EnvSensorModel model(1, 10.0);
    model.advanceTo(1s);
    BOOST_TEST(model.latest().index == 10u);
    model.setRateHz(100.0);
    BOOST_TEST((model.sampleTime(11) == 1010ms));
    BOOST_TEST(model.advanceTo(1100ms).index == 20u);
}

BOOST_AUTO_TEST_CASE(noise_has_the_specified_spread) {
    EnvSensorModel model(3, 10.0);
    const int count = 20000;
    double sumT = 0, sumT2 = 0, sumH = 0, sumH2 = 0;
    for (int k = 0; k < count; ++k) {
        const EnvSample &s = model.advanceToIndex(static_cast<quint64>(k));
        const double seconds = static_cast<double>(s.time.count()) / 1e9;
        const double dt = s.temperature - EnvSensorModel::idealTemperature(seconds);
        const double dh = s.humidity - EnvSensorModel::idealHumidity(seconds);
        sumT += dt;
        sumT2 += dt * dt;
        sumH += dh;
        sumH2 += dh * dh;
    }
    const double meanT = sumT / count, meanH = sumH / count;
    const double sdT = std::sqrt(sumT2 / count - meanT * meanT);
    const double sdH = std::sqrt(sumH2 / count - meanH * meanH);
    BOOST_TEST(std::abs(meanT) < 0.002);
    BOOST_TEST(std::abs(meanH) < 0.008);
    BOOST_TEST(sdT > 0.048);
    BOOST_TEST(sdT < 0.052);
    BOOST_TEST(sdH > 0.192);
    BOOST_TEST(sdH < 0.208);
    // And the slow part: a quarter period in, temperature sits near its 23.0 maximum.
    EnvSensorModel quarter(3, 10.0);
    BOOST_TEST(std::abs(quarter.advanceTo(150s).temperature - 23.0) < 0.3);
    BOOST_TEST(std::abs(quarter.latest().humidity - 43.0) < 1.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(protocol)

BOOST_AUTO_TEST_CASE(idn) {
    EnvSensorProtocol defaults{EnvSensorConfig{}};
    BOOST_TEST(str(single(defaults, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    EnvSensorConfig config;
    config.serial = "SN4711";
    config.firmware = "2.0.0-rc1";
    EnvSensorProtocol custom{config};
    BOOST_TEST(str(single(custom, "*IDN?")) == "ACME,ENV-1,SN4711,2.0.0-rc1");
    BOOST_TEST(str(single(custom, "*idn?")) == "ACME,ENV-1,SN4711,2.0.0-rc1"); // keywords ignore case
}

BOOST_AUTO_TEST_CASE(read_returns_the_latest_sample) {
    EnvSensorProtocol protocol{EnvSensorConfig{}};
    EnvSensorModel reference(1);
    const EnvSample &sample = reference.advanceToIndex(10);
    const QByteArray t = QByteArray::number(sample.temperature, 'f', 3);
    const QByteArray h = QByteArray::number(sample.humidity, 'f', 2);

    BOOST_TEST(str(single(protocol, "READ? TEMP", 1050ms)) == str("TEMP " + t));
    BOOST_TEST(protocol.model().latest().index == 10u);
    BOOST_TEST(str(single(protocol, "READ? HUM", 1050ms)) == str("HUM " + h));
    BOOST_TEST(str(single(protocol, "READ? ALL", 1099ms)) == str("ALL " + t + ' ' + h));
    BOOST_TEST(matches(single(protocol, "READ? TEMP", 2s), "^TEMP \\d+\\.\\d{3}$"));
    BOOST_TEST(matches(single(protocol, "READ? HUM", 2s), "^HUM \\d+\\.\\d{2}$"));
    BOOST_TEST(matches(single(protocol, "READ? ALL", 2s), "^ALL \\d+\\.\\d{3} \\d+\\.\\d{2}$"));
    BOOST_TEST(protocol.model().latest().index == 20u);
    BOOST_TEST(str(single(protocol, "READ? PRESSURE")) == "ERR unknown command");
    BOOST_TEST(str(single(protocol, "READ?")) == "ERR unknown command");
}

BOOST_AUTO_TEST_CASE(rate_and_its_range) {
    EnvSensorProtocol protocol{EnvSensorConfig{}};
    BOOST_TEST(str(single(protocol, "RATE?")) == "RATE 10");
    BOOST_TEST(str(single(protocol, "RATE 2.5")) == "OK");
    BOOST_TEST(str(single(protocol, "RATE?")) == "RATE 2.5");
    BOOST_TEST(str(single(protocol, "RATE 0.1")) == "OK");
    BOOST_TEST(str(single(protocol, "RATE?")) == "RATE 0.1");
    BOOST_TEST(str(single(protocol, "RATE 1000")) == "OK");
    BOOST_TEST(str(single(protocol, "RATE?")) == "RATE 1000");
    for (const char *bad : {"RATE 0.09", "RATE 1000.5", "RATE 0", "RATE -5", "RATE 1e9"})
        BOOST_TEST(str(single(protocol, bad)) == "ERR range", bad);
    BOOST_TEST(str(single(protocol, "RATE?")) == "RATE 1000"); // a refused rate changes nothing
    for (const char *bad : {"RATE fast", "RATE nan", "RATE inf"})
        BOOST_TEST(str(single(protocol, bad)) == "ERR unknown command", bad);
    BOOST_TEST(str(single(protocol, "RATE")) == "ERR unknown command");
    BOOST_TEST(str(single(protocol, "RATE? 5")) == "ERR unknown command");
}

BOOST_AUTO_TEST_CASE(unknown_and_empty_lines) {
    EnvSensorProtocol protocol{EnvSensorConfig{}};
    for (const char *bad : {"HELLO", "*IDN", "*IDN? extra", "STREAM", "STREAM MAYBE", "READ TEMP", "DATA 1"})
        BOOST_TEST(str(single(protocol, bad)) == "ERR unknown command", bad);
    BOOST_TEST(answer(protocol, "").isEmpty());
    BOOST_TEST(answer(protocol, "   ").isEmpty());
    BOOST_TEST(protocol.counters().errors == 7u);
    BOOST_TEST(protocol.counters().commandsHandled == 0u);
    BOOST_TEST(protocol.counters().linesReceived == 9u);
    BOOST_TEST(protocol.counters().linesSent == 7u);
}

BOOST_AUTO_TEST_CASE(framing) {
    EnvSensorProtocol protocol{EnvSensorConfig{}};
    BOOST_TEST(str(protocol.feed("*IDN?\r\n", 0ns)) == "ACME,ENV-1,SN0001,1.4.2\n");
    BOOST_TEST(protocol.feed("*ID", 0ns).isEmpty());
    BOOST_TEST(str(protocol.feed("N?\nRATE?\nRA", 0ns)) == "ACME,ENV-1,SN0001,1.4.2\nRATE 10\n");
    BOOST_TEST(str(protocol.feed("TE 5\n", 0ns)) == "OK\n");
    BOOST_TEST(protocol.counters().commandsHandled == 4u);
    BOOST_TEST(protocol.counters().bytesReceived == 26u);
}

BOOST_AUTO_TEST_CASE(over_long_lines_are_discarded) {
    EnvSensorProtocol protocol{EnvSensorConfig{}};
    const QByteArray longest(EnvSensorProtocol::kMaxLineLength, 'A');
    BOOST_TEST(str(protocol.feed(QByteArray(longest + "\r\n"), 0ns)) == "ERR unknown command\n");

    // The error comes as soon as the line overflows, not when its newline finally arrives.
    BOOST_TEST(str(protocol.feed(QByteArray(longest + 'A'), 0ns)) == "ERR line too long\n");
    BOOST_TEST(protocol.feed(QByteArray(10000, 'B'), 0ns).isEmpty());
    BOOST_TEST(str(protocol.feed("still discarded\n*IDN?\n", 0ns)) == "ACME,ENV-1,SN0001,1.4.2\n");
    BOOST_TEST(protocol.counters().overlongLines == 1u);
    BOOST_TEST(protocol.counters().errors == 2u);
}

BOOST_AUTO_TEST_CASE(stream_sends_data_on_absolute_deadlines) {
    EnvSensorProtocol protocol{EnvSensorConfig{}};
    EnvSensorModel reference(1);
    BOOST_TEST(!protocol.nextDeadline());
    BOOST_TEST(protocol.tick(10s).isEmpty());

    BOOST_TEST(str(single(protocol, "STREAM ON", 10'050ms)) == "OK");
    BOOST_TEST(protocol.isStreaming());
    // The sensor's own sample clock sets the deadlines: sample 101 at 10.1 s carries DATA 1.
    BOOST_TEST((protocol.nextDeadline() == 10'100ms));
    BOOST_TEST(protocol.tick(10'099ms).isEmpty());
    BOOST_TEST(str(protocol.tick(10'100ms)) == str(dataLine(1, reference.advanceToIndex(101)) + '\n'));
    BOOST_TEST((protocol.nextDeadline() == 10'200ms));

    // A late tick catches up with every missed line, seq without gaps.
    const QByteArrayList late = protocol.tick(10'350ms).split('\n');
    BOOST_REQUIRE_EQUAL(late.size(), 3); // two lines and the empty rest after the last "\n"
    BOOST_TEST(str(late[0]) == str(dataLine(2, reference.advanceToIndex(102))));
    BOOST_TEST(str(late[1]) == str(dataLine(3, reference.advanceToIndex(103))));

    // Due DATA lines go out before the answer that comes later in time.
    const QByteArrayList lines = answer(protocol, "READ? TEMP", 10'400ms);
    BOOST_REQUIRE_EQUAL(lines.size(), 2);
    BOOST_TEST(str(lines[0]) == str(dataLine(4, reference.advanceToIndex(104))));
    BOOST_TEST(str(lines[1]) == str("TEMP " + QByteArray::number(reference.latest().temperature, 'f', 3)));

    BOOST_TEST(str(single(protocol, "STREAM OFF", 10'450ms)) == "OK");
    BOOST_TEST(!protocol.nextDeadline());
    BOOST_TEST(protocol.tick(20s).isEmpty());

    // seq starts at 1 again for every STREAM ON.
    BOOST_TEST(str(single(protocol, "STREAM ON", 20s)) == "OK");
    BOOST_TEST(str(protocol.tick(20'100ms)) == str(dataLine(1, reference.advanceToIndex(201)) + '\n'));
    BOOST_TEST(protocol.counters().dataLinesSent == 5u);

    // A new rate applies from the latest sample on.
    BOOST_TEST(str(single(protocol, "RATE 100", 20'150ms)) == "OK");
    BOOST_TEST((protocol.nextDeadline() == 20'110ms));
    BOOST_TEST(protocol.tick(20'150ms).split('\n').size() == 5 + 1);

    protocol.resetSession();
    BOOST_TEST(!protocol.isStreaming());
}

BOOST_AUTO_TEST_CASE(seq_increases_over_a_long_stream) {
    EnvSensorConfig config;
    config.rateHz = 1000;
    EnvSensorProtocol protocol{config};
    protocol.feed("STREAM ON\n", 0ns);
    quint64 expected = 1;
    // Ticks at an unrelated period, so lines arrive in uneven batches.
    for (auto now = 0ms; now <= 2000ms; now += 8ms) {
        for (const QByteArray &line : protocol.tick(now).split('\n')) {
            if (line.isEmpty())
                continue;
            const QByteArrayList fields = line.split(' ');
            BOOST_REQUIRE_EQUAL(fields.size(), 4);
            BOOST_REQUIRE_EQUAL(str(fields[0]), "DATA");
            BOOST_REQUIRE_EQUAL(fields[1].toULongLong(), expected);
            ++expected;
        }
    }
    BOOST_TEST(expected - 1 == 2000u);
}

BOOST_AUTO_TEST_CASE(banner_and_no_reply) {
    EnvSensorConfig config;
    BOOST_TEST(EnvSensorProtocol{config}.banner().isEmpty());
    config.banner = true;
    config.serial = "SN9";
    BOOST_TEST(str(EnvSensorProtocol{config}.banner()) == "ENV-1 SN9 ready\n");

    config.noReply = true;
    EnvSensorProtocol silent{config};
    BOOST_TEST(silent.feed("*IDN?\nSTREAM ON\n", 0ns).isEmpty());
    BOOST_TEST(silent.feed(QByteArray(QByteArray(5000, 'x') + '\n'), 0ns).isEmpty());
    BOOST_TEST(!silent.isStreaming());
    BOOST_TEST(silent.tick(10s).isEmpty());
    BOOST_TEST(silent.counters().linesReceived == 3u);
    BOOST_TEST(silent.counters().linesSent == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(in_process)

BOOST_AUTO_TEST_CASE(device_streams_on_its_timer) {
    EnvSensorConfig config;
    config.rateHz = 200;
    EnvSensorDevice device(config);
    QByteArray received;
    QObject::connect(&device, &EnvSensorDevice::transmit,
                     [&](const QByteArray &bytes) { received += bytes; });
    device.receive("STREAM ON\n");
    BOOST_TEST(str(received) == "OK\n");
    received.clear();

    BOOST_REQUIRE(waitUntil([&] { return received.count('\n') >= 40; }));
    const QByteArrayList lines = received.split('\n');
    for (qsizetype i = 0; i < 40; ++i)
        BOOST_TEST(lines[i].startsWith(QByteArray("DATA " + QByteArray::number(i + 1) + ' ')), str(lines[i]));
    device.endSession();
    BOOST_TEST(!device.protocol().isStreaming());
}

BOOST_AUTO_TEST_CASE(tcp_endpoint_serves_one_client_at_a_time) {
    EnvSensorConfig config;
    config.banner = true;
    EnvSensorDevice device(config);
    TcpEndpoint endpoint(&device);
    BOOST_REQUIRE(endpoint.listen(QHostAddress::LocalHost, 0));
    BOOST_REQUIRE_NE(endpoint.port(), 0);

    QTcpSocket first;
    first.connectToHost(QHostAddress::LocalHost, endpoint.port());
    BOOST_REQUIRE(waitUntil([&] { return first.canReadLine(); }));
    BOOST_TEST(str(first.readLine()) == "ENV-1 SN0001 ready\n");
    first.write("*IDN?\n");
    BOOST_REQUIRE(waitUntil([&] { return first.canReadLine(); }));
    BOOST_TEST(str(first.readLine()) == "ACME,ENV-1,SN0001,1.4.2\n");

    QTcpSocket second;
    second.connectToHost(QHostAddress::LocalHost, endpoint.port());
    BOOST_REQUIRE(waitUntil([&] {
        return endpoint.counters().clientsReplaced == 1 && first.state() == QAbstractSocket::UnconnectedState;
    }));
    BOOST_REQUIRE(waitUntil([&] { return second.canReadLine(); }));
    BOOST_TEST(str(second.readLine()) == "ENV-1 SN0001 ready\n");

    second.disconnectFromHost();
    BOOST_REQUIRE(waitUntil([&] { return !endpoint.hasClient(); }));
    BOOST_TEST(endpoint.counters().clientsAccepted == 2u);
    BOOST_TEST(endpoint.counters().bytesReceived == 6u);
    BOOST_TEST(device.protocol().counters().commandsHandled == 1u);
}

BOOST_AUTO_TEST_CASE(pty_endpoint_answers_and_survives_reopen) {
    EnvSensorDevice device(EnvSensorConfig{});
    PtyEndpoint endpoint(&device);
    BOOST_REQUIRE_MESSAGE(endpoint.open(), str(endpoint.errorString()));

    for (int round = 0; round < 2; ++round) {
        FileDescriptor slave(openPty(endpoint.slavePath()));
        ::fcntl(slave.get(), F_SETFL, ::fcntl(slave.get(), F_GETFL) | O_NONBLOCK);
        QSocketNotifier readable(slave.get(), QSocketNotifier::Read);
        QByteArray received;
        QObject::connect(&readable, &QSocketNotifier::activated, [&] {
            char chunk[256];
            ssize_t n = 0;
            while ((n = ::read(slave.get(), chunk, sizeof chunk)) > 0)
                received.append(chunk, n);
        });
        writeAll(slave.get(), "*IDN?\n");
        BOOST_REQUIRE(waitUntil([&] { return received.contains('\n'); }));
        BOOST_TEST(str(received) == "ACME,ENV-1,SN0001,1.4.2\n");
    }
    BOOST_TEST(endpoint.counters().bytesReceived == 12u);
    BOOST_TEST(endpoint.counters().bytesSent == 48u);
    BOOST_TEST(endpoint.counters().bytesDropped == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(process)

BOOST_AUTO_TEST_CASE(tcp_answers_commands) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--serial"), QStringLiteral("SN42"), QStringLiteral("--firmware"),
                    QStringLiteral("9.9.9")});
    const quint16 port = sim.readyTcpPort();
    QTcpSocket socket;
    connectTo(socket, port);
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,ENV-1,SN42,9.9.9");
    BOOST_TEST(matches(ask(socket, "READ? ALL"), "^ALL \\d+\\.\\d{3} \\d+\\.\\d{2}$"));
    BOOST_TEST(str(ask(socket, "RATE?")) == "RATE 10");
    BOOST_TEST(str(ask(socket, "RATE 2000")) == "ERR range");
    BOOST_TEST(str(ask(socket, "BOGUS\r")) == "ERR unknown command");
}

BOOST_AUTO_TEST_CASE(tcp_stream_has_increasing_seq) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--rate"), QStringLiteral("100")});
    QTcpSocket socket;
    connectTo(socket, sim.readyTcpPort());
    BOOST_TEST(str(ask(socket, "STREAM ON")) == "OK");
    QElapsedTimer clock;
    clock.start();
    for (quint64 seq = 1; seq <= 50; ++seq) {
        const auto line = readLine(socket);
        BOOST_REQUIRE(line);
        BOOST_REQUIRE_MESSAGE(matches(*line, "^DATA \\d+ \\d+\\.\\d{3} \\d+\\.\\d{2}$"), str(*line));
        BOOST_REQUIRE_EQUAL(line->split(' ')[1].toULongLong(), seq);
    }
    // 50 lines at 100 Hz take about 0.5 s; only a grossly wrong rate fails this.
    BOOST_TEST(clock.elapsed() > 300);
    BOOST_TEST(clock.elapsed() < 3000);
    socket.write("STREAM OFF\n");
    std::optional<QByteArray> line;
    do {
        line = readLine(socket);
    } while (line && line->startsWith("DATA "));
    BOOST_REQUIRE(line);
    BOOST_TEST(str(*line) == "OK");
}

BOOST_AUTO_TEST_CASE(tcp_banner_and_client_replacement) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--banner")});
    const quint16 port = sim.readyTcpPort();
    QTcpSocket first;
    connectTo(first, port);
    BOOST_TEST(str(readLine(first).value_or("(none)")) == "ENV-1 SN0001 ready");

    QTcpSocket second;
    connectTo(second, port);
    BOOST_TEST(str(readLine(second).value_or("(none)")) == "ENV-1 SN0001 ready");
    BOOST_TEST(first.waitForDisconnected(5000));
    BOOST_TEST(str(ask(second, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");

    second.disconnectFromHost();
    QTcpSocket third;
    connectTo(third, port);
    BOOST_TEST(str(readLine(third).value_or("(none)")) == "ENV-1 SN0001 ready");
    BOOST_TEST(str(ask(third, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
}

BOOST_AUTO_TEST_CASE(no_reply_never_answers) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--no-reply")});
    QTcpSocket socket;
    connectTo(socket, sim.readyTcpPort());
    socket.write("*IDN?\nSTREAM ON\n");
    BOOST_TEST(!socket.waitForReadyRead(300));
    BOOST_TEST(socket.bytesAvailable() == 0);
    BOOST_TEST(socket.state() == QAbstractSocket::ConnectedState);
    BOOST_TEST(sim.process().state() == QProcess::Running);
}

BOOST_AUTO_TEST_CASE(pty_answers_idn) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--pty"), QStringLiteral("--banner")});
    const QString path = sim.readyPtyPath();
    {
        // The simulator set the slave raw with echo off before anyone opened it.
        FileDescriptor probe(::open(path.toLocal8Bit().constData(), O_RDWR | O_NOCTTY | O_CLOEXEC));
        BOOST_REQUIRE(probe.get() >= 0);
        termios settings{};
        BOOST_REQUIRE_EQUAL(::tcgetattr(probe.get(), &settings), 0);
        BOOST_TEST((settings.c_lflag & (ECHO | ICANON)) == 0u);
        QByteArray buffer;
        BOOST_TEST(str(readLine(probe.get(), buffer).value_or("(none)")) == "ENV-1 SN0001 ready");
    }
    // Close and reopen, as a harness does between runs.
    FileDescriptor slave(openPty(path));
    QByteArray buffer;
    writeAll(slave.get(), "*IDN?\n");
    // Had the banner been echoed back to the simulator, an "ERR unknown command" would come first.
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "ACME,ENV-1,SN0001,1.4.2");
    writeAll(slave.get(), "READ? TEMP\r\n");
    BOOST_TEST(matches(readLine(slave.get(), buffer).value_or("(none)"), "^TEMP \\d+\\.\\d{3}$"));
}

BOOST_AUTO_TEST_CASE(signals_exit_cleanly) {
    for (const int signalNumber : {SIGTERM, SIGINT}) {
        SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
        sim.readyTcpPort();
        BOOST_REQUIRE_EQUAL(::kill(static_cast<pid_t>(sim.process().processId()), signalNumber), 0);
        BOOST_REQUIRE(sim.process().waitForFinished(5000));
        BOOST_TEST(sim.process().exitStatus() == QProcess::NormalExit);
        BOOST_TEST(sim.process().exitCode() == 0);
    }
    SimProcess pty({QStringLiteral("envsensor"), QStringLiteral("--pty")});
    pty.readyPtyPath();
    pty.process().terminate();
    BOOST_REQUIRE(pty.process().waitForFinished(5000));
    BOOST_TEST(pty.process().exitCode() == 0);
}

BOOST_AUTO_TEST_CASE(dies_with_its_parent) {
    // A shell starts hil-sim in the background and reports its pid; killing the shell must take the
    // simulator down with it (PR_SET_PDEATHSIG), which the client sees as a disconnect.
    SimProcess shell({QStringLiteral("-c"), QStringLiteral("\"$0\" envsensor --tcp 0 & echo PID $!; wait"),
                      simulatorPath()},
                     QStringLiteral("/bin/sh"));
    pid_t child = 0;
    quint16 port = 0;
    for (int i = 0; i < 2; ++i) {
        const auto line = shell.readStdoutLine();
        BOOST_REQUIRE(line);
        if (line->startsWith(QStringLiteral("PID ")))
            child = static_cast<pid_t>(line->mid(4).toInt());
        else if (line->startsWith(QStringLiteral("READY tcp 127.0.0.1:")))
            port = line->section(QLatin1Char(':'), -1).toUShort();
    }
    BOOST_REQUIRE(child > 0);
    BOOST_REQUIRE(port > 0);
    QTcpSocket socket;
    connectTo(socket, port);
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");

    shell.process().kill();
    BOOST_REQUIRE(shell.process().waitForFinished(5000));
    const bool gone = socket.state() == QAbstractSocket::UnconnectedState || socket.waitForDisconnected(5000);
    if (!gone)
        ::kill(child, SIGKILL);
    BOOST_TEST(gone);
}

BOOST_AUTO_TEST_CASE(command_line_is_validated) {
    const auto run = [](const QStringList &arguments) {
        QProcess process;
        process.start(simulatorPath(), arguments);
        BOOST_REQUIRE(process.waitForFinished(10000));
        return std::make_pair(process.exitCode(), QString::fromLocal8Bit(process.readAllStandardOutput()));
    };
    const auto [helpCode, helpText] = run({QStringLiteral("--help")});
    BOOST_TEST(helpCode == 0);
    BOOST_TEST(helpText.contains(QStringLiteral("--tcp <PORT>")));
    BOOST_TEST(helpText.contains(QStringLiteral("--no-reply")));

    for (const QStringList &bad :
         {QStringList{QStringLiteral("envsensor")},
          QStringList{QStringLiteral("envsensor"), QStringLiteral("--pty"), QStringLiteral("--tcp"),
                      QStringLiteral("0")},
          QStringList{QStringLiteral("toaster"), QStringLiteral("--pty")},
          QStringList{QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                      QStringLiteral("--rate"), QStringLiteral("5000")},
          QStringList{QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("70000")},
          QStringList{QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                      QStringLiteral("--serial"), QStringLiteral("A,B")},
          QStringList{QStringLiteral("envsensor"), QStringLiteral("--frobnicate")}}) {
        const auto [code, output] = run(bad);
        BOOST_TEST(code == 2, str(bad.join(QLatin1Char(' '))));
        BOOST_TEST(output.isEmpty()); // stdout stays clean: the harness parses it
    }
}

BOOST_AUTO_TEST_SUITE_END()
