// The simulators: the ENV-1 model and protocol, the PSU-2, control commands and device faults in-process
// on fake time (deterministic), the device, endpoints and control server in-process on a real event
// loop, then the built hil-sim executable over TCP and a PTY with its control channel.

#define BOOST_TEST_MODULE simulator
#include "controlcommand.h"
#include "controlserver.h"
#include "devicecore.h"
#include "envsensormodel.h"
#include "envsensorprotocol.h"
#include "psuprotocol.h"
#include "ptyendpoint.h"
#include "simdevice.h"
#include "support/eventloop.h"
#include "tcpendpoint.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <poll.h>
#include <set>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

using namespace hilsim;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

namespace {

bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout = 5s) {
    return hiltest::waitUntil(done, static_cast<int>(timeout.count()));
}

std::string str(const QByteArray &bytes) {
    return bytes.toStdString();
}
std::string str(const QString &text) {
    return text.toStdString();
}

QByteArrayList answer(EnvSensorProtocol &protocol, const char *line, nanoseconds now = 0ns) {
    return protocol.handleLine(QByteArrayView(line), now);
}

QByteArray single(EnvSensorProtocol &protocol, const char *line, nanoseconds now = 0ns) {
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

// Least-squares slope of y over x.
double slope(const std::vector<double> &x, const std::vector<double> &y) {
    const auto n = static_cast<double>(x.size());
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        sxy += x[i] * y[i];
    }
    return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// The 99.9 % two-sided normal approximation of a binomial count: |k - np| <= 3.29 sqrt(np(1-p)).
bool withinBinomial(double k, double n, double p) {
    return std::abs(k - n * p) <= 3.29 * std::sqrt(n * p * (1.0 - p));
}

struct Data {
    quint64 seq = 0;
    double temperature = 0;
    double humidity = 0;
};

// The DATA lines in `bytes` (anything else is skipped).
std::vector<Data> dataLines(const QByteArray &bytes) {
    std::vector<Data> lines;
    for (const QByteArray &line : bytes.split('\n')) {
        const QByteArrayList fields = line.split(' ');
        if (fields.size() == 4 && fields[0] == "DATA")
            lines.push_back({fields[1].toULongLong(), fields[2].toDouble(), fields[3].toDouble()});
    }
    return lines;
}

// An ENV-1 with faults and power on fake time: what hil-sim runs, minus the clock and the sockets.
struct FakeSensor {
    explicit FakeSensor(EnvSensorConfig config = {})
        : core(std::make_unique<EnvSensorProtocol>(config), config.seed) {}

    // The control answer lines joined with "\n".
    QByteArray control(const char *line, nanoseconds now) { return core.control(line, now).join('\n'); }
    QByteArray send(const char *line, nanoseconds now) {
        return core.receive(QByteArray(QByteArray(line) + '\n'), now);
    }
    // Ticks every `step` from `from` to `to` (inclusive) and returns everything sent.
    QByteArray run(nanoseconds from, nanoseconds to, nanoseconds step = 10ms) {
        QByteArray out;
        for (nanoseconds t = from; t <= to; t += step)
            out += core.tick(t);
        return out;
    }
    quint64 counter(const char *name, nanoseconds now) {
        for (const QByteArray &line : core.control("COUNTERS?", now)) {
            if (line.startsWith(QByteArray(QByteArray(name) + ' ')))
                return line.mid(qstrlen(name) + 1).toULongLong();
        }
        BOOST_FAIL("no counter " << name);
        return 0;
    }

    DeviceCore core;
};

// ---- real processes ----

QString simulatorPath() {
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

// One control command: the data lines and the final "OK" / "ERR ..." line, joined with "\n".
QByteArray command(QTcpSocket &control, const char *line) {
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
bool staysSilent(QTcpSocket &socket, std::chrono::milliseconds window) {
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

using hiltest::QtApplicationFixture;
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
    BOOST_TEST(str(QByteArray::number(later.temperature, 'f', 9)) == "22.482100195");
    BOOST_TEST(str(QByteArray::number(later.humidity, 'f', 9)) == "44.983924075");
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
    // And the slow part: a quarter period (6 h) in, temperature sits near its 23.0 maximum.
    EnvSensorModel quarter(3, 10.0);
    BOOST_TEST(std::abs(quarter.advanceTo(21600s).temperature - 23.0) < 0.3);
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

BOOST_AUTO_TEST_SUITE(control_command)

const QByteArrayList kChannels{"temp", "hum"};

std::optional<ControlCommand> parse(const char *line, QByteArray *error = nullptr) {
    QByteArray ignored;
    return ControlCommand::parse(line, kChannels, error ? error : &ignored);
}

BOOST_AUTO_TEST_CASE(parses_every_fault_kind) {
    using Kind = FaultSpec::Kind;
    auto c = parse("FAULT drift channel=temp rate=0.1");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->verb == ControlCommand::Verb::Fault && c->fault.kind == Kind::Drift));
    BOOST_TEST(c->fault.channel == 0);
    BOOST_TEST(c->fault.rate == 0.1);
    BOOST_TEST(!c->fault.duration);
    // The harness writes rates as a scenario does ("0.05/s"); keywords and names ignore case.
    c = parse("fault DRIFT Channel=HUM rate=-0.05/s for=90s");
    BOOST_REQUIRE(c);
    BOOST_TEST(c->fault.channel == 1);
    BOOST_TEST(c->fault.rate == -0.05);
    BOOST_TEST((c->fault.duration == 90s));

    c = parse("FAULT offset channel=temp value=2.5");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.kind == Kind::Offset && c->fault.value == 2.5));
    c = parse("FAULT noise channel=hum sigma=0.5");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.kind == Kind::Noise && c->fault.sigma == 0.5));
    c = parse("FAULT stuck channel=temp");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.kind == Kind::Stuck && !c->fault.value));
    c = parse("FAULT stuck channel=temp value=-40");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.value == -40.0));
    c = parse("FAULT spike channel=temp p=0.05 size=10");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.kind == Kind::Spike && c->fault.probability == 0.05 && c->fault.size == 10.0));
    c = parse("FAULT dropout");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.kind == Kind::Dropout && c->fault.probability == 1.0));
    c = parse("FAULT dropout p=0.25 for=500ms");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.probability == 0.25 && c->fault.duration == 500ms));
    c = parse("FAULT hang");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.kind == Kind::Hang && !c->fault.duration));
    c = parse("FAULT hang for=5s");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.duration == 5s));
    c = parse("FAULT reboot");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.kind == Kind::Reboot && c->fault.down == 1s));
    c = parse("FAULT reboot down=2s");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.down == 2s));
    c = parse("FAULT garbage");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.kind == Kind::Garbage && c->fault.rate == 100.0 && !c->fault.duration));
    c = parse("FAULT garbage rate=2000 for=2s");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->fault.rate == 2000.0 && c->fault.duration == 2s));
}

BOOST_AUTO_TEST_CASE(parses_clear_status_counters_power) {
    using Verb = ControlCommand::Verb;
    auto c = parse("CLEAR drift channel=temp");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->verb == Verb::Clear && c->fault.kind == FaultSpec::Kind::Drift && c->fault.channel == 0));
    c = parse("CLEAR noise");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->verb == Verb::Clear && c->fault.channel == -1));
    c = parse("clear ALL");
    BOOST_REQUIRE(c);
    BOOST_TEST((c->verb == Verb::ClearAll));
    BOOST_TEST((parse("STATUS?")->verb == Verb::Status));
    BOOST_TEST((parse("counters?")->verb == Verb::Counters));
    BOOST_TEST((parse("POWER OFF")->verb == Verb::PowerOff));
    BOOST_TEST((parse("power on")->verb == Verb::PowerOn));
}

BOOST_AUTO_TEST_CASE(durations_and_numbers) {
    BOOST_TEST((parseDuration("1.5s") == 1500ms));
    BOOST_TEST((parseDuration("250ms") == 250ms));
    BOOST_TEST((parseDuration("2") == 2s));
    BOOST_TEST((parseDuration("1m") == 60s));
    BOOST_TEST((parseDuration("1h") == 3600s));
    BOOST_TEST((parseDuration("1d") == 86400s));
    BOOST_TEST((parseDuration("10us") == 10us));
    BOOST_TEST((parseDuration("7ns") == 7ns));
    for (const char *bad : {"", "s", "-1s", "fast", "1w", "31d", "nan", "inf"})
        BOOST_TEST(!parseDuration(bad), bad);
    BOOST_TEST(str(formatDuration(2500ms)) == "2.5s");
    BOOST_TEST(str(formatNumber(0.1)) == "0.1");
    BOOST_TEST(str(formatNumber(10)) == "10");
}

BOOST_AUTO_TEST_CASE(bad_commands_are_refused_with_a_reason) {
    const std::pair<const char *, const char *> cases[] = {
        {"FAULT wobble", "unknown fault kind wobble"},
        {"FAULT", "unknown command"},
        {"FAULT drift rate=0.1", "missing parameter channel"},
        {"FAULT drift channel=temp", "missing parameter rate"},
        {"FAULT drift channel=pressure rate=1", "unknown channel pressure (temp|hum)"},
        {"FAULT drift channel=temp rate=fast", "bad value rate=fast (expected a number)"},
        {"FAULT drift channel=temp rate=nan", "bad value rate=nan (expected a number)"},
        {"FAULT drift channel=temp rate=0.1 colour=red", "unknown parameter colour for drift"},
        {"FAULT drift channel=temp rate=0.1 rate=0.2", "parameter rate given twice"},
        {"FAULT drift channel=temp 0.1", "expected name=value, got 0.1"},
        {"FAULT drift channel=temp rate=", "expected name=value, got rate="},
        {"FAULT offset channel=temp", "missing parameter value"},
        {"FAULT noise channel=temp sigma=-1", "bad value sigma=-1 (expected >= 0)"},
        {"FAULT spike channel=temp p=1.5 size=10", "bad value p=1.5 (expected 0..1)"},
        {"FAULT spike channel=temp p=0.1", "missing parameter size"},
        {"FAULT dropout p=-0.1", "bad value p=-0.1 (expected 0..1)"},
        {"FAULT dropout channel=temp", "unknown parameter channel for dropout"},
        {"FAULT hang for=0s", "bad duration for=0s"},
        {"FAULT hang for=-5s", "bad duration for=-5s"},
        {"FAULT hang for=soon", "bad duration for=soon"},
        {"FAULT reboot down=-1s", "bad duration down=-1s"},
        {"FAULT reboot for=1s", "unknown parameter for for reboot"},
        {"FAULT garbage rate=0", "bad value rate=0 (expected above 0, at most 100000)"},
        {"FAULT garbage rate=1e9", "bad value rate=1e9 (expected above 0, at most 100000)"},
        {"CLEAR", "unknown command"},
        {"CLEAR wobble", "unknown fault kind wobble"},
        {"CLEAR reboot", "a reboot cannot be cleared"},
        {"CLEAR hang channel=temp", "unknown parameter channel for hang"},
        {"CLEAR all channel=temp", "CLEAR all takes no parameters"},
        {"STATUS? now", "unknown command"},
        {"POWER", "unknown command"},
        {"POWER MAYBE", "unknown command"},
        {"", "empty command"},
        {"HELLO", "unknown command"},
    };
    for (const auto &[line, reason] : cases) {
        QByteArray error;
        BOOST_TEST(!parse(line, &error), line);
        BOOST_TEST(str(error) == reason, line);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(faults)

// Streams DATA at `hz` on two sensors with the same seed, one with `fault` started at `faultAt`, and
// returns the DATA lines of both and the sample time of each faulted one. Unless the fault withholds
// lines, the two line up one to one.
struct Paired {
    std::vector<double> times;
    std::vector<Data> faulty;
    std::vector<Data> clean;
};

Paired streamPaired(const char *fault, double hz, nanoseconds faultAt, nanoseconds until, quint64 seed = 1) {
    EnvSensorConfig config;
    config.rateHz = hz;
    config.seed = seed;
    FakeSensor faulty(config);
    FakeSensor clean(config);
    BOOST_REQUIRE_EQUAL(str(faulty.send("STREAM ON", 0ns)), "OK\n");
    BOOST_REQUIRE_EQUAL(str(clean.send("STREAM ON", 0ns)), "OK\n");
    QByteArray faultyOut = faulty.run(0ns, faultAt - 1ns, faultAt);
    QByteArray cleanOut = clean.run(0ns, faultAt - 1ns, faultAt);
    BOOST_REQUIRE_EQUAL(str(faulty.control(fault, faultAt)), "OK");
    faultyOut += faulty.run(faultAt, until);
    cleanOut += clean.run(faultAt, until);
    Paired paired;
    paired.faulty = dataLines(faultyOut);
    paired.clean = dataLines(cleanOut);
    for (const Data &d : paired.faulty)
        paired.times.push_back(static_cast<double>(d.seq) / hz); // DATA n is sample n at n / rate
    return paired;
}

BOOST_AUTO_TEST_CASE(drift_adds_rate_times_model_time) {
    // DATA n is sample n, taken at model time n / 20 s; the drift starts at 2 s.
    const Paired p = streamPaired("FAULT drift channel=temp rate=0.1", 20.0, 2s, 12s);
    BOOST_REQUIRE_EQUAL(p.faulty.size(), 240u);
    BOOST_REQUIRE_EQUAL(p.clean.size(), 240u);
    for (std::size_t i = 0; i < p.faulty.size(); ++i) {
        const double expected = p.times[i] >= 2.0 ? 0.1 * (p.times[i] - 2.0) : 0.0;
        // Both sides are rounded to 3 decimals.
        BOOST_TEST_REQUIRE(std::abs(p.faulty[i].temperature - p.clean[i].temperature - expected) < 0.0011,
                           "DATA " << p.faulty[i].seq);
        BOOST_TEST_REQUIRE(p.faulty[i].humidity == p.clean[i].humidity);
    }
}

BOOST_AUTO_TEST_CASE(drift_slope_fits_within_5_percent_for_any_seed) {
    // What the harness's fidelity check does: fit raw readings (signal + noise + drift) against time,
    // 10 s at 20 Hz. The noise alone gives the slope a standard error of about 1.2 %, the slow signal
    // at most 0.9 %; every seed must land within 5 %.
    double worst = 0;
    for (quint64 seed = 1; seed <= 50; ++seed) {
        const Paired p = streamPaired("FAULT drift channel=temp rate=0.1", 20.0, 1s, 11s, seed);
        std::vector<double> t, y;
        for (std::size_t i = 0; i < p.faulty.size(); ++i) {
            if (p.times[i] > 1.0) {
                t.push_back(p.times[i]);
                y.push_back(p.faulty[i].temperature);
            }
        }
        BOOST_REQUIRE_EQUAL(t.size(), 200u);
        const double error = std::abs(slope(t, y) - 0.1) / 0.1;
        worst = std::max(worst, error);
        BOOST_TEST(error < 0.05, "seed " << seed << ": slope " << slope(t, y));
    }
    BOOST_TEST_MESSAGE("worst relative slope error over 50 seeds: " << worst);
}

BOOST_AUTO_TEST_CASE(offset_adds_a_constant) {
    const Paired p = streamPaired("FAULT offset channel=hum value=2.5", 10.0, 1s, 3s);
    BOOST_REQUIRE_EQUAL(p.faulty.size(), p.clean.size());
    for (std::size_t i = 0; i < p.faulty.size(); ++i) {
        const double expected = p.times[i] >= 1.0 ? 2.5 : 0.0;
        BOOST_TEST_REQUIRE(std::abs(p.faulty[i].humidity - p.clean[i].humidity - expected) < 0.011);
        BOOST_TEST_REQUIRE(p.faulty[i].temperature == p.clean[i].temperature);
    }
}

BOOST_AUTO_TEST_CASE(noise_adds_seeded_gaussian_noise) {
    const Paired p = streamPaired("FAULT noise channel=temp sigma=0.5", 100.0, 10ms, 100s);
    BOOST_REQUIRE_EQUAL(p.faulty.size(), p.clean.size());
    double sum = 0, sum2 = 0;
    for (std::size_t i = 0; i < p.faulty.size(); ++i) {
        const double d = p.faulty[i].temperature - p.clean[i].temperature;
        sum += d;
        sum2 += d * d;
    }
    const auto n = static_cast<double>(p.faulty.size());
    const double sd = std::sqrt(sum2 / n - (sum / n) * (sum / n));
    BOOST_TEST(n == 10000.0);
    BOOST_TEST(std::abs(sum / n) < 0.02);
    BOOST_TEST(sd > 0.48);
    BOOST_TEST(sd < 0.52);

    // The same seed gives the same noise; another seed does not.
    const Paired again = streamPaired("FAULT noise channel=temp sigma=0.5", 100.0, 10ms, 2s);
    for (std::size_t i = 0; i < again.faulty.size(); ++i)
        BOOST_TEST_REQUIRE(again.faulty[i].temperature == p.faulty[i].temperature);
    const Paired other = streamPaired("FAULT noise channel=temp sigma=0.5", 100.0, 10ms, 2s, 2);
    int differing = 0;
    for (std::size_t i = 0; i < other.faulty.size(); ++i)
        differing += (other.faulty[i].temperature - other.clean[i].temperature)
                             != (p.faulty[i].temperature - p.clean[i].temperature)
                         ? 1
                         : 0;
    BOOST_TEST(differing > 180);
}

BOOST_AUTO_TEST_CASE(stuck_holds_the_last_or_a_given_value) {
    FakeSensor sensor;
    const QByteArray before = sensor.send("READ? HUM", 5s);
    BOOST_REQUIRE(before.startsWith("HUM "));
    BOOST_TEST(str(sensor.control("FAULT stuck channel=hum", 5s)) == "OK");
    for (auto t = 5s; t <= 60s; t += 5s)
        BOOST_TEST(str(sensor.send("READ? HUM", t)) == str(before), "at " << t.count() << " s");
    // The other channel carries on.
    std::set<std::string> temperatures;
    for (auto t = 61s; t <= 70s; t += 1s)
        temperatures.insert(str(sensor.send("READ? TEMP", t)));
    BOOST_TEST(temperatures.size() > 5u);

    BOOST_TEST(str(sensor.control("FAULT stuck channel=temp value=99.5", 70s)) == "OK");
    BOOST_TEST(str(sensor.send("READ? TEMP", 71s)) == "TEMP 99.500\n");
    BOOST_TEST(str(sensor.send("READ? ALL", 90s)) == str("ALL 99.500 " + before.mid(4)));
    BOOST_TEST(str(sensor.control("STATUS?", 90s))
               == str("stuck channel=temp value=99.5\nstuck channel=hum value="
                      + formatNumber(before.mid(4).toDouble()) + "\nOK"));

    BOOST_TEST(str(sensor.control("CLEAR stuck channel=temp", 91s)) == "OK");
    BOOST_TEST(str(sensor.send("READ? TEMP", 92s)) != "TEMP 99.500\n");
    BOOST_TEST(str(sensor.send("READ? HUM", 93s)) == str(before));
}

BOOST_AUTO_TEST_CASE(spike_probability_within_binomial_bound) {
    const Paired p = streamPaired("FAULT spike channel=temp p=0.05 size=10", 100.0, 10ms, 200s);
    BOOST_REQUIRE_EQUAL(p.faulty.size(), 20000u);
    BOOST_REQUIRE_EQUAL(p.clean.size(), 20000u);
    int up = 0, down = 0;
    for (std::size_t i = 0; i < p.faulty.size(); ++i) {
        const double d = p.faulty[i].temperature - p.clean[i].temperature;
        if (std::abs(d) < 0.0011)
            continue;
        BOOST_TEST_REQUIRE(std::abs(std::abs(d) - 10.0) < 0.0011); // exactly +size or -size
        (d > 0 ? up : down) += 1;
    }
    const double n = 20000, spikes = up + down;
    BOOST_TEST(withinBinomial(spikes, n, 0.05), spikes << " spikes in " << n);
    // The sign is a fair coin.
    BOOST_TEST(withinBinomial(up, spikes, 0.5), up << " up of " << spikes);
}

BOOST_AUTO_TEST_CASE(dropout_withholds_readings) {
    FakeSensor sensor;
    BOOST_TEST(str(sensor.control("FAULT dropout", 1s)) == "OK");
    // p = 1: a read gets no reply at all; commands that are not readings are still answered.
    BOOST_TEST(sensor.send("READ? TEMP", 2s).isEmpty());
    BOOST_TEST(sensor.send("READ? ALL", 2s).isEmpty());
    BOOST_TEST(str(sensor.send("*IDN?", 2s)) == "ACME,ENV-1,SN0001,1.4.2\n");
    BOOST_TEST(str(sensor.send("STREAM ON", 2s)) == "OK\n");
    BOOST_TEST(sensor.run(2s, 5s).isEmpty());
    BOOST_TEST(str(sensor.control("CLEAR dropout", 5s)) == "OK");
    BOOST_TEST(sensor.send("READ? TEMP", 5s).startsWith("TEMP "));
    // The DATA lines withheld kept their seq: the harness sees the gap.
    const auto after = dataLines(sensor.run(5s, 6s));
    BOOST_REQUIRE(!after.empty());
    BOOST_TEST(after.front().seq == 31u);
    BOOST_TEST(sensor.counter("dropped_answers", 6s) == 2u + 30u);

    // p = 0.3 over 10000 DATA lines: the rate lies within the binomial bound.
    const Paired p = streamPaired("FAULT dropout p=0.3", 100.0, 10ms, 100s);
    BOOST_TEST(withinBinomial(10000.0 - static_cast<double>(p.faulty.size()), 10000.0, 0.3),
               p.faulty.size() << " of 10000 sent");
}

BOOST_AUTO_TEST_CASE(hang_silences_the_device_for_its_duration) {
    FakeSensor sensor;
    BOOST_TEST(str(sensor.send("STREAM ON", 0ns)) == "OK\n");
    BOOST_TEST(dataLines(sensor.run(0ns, 1s)).size() == 10u);
    BOOST_TEST(str(sensor.control("FAULT hang for=2s", 1s)) == "OK");
    // Input is read and thrown away, nothing goes out: no answers, no DATA.
    BOOST_TEST(sensor.run(1010ms, 1490ms).isEmpty());
    BOOST_TEST(str(sensor.control("STATUS?", 1500ms)) == "hang for=1.5s\nOK");
    BOOST_TEST(sensor.send("*IDN?", 1500ms).isEmpty());
    BOOST_TEST(sensor.run(1500ms, 2990ms).isEmpty());
    BOOST_TEST(sensor.counter("discarded_bytes", 2990ms) == 6u);
    // At 3 s it answers again, and the stream resumes with the seq of the sample due then.
    const QByteArray resumed = sensor.run(3s, 3s);
    BOOST_TEST(str(resumed) == str(resumed.left(resumed.indexOf('\n') + 1)));
    BOOST_REQUIRE(!dataLines(resumed).empty());
    BOOST_TEST(dataLines(resumed).front().seq == 30u);
    BOOST_TEST(str(sensor.send("*IDN?", 3s)) == "ACME,ENV-1,SN0001,1.4.2\n");
    BOOST_TEST(sensor.counter("suppressed_lines", 3s) == 19u);
    BOOST_TEST(str(sensor.control("STATUS?", 3s)) == "OK");
    BOOST_TEST(str(sensor.send("STREAM OFF", 3s)) == "OK\n");

    // Without `for` it lasts until cleared.
    BOOST_TEST(str(sensor.control("FAULT hang", 4s)) == "OK");
    BOOST_TEST(sensor.send("*IDN?", 100s).isEmpty());
    BOOST_TEST(str(sensor.control("STATUS?", 100s)) == "hang\nOK");
    BOOST_TEST(str(sensor.control("CLEAR hang", 100s)) == "OK");
    BOOST_TEST(str(sensor.send("*IDN?", 100s)) == "ACME,ENV-1,SN0001,1.4.2\n");
}

BOOST_AUTO_TEST_CASE(reboot_goes_silent_then_banners_with_fresh_state) {
    FakeSensor sensor; // no --banner: the reboot banner comes anyway
    BOOST_TEST(str(sensor.send("RATE 50", 0ns)) == "OK\n");
    BOOST_TEST(str(sensor.send("STREAM ON", 0ns)) == "OK\n");
    BOOST_TEST(dataLines(sensor.run(0ns, 1s)).size() == 50u);
    BOOST_TEST(str(sensor.control("FAULT reboot down=2s", 1s)) == "OK");
    BOOST_TEST((sensor.core.power() == DeviceCore::Power::Booting));
    BOOST_TEST(sensor.run(1010ms, 1490ms).isEmpty());
    BOOST_TEST(str(sensor.control("STATUS?", 1500ms)) == "power booting for=1.5s\nOK");
    BOOST_TEST(sensor.send("*IDN?", 1500ms).isEmpty());
    BOOST_TEST(sensor.run(1500ms, 2990ms).isEmpty());
    BOOST_TEST((sensor.core.nextDeadline() == 3s));
    BOOST_TEST(str(sensor.core.tick(3s)) == "ENV-1 SN0001 ready\n");
    // Fresh state: default rate, no stream, model time from 0 (so sample 0 of the seed again).
    BOOST_TEST(str(sensor.send("RATE?", 3s)) == "RATE 10\n");
    EnvSensorModel reference(1);
    BOOST_TEST(str(sensor.send("READ? TEMP", 3050ms))
               == str("TEMP " + QByteArray::number(reference.latest().temperature, 'f', 3) + '\n'));
    BOOST_TEST(sensor.run(3100ms, 5s).isEmpty());
    BOOST_TEST(str(sensor.send("STREAM ON", 5s)) == "OK\n");
    const auto lines = dataLines(sensor.run(5s, 5200ms));
    BOOST_REQUIRE_EQUAL(lines.size(), 2u);
    BOOST_TEST(lines.front().seq == 1u);
    BOOST_TEST(sensor.counter("reboots", 6s) == 1u);
    BOOST_TEST(sensor.counter("boots", 6s) == 1u);
}

BOOST_AUTO_TEST_CASE(reboot_ends_a_hang_but_keeps_sensor_faults) {
    FakeSensor sensor;
    BOOST_TEST(str(sensor.control("FAULT offset channel=temp value=100", 0ns)) == "OK");
    BOOST_TEST(str(sensor.control("FAULT hang", 0ns)) == "OK");
    BOOST_TEST(str(sensor.control("FAULT reboot", 1s)) == "OK");
    BOOST_TEST(str(sensor.core.tick(2s)) == "ENV-1 SN0001 ready\n");
    BOOST_TEST(str(sensor.control("STATUS?", 2s)) == "offset channel=temp value=100\nOK");
    BOOST_TEST(matches(sensor.send("READ? TEMP", 2s), "^TEMP 12\\d\\.\\d{3}\\n$"));
}

BOOST_AUTO_TEST_CASE(power_off_and_on) {
    EnvSensorConfig config;
    config.banner = true;
    FakeSensor sensor(config);
    BOOST_TEST(str(sensor.core.startSession(0ns)) == "ENV-1 SN0001 ready\n");
    BOOST_TEST(str(sensor.send("STREAM ON", 0ns)) == "OK\n");
    BOOST_TEST(str(sensor.control("POWER OFF", 1s)) == "OK");
    BOOST_TEST((sensor.core.power() == DeviceCore::Power::Off));
    // What was due before the power went still goes out; nothing after it.
    BOOST_TEST(dataLines(sensor.core.tick(1s)).size() == 10u);
    BOOST_TEST(str(sensor.control("STATUS?", 1s)) == "power off\nOK");
    BOOST_TEST(sensor.send("*IDN?", 2s).isEmpty());
    BOOST_TEST(sensor.core.startSession(2s).isEmpty()); // not even the session banner
    BOOST_TEST(sensor.run(2s, 10s).isEmpty());
    BOOST_TEST(!sensor.core.nextDeadline());
    BOOST_TEST(str(sensor.control("FAULT reboot", 10s)) == "ERR powered off");
    BOOST_TEST(str(sensor.control("POWER OFF", 10s)) == "OK"); // already off: nothing changes

    BOOST_TEST(str(sensor.control("POWER ON", 10s)) == "OK");
    BOOST_TEST((sensor.core.nextDeadline() == 10s + DeviceCore::kBootTime));
    BOOST_TEST(sensor.core.tick(10299ms).isEmpty());
    BOOST_TEST(sensor.send("*IDN?", 10299ms).isEmpty());
    BOOST_TEST(str(sensor.core.tick(10300ms)) == "ENV-1 SN0001 ready\n");
    BOOST_TEST(str(sensor.send("*IDN?", 10300ms)) == "ACME,ENV-1,SN0001,1.4.2\n");
    BOOST_TEST(sensor.run(10300ms, 12s).isEmpty());           // the stream did not survive
    BOOST_TEST(str(sensor.control("POWER ON", 12s)) == "OK"); // already on
    BOOST_TEST(sensor.counter("power_offs", 12s) == 1u);
    BOOST_TEST(sensor.counter("boots", 12s) == 1u);
    BOOST_TEST(sensor.counter("discarded_bytes", 12s) == 12u);
}

BOOST_AUTO_TEST_CASE(garbage_bytes_are_seeded_and_come_between_lines) {
    const auto collect = [](quint64 seed) {
        EnvSensorConfig config;
        config.seed = seed;
        FakeSensor sensor(config);
        BOOST_REQUIRE_EQUAL(str(sensor.control("FAULT garbage rate=1000 for=2s", 0ns)), "OK");
        BOOST_REQUIRE((sensor.core.nextDeadline() == 1ms));
        QByteArray out = sensor.run(0ns, 1s, 7ms);
        // An answer in the middle of it comes out whole: garbage only ever goes between lines.
        const QByteArray idn = sensor.send("*IDN?", 1s);
        BOOST_REQUIRE_EQUAL(str(idn), "ACME,ENV-1,SN0001,1.4.2\n");
        out += idn + sensor.run(1001ms, 3s, 7ms);
        BOOST_REQUIRE(!sensor.core.nextDeadline());
        // One byte every 1 ms from 1 ms to 1999 ms: the fault ends at 2 s.
        BOOST_REQUIRE_EQUAL(sensor.counter("garbage_bytes", 3s), 1999u);
        return out;
    };
    const QByteArray first = collect(1);
    BOOST_TEST(first.size() == 1999 + 24);
    BOOST_TEST(first.contains("ACME,ENV-1,SN0001,1.4.2\n"));
    BOOST_TEST(first.contains('\0'));
    BOOST_TEST(std::count_if(first.begin(), first.end(), [](char c) { return static_cast<uchar>(c) >= 0x80; })
               > 900);
    // Not valid UTF-8: decoding replaces sequences, so the bytes do not survive a round trip.
    BOOST_TEST((QString::fromUtf8(first).toUtf8() != first));
    BOOST_TEST((collect(1) == first));
    BOOST_TEST((collect(2) != first));
}

BOOST_AUTO_TEST_CASE(garbage_stops_while_hung_or_off) {
    FakeSensor sensor;
    BOOST_TEST(str(sensor.control("FAULT garbage rate=1000 for=3s", 0ns)) == "OK");
    QByteArray out = sensor.run(0ns, 500ms - 1ns, 7ms);
    BOOST_TEST(str(sensor.control("FAULT hang for=1s", 500ms)) == "OK");
    out += sensor.run(500ms, 2s, 10ms);
    // Bytes 1..499 before the hang, none in [0.5 s, 1.5 s), 1500..2000 after it.
    BOOST_TEST(out.size() == 499 + 501);
    BOOST_TEST(str(sensor.control("POWER OFF", 2s)) == "OK");
    BOOST_TEST(sensor.run(2s, 3s, 7ms).isEmpty());
    BOOST_TEST(sensor.counter("garbage_bytes", 3s) == 1000u);
}

BOOST_AUTO_TEST_CASE(clear_restores_the_clean_readings) {
    FakeSensor faulty;
    FakeSensor clean;
    for (const char *fault : {"FAULT drift channel=temp rate=1", "FAULT offset channel=hum value=5",
                              "FAULT noise channel=temp sigma=1", "FAULT spike channel=hum p=1 size=3",
                              "FAULT dropout p=0.5", "FAULT garbage", "FAULT stuck channel=hum"})
        BOOST_REQUIRE_EQUAL(str(faulty.control(fault, 1s)), "OK");
    BOOST_TEST(faulty.core.control("STATUS?", 2s).size() == 7 + 1);
    // A channel given: only that channel; none there is fine.
    BOOST_TEST(str(faulty.control("CLEAR drift channel=hum", 2s)) == "OK");
    BOOST_TEST(str(faulty.control("CLEAR noise channel=temp", 2s)) == "OK");
    BOOST_TEST(faulty.core.control("STATUS?", 2s).size() == 6 + 1);
    BOOST_TEST(str(faulty.control("CLEAR all", 6s)) == "OK");
    BOOST_TEST(str(faulty.control("STATUS?", 6s)) == "OK");
    BOOST_TEST(faulty.core.tick(6s).size() < 5 * 100 + 1); // what was due before the clear, no more
    BOOST_TEST(faulty.core.tick(10s).isEmpty());
    for (auto t = 7s; t <= 9s; t += 1s)
        BOOST_TEST(str(faulty.send("READ? ALL", t)) == str(clean.send("READ? ALL", t)));
}

BOOST_AUTO_TEST_CASE(status_and_counters) {
    FakeSensor sensor;
    for (const char *fault :
         {"FAULT drift channel=temp rate=0.1", "FAULT spike channel=hum p=0.5 size=2 for=10s",
          "FAULT dropout p=0.25", "FAULT garbage rate=50 for=1m", "FAULT noise channel=temp sigma=0.5"})
        BOOST_REQUIRE_EQUAL(str(sensor.control(fault, 0ns)), "OK");
    BOOST_TEST(str(sensor.control("STATUS?", 4s))
               == "drift channel=temp rate=0.1\n"
                  "noise channel=temp sigma=0.5\n"
                  "spike channel=hum p=0.5 size=2 for=6s\n"
                  "dropout p=0.25\n"
                  "garbage rate=50 for=56s\n"
                  "OK");
    // A timed fault leaves the list when its time is up.
    BOOST_TEST(!sensor.control("STATUS?", 10s).contains("spike"));
    sensor.send("*IDN?", 10s);
    sensor.send("BOGUS", 10s);
    sensor.control("FAULT wobble", 10s);
    const QByteArrayList counters = sensor.core.control("COUNTERS?", 10s);
    QByteArrayList names;
    for (const QByteArray &line : counters) {
        if (line != "OK") {
            BOOST_TEST(matches(line, "^[a-z_]+ \\d+$"), str(line));
            names.append(line.split(' ').first());
        }
    }
    BOOST_TEST(
        str(names.join(' '))
        == "commands answers data_lines dropped_answers suppressed_lines discarded_bytes garbage_bytes "
           "long_lines duplicated_lines late_answers stale_answers unplugs "
           "reboots power_offs boots faults_started control_commands control_errors");
    BOOST_TEST(str(counters.last()) == "OK");
    BOOST_TEST(sensor.counter("commands", 10s) == 2u);
    BOOST_TEST(sensor.counter("answers", 10s) == 2u);
    BOOST_TEST(sensor.counter("faults_started", 10s) == 5u);
    BOOST_TEST(sensor.counter("control_errors", 10s) == 1u);
}

BOOST_AUTO_TEST_CASE(bad_control_commands_change_nothing) {
    FakeSensor sensor;
    BOOST_TEST(str(sensor.control("FAULT drift channel=temp rate=0.1", 0ns)) == "OK");
    for (const char *bad : {"FAULT drift channel=temp rate=abc", "FAULT drift channel=temp rate=0.5 for=-1s",
                            "FAULT stuck channel=bogus", "FAULT hang for=never", "FAULT garbage rate=-5",
                            "FAULT reboot down=soon", "CLEAR drift channel=bogus", "CLEAR wobble",
                            "POWER DOWN", "FAULT spike channel=temp p=2 size=1"})
        BOOST_TEST(sensor.control(bad, 1s).startsWith("ERR "), bad);
    BOOST_TEST(str(sensor.control("STATUS?", 1s)) == "drift channel=temp rate=0.1\nOK");
    BOOST_TEST((sensor.core.power() == DeviceCore::Power::On));
    BOOST_TEST(str(sensor.send("*IDN?", 1s)) == "ACME,ENV-1,SN0001,1.4.2\n");
    BOOST_TEST(sensor.counter("control_errors", 1s) == 10u);
    BOOST_TEST(sensor.counter("faults_started", 1s) == 1u);
}

BOOST_AUTO_TEST_CASE(faults_repeat_with_their_seed) {
    const auto session = [](quint64 seed) -> QByteArray {
        EnvSensorConfig config;
        config.seed = seed;
        config.rateHz = 50;
        FakeSensor sensor(config);
        sensor.send("STREAM ON", 0ns);
        for (const char *fault :
             {"FAULT noise channel=temp sigma=0.3", "FAULT spike channel=hum p=0.2 size=1",
              "FAULT dropout p=0.2", "FAULT garbage rate=200"})
            BOOST_REQUIRE_EQUAL(str(sensor.control(fault, 0ns)), "OK");
        return sensor.run(0ns, 5s, 10ms) + sensor.send("READ? ALL", 5s);
    };
    const QByteArray first = session(7);
    BOOST_TEST(first.size() > 3000);
    BOOST_TEST((session(7) == first));
    BOOST_TEST((session(8) != first));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(psu_model)

// A PSU-2 on fake time that records every output switch.
struct FakePsu {
    explicit FakePsu(PsuConfig config = {})
        : core(make(config, &psu, &switches), config.seed) {}

    static std::unique_ptr<PsuProtocol> make(const PsuConfig &config, PsuProtocol **psu,
                                             std::vector<bool> *log) {
        auto protocol = std::make_unique<PsuProtocol>(config);
        protocol->setOutputSwitchedHandler([log](bool on) { log->push_back(on); });
        *psu = protocol.get();
        return protocol;
    }
    std::string send(const char *line, nanoseconds now = 0ns) {
        return str(core.receive(QByteArray(QByteArray(line) + '\n'), now));
    }
    double number(const char *line, nanoseconds now = 0ns) {
        return QByteArray::fromStdString(send(line, now)).toDouble();
    }

    PsuProtocol *psu = nullptr;
    std::vector<bool> switches;
    DeviceCore core;
};

BOOST_AUTO_TEST_CASE(idn_output_and_voltage) {
    FakePsu supply;
    BOOST_TEST(supply.send("*IDN?") == "ACME,PSU-2,PS0001,2.1.0\n");
    BOOST_TEST(supply.send("OUTP?") == "1\n");
    BOOST_TEST(supply.send("VOLT?") == "5.000\n");
    BOOST_TEST(supply.send("VOLT 12.5") == "OK\n");
    BOOST_TEST(supply.send("volt?") == "12.500\n");
    BOOST_TEST(supply.send("VOLT 30") == "OK\n");
    BOOST_TEST(supply.send("VOLTAGE 0") == "OK\n");
    for (const char *bad : {"VOLT 30.01", "VOLT -1", "VOLT 1e3"})
        BOOST_TEST(supply.send(bad) == "ERR range\n", bad);
    for (const char *bad : {"VOLT abc", "VOLT", "OUTP MAYBE", "OUTP", "MEAS:VOLT", "MEAS:POWER?", "*IDN? x"})
        BOOST_TEST(supply.send(bad) == "ERR unknown command\n", bad);
    BOOST_TEST(supply.send("VOLTAGE?") == "0.000\n");
    BOOST_TEST(supply.switches.empty());

    BOOST_TEST(supply.send("OUTP OFF") == "OK\n");
    BOOST_TEST(supply.send("OUTP?") == "0\n");
    BOOST_TEST(supply.send("OUTP OFF") == "OK\n"); // already off: no switch
    BOOST_TEST(supply.send("OUTPUT 1") == "OK\n");
    BOOST_TEST(supply.send("OUTPUT?") == "1\n");
    BOOST_TEST(supply.send("outp 0") == "OK\n");
    BOOST_TEST((supply.switches == std::vector<bool>{false, true, false}));
}

BOOST_AUTO_TEST_CASE(measurements_follow_output_and_load) {
    FakePsu supply;
    double sum = 0, sum2 = 0;
    const int n = 4000;
    for (int i = 0; i < n; ++i) {
        const double v = supply.number("MEAS:VOLT?");
        sum += v;
        sum2 += v * v;
    }
    const double mean = sum / n;
    const double sd = std::sqrt(sum2 / n - mean * mean);
    BOOST_TEST(std::abs(mean - 5.0) < 0.0003);
    BOOST_TEST(sd > 0.0017); // 2 mV, read at 1 mV resolution
    BOOST_TEST(sd < 0.0023);
    // The load: 0.12 A at 5 V, proportional to the voltage.
    BOOST_TEST(std::abs(supply.number("MEAS:CURR?") - 0.12) < 0.003);
    BOOST_TEST(std::abs(supply.number("MEASURE:CURRENT?") - 0.12) < 0.003);
    BOOST_TEST(supply.send("VOLT 12") == "OK\n");
    BOOST_TEST(std::abs(supply.number("MEAS:VOLT?") - 12.0) < 0.01);
    BOOST_TEST(std::abs(supply.number("MEAS:CURR?") - 0.288) < 0.003);
    BOOST_TEST(matches(QByteArray::fromStdString(supply.send("MEAS:CURR?")), "^\\d\\.\\d{4}\\n$"));
    // A fed device that cannot be reached draws nothing.
    supply.psu->setLoadConnected(false);
    BOOST_TEST(supply.number("MEAS:CURR?") < 0.0005);
    supply.psu->setLoadConnected(true);
    // Output off: about 0 V and 0 A, never negative.
    BOOST_TEST(supply.send("OUTP OFF") == "OK\n");
    for (int i = 0; i < 200; ++i) {
        const double v = supply.number("MEAS:VOLT?");
        const double a = supply.number("MEAS:CURR?");
        BOOST_TEST_REQUIRE((v >= 0.0 && v < 0.003));
        BOOST_TEST_REQUIRE((a >= 0.0 && a < 0.0005));
    }
}

BOOST_AUTO_TEST_CASE(power_cycle_switches_the_output) {
    PsuConfig config;
    config.volts = 3.3;
    FakePsu supply(config);
    BOOST_TEST(supply.send("VOLT 12") == "OK\n");
    BOOST_TEST(str(supply.core.control("POWER OFF", 1s).join('\n')) == "OK");
    BOOST_TEST((supply.switches == std::vector<bool>{false}));
    BOOST_TEST(supply.send("OUTP?", 1s).empty());
    BOOST_TEST(str(supply.core.control("POWER ON", 2s).join('\n')) == "OK");
    BOOST_TEST(str(supply.core.tick(2300ms)) == "PSU-2 PS0001 ready\n");
    // Boots into its configured state: output on at 3.3 V, which switches the fed device on again.
    BOOST_TEST((supply.switches == std::vector<bool>{false, true}));
    BOOST_TEST(supply.send("VOLT?", 2300ms) == "3.300\n");
    BOOST_TEST(supply.send("OUTP?", 2300ms) == "1\n");

    config.outputOn = false;
    FakePsu offAtBoot(config);
    BOOST_TEST(offAtBoot.send("OUTP ON") == "OK\n");
    BOOST_TEST(str(offAtBoot.core.control("FAULT reboot down=500ms", 1s).join('\n')) == "OK");
    BOOST_TEST(str(offAtBoot.core.tick(1500ms)) == "PSU-2 PS0001 ready\n");
    BOOST_TEST((offAtBoot.switches == std::vector<bool>{true, false}));
    BOOST_TEST(offAtBoot.send("OUTP?", 1500ms) == "0\n");
}

BOOST_AUTO_TEST_CASE(faults_act_on_measurements) {
    FakePsu supply;
    BOOST_TEST(str(supply.core.control("FAULT offset channel=volt value=1", 0ns).join('\n')) == "OK");
    BOOST_TEST(std::abs(supply.number("MEAS:VOLT?", 1s) - 6.0) < 0.01);
    BOOST_TEST(str(supply.core.control("FAULT stuck channel=curr value=2", 1s).join('\n')) == "OK");
    BOOST_TEST(supply.send("MEAS:CURR?", 2s) == "2.0000\n");
    BOOST_TEST(str(supply.core.control("FAULT dropout", 2s).join('\n')) == "OK");
    BOOST_TEST(supply.send("MEAS:VOLT?", 3s).empty());
    BOOST_TEST(supply.send("*IDN?", 3s) == "ACME,PSU-2,PS0001,2.1.0\n");
    BOOST_TEST(str(supply.core.control("FAULT drift channel=temp rate=1", 3s).join('\n'))
               == "ERR unknown channel temp (volt|curr)");
    // The same seed measures the same noise.
    FakePsu a, b;
    for (int i = 0; i < 50; ++i)
        BOOST_TEST_REQUIRE(a.send("MEAS:VOLT?") == b.send("MEAS:VOLT?"));
}

BOOST_AUTO_TEST_SUITE_END()
BOOST_AUTO_TEST_SUITE(in_process)

BOOST_AUTO_TEST_CASE(device_streams_on_its_timer) {
    EnvSensorConfig config;
    config.rateHz = 200;
    auto owned = std::make_unique<EnvSensorProtocol>(config);
    const EnvSensorProtocol &protocol = *owned;
    SimDevice device(std::move(owned), config.seed);
    QByteArray received;
    QObject::connect(&device, &SimDevice::transmit, [&](const QByteArray &bytes) { received += bytes; });
    device.receive("STREAM ON\n");
    BOOST_TEST(str(received) == "OK\n");
    received.clear();

    BOOST_REQUIRE(waitUntil([&] { return received.count('\n') >= 40; }));
    const QByteArrayList lines = received.split('\n');
    for (qsizetype i = 0; i < 40; ++i)
        BOOST_TEST(lines[i].startsWith(QByteArray("DATA " + QByteArray::number(i + 1) + ' ')), str(lines[i]));
    device.endSession();
    BOOST_TEST(!protocol.isStreaming());
}

BOOST_AUTO_TEST_CASE(device_boots_on_its_timer_and_holds_output) {
    SimDevice device(std::make_unique<EnvSensorProtocol>(EnvSensorConfig{}), 1);
    QByteArray received;
    QObject::connect(&device, &SimDevice::transmit, [&](const QByteArray &bytes) { received += bytes; });
    BOOST_TEST(str(device.control("FAULT reboot down=200ms").join('\n')) == "OK");
    QElapsedTimer clock;
    clock.start();
    BOOST_REQUIRE(waitUntil([&] { return received.contains('\n'); }));
    BOOST_TEST(clock.elapsed() >= 199);
    BOOST_TEST(str(received) == "ENV-1 SN0001 ready\n");

    // Held output waits for the last release, in order.
    received.clear();
    device.holdOutput();
    device.holdOutput();
    device.receive("*IDN?\nRATE?\n");
    device.releaseOutput();
    BOOST_TEST(received.isEmpty());
    device.releaseOutput();
    BOOST_TEST(str(received) == "ACME,ENV-1,SN0001,1.4.2\nRATE 10\n");
    device.releaseOutput(); // one too many changes nothing
    device.receive("RATE?\n");
    BOOST_TEST(str(received) == "ACME,ENV-1,SN0001,1.4.2\nRATE 10\nRATE 10\n");
}

BOOST_AUTO_TEST_CASE(tcp_endpoint_serves_one_client_at_a_time) {
    EnvSensorConfig config;
    config.banner = true;
    SimDevice device(std::make_unique<EnvSensorProtocol>(config), config.seed);
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
    SimDevice device(std::make_unique<EnvSensorProtocol>(EnvSensorConfig{}), 1);
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

BOOST_AUTO_TEST_CASE(control_server_serves_several_clients) {
    SimDevice device(std::make_unique<EnvSensorProtocol>(EnvSensorConfig{}), 1);
    ControlServer control(&device);
    BOOST_REQUIRE(control.listen(0));
    BOOST_TEST((control.address() == QHostAddress(QHostAddress::LocalHost)));
    QTcpSocket harness;
    QTcpSocket supply;
    harness.connectToHost(QHostAddress::LocalHost, control.port());
    supply.connectToHost(QHostAddress::LocalHost, control.port());
    const auto reply = [](QTcpSocket &socket, const QByteArray &line, int lines = 1) {
        socket.write(line);
        QByteArray got;
        BOOST_REQUIRE(waitUntil([&] {
            while (socket.canReadLine())
                got += socket.readLine();
            return got.count('\n') >= lines;
        }));
        return str(got);
    };
    BOOST_TEST(reply(harness, "FAULT hang\r\n") == "OK\n");
    BOOST_TEST(reply(supply, "STATUS?\n", 2) == "hang\nOK\n");
    // Empty lines are ignored; several commands in one write are answered in order.
    BOOST_TEST(reply(supply, "\n\nCLEAR hang\nSTATUS?\nBOGUS\n", 3) == "OK\nOK\nERR unknown command\n");
    BOOST_TEST(reply(harness, QByteArray(5000, 'x'), 1) == "ERR line too long\n");
    BOOST_TEST(reply(harness, "still the long line\nSTATUS?\n") == "OK\n");
    BOOST_TEST(control.counters().clientsAccepted == 2u);
    BOOST_TEST(control.counters().linesHandled == 6u);
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

BOOST_AUTO_TEST_CASE(ready_line_names_the_control_port) {
    // A port that was free a moment ago, for --control.
    quint16 wanted = 0;
    {
        QTcpServer probe;
        BOOST_REQUIRE(probe.listen(QHostAddress::LocalHost, 0));
        wanted = probe.serverPort();
    }
    SimProcess tcp({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--control"), QString::number(wanted)});
    const Ready ready = tcp.ready();
    BOOST_TEST(ready.control == wanted);
    QTcpSocket control;
    connectTo(control, ready.control);
    BOOST_TEST(str(command(control, "STATUS?")) == "OK");

    SimProcess pty({QStringLiteral("psu"), QStringLiteral("--pty")});
    const Ready ptyReady = pty.ready();
    BOOST_TEST((ptyReady.link == u"pty"));
    QTcpSocket ptyControl;
    connectTo(ptyControl, ptyReady.control);
    BOOST_TEST(str(command(ptyControl, "STATUS?")) == "OK");

    // A control port in use is a runtime failure, before READY.
    SimProcess clash({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                      QStringLiteral("--control"), QString::number(wanted)});
    BOOST_REQUIRE(clash.process().waitForFinished(10000));
    BOOST_TEST(clash.process().exitCode() == 1);
    BOOST_TEST(clash.process().readAllStandardOutput().isEmpty());
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

BOOST_AUTO_TEST_CASE(drift_slope_on_a_real_stream) {
    // The harness's fidelity check on the real thing: DATA at 50 Hz for 8 s with a 0.1/s drift, the slope
    // fitted against the model time of each line (seq / rate) and against the time it arrived. Over 8 s
    // the sensor noise gives the slope a standard error of about 1.1 %.
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--rate"), QStringLiteral("50"), QStringLiteral("--seed"),
                    QStringLiteral("11")});
    const Ready ready = sim.ready();
    QTcpSocket socket;
    QTcpSocket control;
    connectTo(socket, ready.port);
    connectTo(control, ready.control);
    BOOST_TEST(str(command(control, "FAULT drift channel=temp rate=0.1")) == "OK");
    BOOST_TEST(str(ask(socket, "STREAM ON")) == "OK");
    QElapsedTimer clock;
    clock.start();
    std::vector<double> modelTime, arrival, temperature;
    while (temperature.size() < 400) {
        const auto line = readLine(socket);
        BOOST_REQUIRE(line);
        const auto data = dataLines(*line);
        BOOST_REQUIRE_EQUAL(data.size(), 1u);
        BOOST_REQUIRE_EQUAL(data.front().seq, temperature.size() + 1);
        modelTime.push_back(static_cast<double>(data.front().seq) / 50.0);
        arrival.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e9);
        temperature.push_back(data.front().temperature);
    }
    const double byModel = slope(modelTime, temperature);
    const double byArrival = slope(arrival, temperature);
    BOOST_TEST_MESSAGE("drift slope: " << byModel << "/s by model time, " << byArrival << "/s by arrival");
    BOOST_TEST(std::abs(byModel - 0.1) < 0.005);
    BOOST_TEST(std::abs(byArrival - 0.1) < 0.005);
}

BOOST_AUTO_TEST_CASE(hang_stops_answers_for_its_duration_tcp) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const Ready ready = sim.ready();
    QTcpSocket socket;
    QTcpSocket control;
    connectTo(socket, ready.port);
    connectTo(control, ready.control);
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    QElapsedTimer clock;
    clock.start();
    BOOST_TEST(str(command(control, "FAULT hang for=1s")) == "OK");
    socket.write("*IDN?\nREAD? TEMP\n");
    BOOST_TEST(staysSilent(socket, 900ms));
    BOOST_TEST(str(command(control, "STATUS?")).starts_with("hang for="));
    // Wait out the rest of the hang; then it answers again (the commands sent during it are gone).
    BOOST_TEST(staysSilent(socket, std::chrono::milliseconds(std::max<qint64>(0, 1050 - clock.elapsed()))));
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(clock.elapsed() >= 1000);
    BOOST_TEST(str(command(control, "STATUS?")) == "OK");
}

BOOST_AUTO_TEST_CASE(hang_and_clear_over_pty) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--pty")});
    const Ready ready = sim.ready();
    QTcpSocket control;
    connectTo(control, ready.control);
    FileDescriptor slave(openPty(ready.ptyPath));
    QByteArray buffer;
    writeAll(slave.get(), "*IDN?\n");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(str(command(control, "FAULT hang")) == "OK");
    writeAll(slave.get(), "*IDN?\n");
    BOOST_TEST(!readLine(slave.get(), buffer, 500ms));
    BOOST_TEST(str(command(control, "CLEAR hang")) == "OK");
    writeAll(slave.get(), "*IDN?\n");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(str(command(control, "COUNTERS?")).find("discarded_bytes 6\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reboot_gives_silence_then_banner_then_fresh_state_tcp) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const Ready ready = sim.ready();
    QTcpSocket socket;
    QTcpSocket control;
    connectTo(socket, ready.port);
    connectTo(control, ready.control);
    BOOST_TEST(str(ask(socket, "RATE 20")) == "OK");
    BOOST_TEST(str(ask(socket, "STREAM ON")) == "OK");
    BOOST_REQUIRE(readLine(socket)); // streaming
    QElapsedTimer clock;
    clock.start();
    BOOST_TEST(str(command(control, "FAULT reboot down=1s")) == "OK");
    socket.write("*IDN?\n");
    // What was due before the reboot may still arrive; then nothing but the banner, after `down`.
    std::optional<QByteArray> line;
    do {
        line = readLine(socket, 3s);
    } while (line && line->startsWith("DATA "));
    BOOST_REQUIRE(line);
    BOOST_TEST(str(*line) == "ENV-1 SN0001 ready");
    BOOST_TEST(clock.elapsed() >= 990);
    BOOST_TEST(str(ask(socket, "RATE?")) == "RATE 10");
    BOOST_TEST(staysSilent(socket, 300ms)); // streaming is off
    BOOST_TEST(str(command(control, "COUNTERS?")).find("reboots 1\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reboot_over_pty) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--pty"), QStringLiteral("--serial"),
                    QStringLiteral("SN77")});
    const Ready ready = sim.ready();
    QTcpSocket control;
    connectTo(control, ready.control);
    FileDescriptor slave(openPty(ready.ptyPath));
    QByteArray buffer;
    BOOST_TEST(str(command(control, "FAULT reboot down=300ms")) == "OK");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "ENV-1 SN77 ready");
    writeAll(slave.get(), "*IDN?\n");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "ACME,ENV-1,SN77,1.4.2");
}

BOOST_AUTO_TEST_CASE(garbage_dropout_and_stuck_over_tcp) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const Ready ready = sim.ready();
    QTcpSocket socket;
    QTcpSocket control;
    connectTo(socket, ready.port);
    connectTo(control, ready.control);

    BOOST_TEST(str(command(control, "FAULT dropout p=1")) == "OK");
    socket.write("READ? TEMP\n");
    BOOST_TEST(staysSilent(socket, 300ms));
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(str(command(control, "CLEAR dropout")) == "OK");
    BOOST_TEST(matches(ask(socket, "READ? TEMP"), "^TEMP \\d+\\.\\d{3}$"));

    BOOST_TEST(str(command(control, "FAULT stuck channel=temp value=-12.25")) == "OK");
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(str(ask(socket, "READ? TEMP")) == "TEMP -12.250");
    BOOST_TEST(str(command(control, "CLEAR all")) == "OK");

    BOOST_TEST(str(command(control, "FAULT garbage rate=5000 for=300ms")) == "OK");
    socket.write("*IDN?\n");
    QByteArray received;
    BOOST_REQUIRE(waitUntil([&] {
        received += socket.readAll();
        return received.size() >= 1499 + 24;
    }));
    BOOST_TEST(received.contains("ACME,ENV-1,SN0001,1.4.2\n"));
    BOOST_TEST(received.contains('\0'));
    BOOST_TEST(
        std::count_if(received.begin(), received.end(), [](char c) { return static_cast<uchar>(c) >= 0x80; })
        > 500);
    BOOST_TEST(staysSilent(socket, 300ms)); // the fault ended
    BOOST_TEST(str(command(control, "COUNTERS?")).find("garbage_bytes 1499\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(status_counters_and_errors_over_control) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const Ready ready = sim.ready();
    QTcpSocket control;
    connectTo(control, ready.control);
    BOOST_TEST(str(command(control, "FAULT offset channel=temp value=2.5")) == "OK");
    BOOST_TEST(str(command(control, "FAULT noise channel=hum sigma=0.5 for=1h")) == "OK");
    BOOST_TEST(matches(
        command(control, "STATUS?"),
        "^offset channel=temp value=2\\.5\\nnoise channel=hum sigma=0\\.5 for=3[56]\\d\\d(\\.\\d+)?s\\nOK$"));
    BOOST_TEST(str(command(control, "FAULT wobble")) == "ERR unknown fault kind wobble");
    BOOST_TEST(str(command(control, "FAULT spike channel=temp p=7 size=1"))
               == "ERR bad value p=7 (expected 0..1)");
    BOOST_TEST(str(command(control, "hello")) == "ERR unknown command");
    const QByteArray counters = command(control, "COUNTERS?");
    BOOST_TEST(matches(counters, "control_commands 4\\ncontrol_errors 3\\nOK$"), str(counters));
    BOOST_TEST(str(command(control, "CLEAR all")) == "OK");
    BOOST_TEST(str(command(control, "STATUS?")) == "OK");

    // A client that sends its commands and half-closes (printf | nc) still gets every answer.
    QTcpSocket oneShot;
    connectTo(oneShot, ready.control);
    oneShot.write("FAULT hang\nSTATUS?\n");
    BOOST_REQUIRE(oneShot.waitForBytesWritten(5000));
    BOOST_REQUIRE_EQUAL(::shutdown(static_cast<int>(oneShot.socketDescriptor()), SHUT_WR), 0);
    QByteArray received;
    BOOST_REQUIRE(waitUntil([&] {
        received += oneShot.readAll();
        return oneShot.state() == QAbstractSocket::UnconnectedState || received.count('\n') >= 3;
    }));
    BOOST_TEST(str(received) == "OK\nhang\nOK\n");
}

BOOST_AUTO_TEST_CASE(seeds_reproduce_over_the_wire) {
    // Garbage byte n and the noise on sample k depend on the seed alone, not on timing.
    const auto garbage = [](const char *seed) {
        SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                        QStringLiteral("--seed"), QString::fromLatin1(seed)});
        const Ready ready = sim.ready();
        QTcpSocket socket;
        QTcpSocket control;
        connectTo(socket, ready.port);
        connectTo(control, ready.control);
        BOOST_REQUIRE_EQUAL(str(command(control, "FAULT garbage rate=4000 for=250ms")), "OK");
        QByteArray received;
        BOOST_REQUIRE(waitUntil([&] {
            received += socket.readAll();
            return received.size() >= 999;
        }));
        return received;
    };
    const QByteArray first = garbage("5");
    BOOST_TEST(first.size() == 999);
    BOOST_TEST((garbage("5") == first));
    BOOST_TEST((garbage("6") != first));
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

BOOST_AUTO_TEST_CASE(psu_over_tcp_and_pty) {
    SimProcess tcp({QStringLiteral("psu"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--serial"), QStringLiteral("PS9"), QStringLiteral("--volt"),
                    QStringLiteral("12")});
    QTcpSocket socket;
    connectTo(socket, tcp.readyTcpPort());
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,PSU-2,PS9,2.1.0");
    BOOST_TEST(str(ask(socket, "VOLT?")) == "12.000");
    BOOST_TEST(str(ask(socket, "OUTP?")) == "1");
    BOOST_TEST(std::abs(ask(socket, "MEAS:VOLT?").toDouble() - 12.0) < 0.01);
    BOOST_TEST(std::abs(ask(socket, "MEAS:CURR?").toDouble() - 0.288) < 0.003);
    BOOST_TEST(str(ask(socket, "VOLT 31")) == "ERR range");
    BOOST_TEST(str(ask(socket, "OUTP OFF")) == "OK"); // feeds nothing: answered at once
    BOOST_TEST(ask(socket, "MEAS:VOLT?").toDouble() < 0.003);

    SimProcess pty({QStringLiteral("psu"), QStringLiteral("--pty"), QStringLiteral("--banner"),
                    QStringLiteral("--output"), QStringLiteral("off")});
    FileDescriptor slave(openPty(pty.readyPtyPath()));
    QByteArray buffer;
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "PSU-2 PS0001 ready");
    writeAll(slave.get(), "OUTP?\n");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "0");
    writeAll(slave.get(), "OUTP ON\nMEAS:CURR?\n");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "OK");
    BOOST_TEST(std::abs(readLine(slave.get(), buffer).value_or("0").toDouble() - 0.12) < 0.003);
}

BOOST_AUTO_TEST_CASE(psu_switches_a_real_envsensor) {
    SimProcess sensor({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const Ready sensorReady = sensor.ready();
    SimProcess psu({QStringLiteral("psu"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--feeds-control"),
                    QStringLiteral("127.0.0.1:") + QString::number(sensorReady.control)});
    const Ready psuReady = psu.ready();
    QTcpSocket device;
    QTcpSocket supply;
    QTcpSocket sensorControl;
    connectTo(device, sensorReady.port);
    connectTo(supply, psuReady.port);
    connectTo(sensorControl, sensorReady.control);
    BOOST_TEST(str(ask(device, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(std::abs(ask(supply, "MEAS:CURR?").toDouble() - 0.12) < 0.003);

    // "OK" comes once the sensor has been switched off: it is silent from then on.
    BOOST_TEST(str(ask(supply, "OUTP OFF")) == "OK");
    BOOST_TEST(str(command(sensorControl, "STATUS?")) == "power off\nOK");
    device.write("*IDN?\n");
    BOOST_TEST(staysSilent(device, 500ms));
    BOOST_TEST(ask(supply, "MEAS:CURR?").toDouble() < 0.0005);

    BOOST_TEST(str(ask(supply, "OUTP ON")) == "OK");
    QElapsedTimer boot;
    boot.start();
    BOOST_TEST(str(readLine(device, 3s).value_or("(none)")) == "ENV-1 SN0001 ready");
    BOOST_TEST(boot.elapsed() >= 250); // the 300 ms boot, less the time the answer took to get here
    BOOST_TEST(str(ask(device, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(std::abs(ask(supply, "MEAS:CURR?").toDouble() - 0.12) < 0.003);
    const std::string counters = str(command(sensorControl, "COUNTERS?"));
    BOOST_TEST(counters.find("power_offs 1\n") != std::string::npos, counters);
    BOOST_TEST(counters.find("boots 1\n") != std::string::npos, counters);

    // The supply losing its own power takes the sensor down with it.
    QTcpSocket supplyControl;
    connectTo(supplyControl, psuReady.control);
    BOOST_TEST(str(command(supplyControl, "POWER OFF")) == "OK");
    BOOST_REQUIRE(waitUntil([&] { return command(sensorControl, "STATUS?") == "power off\nOK"; }, 5s));
}

BOOST_AUTO_TEST_CASE(psu_refuses_a_feed_it_cannot_reach) {
    quint16 closed = 0;
    {
        QTcpServer probe;
        BOOST_REQUIRE(probe.listen(QHostAddress::LocalHost, 0));
        closed = probe.serverPort();
    }
    SimProcess psu({QStringLiteral("psu"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--feeds-control"),
                    QStringLiteral("127.0.0.1:") + QString::number(closed)});
    BOOST_REQUIRE(psu.process().waitForFinished(10000));
    BOOST_TEST(psu.process().exitCode() == 1);
    BOOST_TEST(psu.process().readAllStandardOutput().isEmpty());
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
    static const QRegularExpression ready(QStringLiteral("^READY tcp 127\\.0\\.0\\.1:(\\d+) control "));
    for (int i = 0; i < 2; ++i) {
        const auto line = shell.readStdoutLine();
        BOOST_REQUIRE(line);
        if (line->startsWith(QStringLiteral("PID ")))
            child = static_cast<pid_t>(line->mid(4).toInt());
        else if (const auto match = ready.match(*line); match.hasMatch())
            port = match.captured(1).toUShort();
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
    for (const char *option : {"--tcp <PORT>", "--no-reply", "--control <PORT>",
                               "--feeds-control <HOST:PORT>", "--volt <V>", "--output <on|off>", "psu"})
        BOOST_TEST(helpText.contains(QLatin1String(option)), option);

    const auto args = [](std::initializer_list<const char *> words) {
        QStringList list;
        for (const char *word : words)
            list.append(QString::fromLatin1(word));
        return list;
    };
    for (const QStringList &bad :
         {args({"envsensor"}), args({"envsensor", "--pty", "--tcp", "0"}), args({"toaster", "--pty"}),
          args({"envsensor", "psu", "--pty"}), args({"envsensor", "--tcp", "0", "--rate", "5000"}),
          args({"envsensor", "--tcp", "70000"}), args({"envsensor", "--tcp", "0", "--control", "70000"}),
          args({"envsensor", "--tcp", "0", "--control", "any"}),
          args({"envsensor", "--tcp", "0", "--serial", "A,B"}), args({"envsensor", "--frobnicate"}),
          args({"envsensor", "--tcp", "0", "--volt", "5"}),
          args({"envsensor", "--tcp", "0", "--feeds-control", "127.0.0.1:5000"}),
          args({"psu", "--tcp", "0", "--rate", "10"}), args({"psu", "--tcp", "0", "--volt", "31"}),
          args({"psu", "--tcp", "0", "--volt", "-1"}), args({"psu", "--tcp", "0", "--output", "maybe"}),
          args({"psu", "--tcp", "0", "--feeds-control", "localhost"}),
          args({"psu", "--tcp", "0", "--feeds-control", "127.0.0.1:0"}),
          args({"psu", "--tcp", "0", "--feeds-control", "nowhere:4000"})}) {
        const auto [code, output] = run(bad);
        BOOST_TEST(code == 2, str(bad.join(QLatin1Char(' '))));
        BOOST_TEST(output.isEmpty()); // stdout stays clean: the harness parses it
    }
}

BOOST_AUTO_TEST_SUITE_END()
