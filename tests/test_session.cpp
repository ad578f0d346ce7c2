#define BOOST_TEST_MODULE session
#include "core/session/devicesession.h"
#include "core/transport/serialtransportfactory.h"
#include "support/eventloop.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSocketNotifier>
#include <QTimer>
#include <boost/test/unit_test.hpp>
#include <fcntl.h>
#include <optional>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

using hil::DeviceSession;

namespace {

using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

// The test plays the device on a PTY master that the event loop does not watch: re-check every ms too.
bool waitFor(const std::function<bool()> &done, int timeoutMs = 3000, int pollMs = 1) {
    return hiltest::waitUntil(done, timeoutMs, pollMs);
}

// A real pseudo-terminal: the test plays the device on the master side, the session opens the slave.
struct Device {
    int master = -1;
    QString slavePath;

    Device() {
        int slave = -1;
        char name[128] = {};
        BOOST_REQUIRE(::openpty(&master, &slave, name, nullptr, nullptr) == 0);
        termios t{};
        ::tcgetattr(slave, &t);
        ::cfmakeraw(&t);
        ::tcsetattr(slave, TCSANOW, &t);
        slavePath = QString::fromLocal8Bit(name);
        ::close(slave);
    }
    ~Device() {
        if (master >= 0)
            ::close(master);
    }
    // Writes everything, letting the session read in between when the PTY's buffer is full.
    void say(const QByteArray &bytes) const {
        qsizetype done = 0;
        BOOST_REQUIRE(waitFor([&] {
            const ssize_t n =
                ::write(master, bytes.constData() + done, static_cast<size_t>(bytes.size() - done));
            if (n > 0)
                done += n;
            return done == bytes.size();
        }));
    }
    QByteArray heard(int timeoutMs = 2000) const {
        QByteArray got;
        waitFor(
            [&] {
                char buf[4096];
                const ssize_t n = ::read(master, buf, sizeof buf);
                if (n > 0)
                    got.append(buf, n);
                return got.endsWith('\n');
            },
            timeoutMs);
        return got;
    }
    void hangUp() {
        ::close(master);
        master = -1;
    }
};

struct Fixture {
    Device device;
    hil::DeviceConfig config;
    std::unique_ptr<DeviceSession> session;

    explicit Fixture(qsizetype maxLine = 4096) {
        ::fcntl(device.master, F_SETFL, ::fcntl(device.master, F_GETFL) | O_NONBLOCK);
        config.name = QStringLiteral("dut");
        config.maxLineLength = maxLine;
        hil::SerialSettings s;
        s.port = device.slavePath;
        s.backend = hil::SerialSettings::Backend::Pty;
        session = std::make_unique<DeviceSession>(config, hil::makeSerialTransport(s));
        session->start();
        BOOST_REQUIRE(waitFor([&] { return session->state() == DeviceSession::State::Ready; }));
    }

    std::optional<DeviceSession::Answer> expect(const QString &pattern, int withinMs, bool skip = false) {
        std::optional<DeviceSession::Answer> answer;
        session->expect(QRegularExpression(pattern), std::chrono::milliseconds(withinMs), skip,
                        [&](const DeviceSession::Answer &a) { answer = a; });
        BOOST_REQUIRE(!answer); // never called from inside expect()
        waitFor([&] { return answer.has_value(); }, withinMs + 2000);
        return answer;
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(request_and_answer_with_named_captures) {
    Fixture f;
    f.session->sendLine("*IDN?");
    BOOST_TEST(f.device.heard() == QByteArray("*IDN?\n"));
    f.device.say("ACME,ENV-1,SN42,2.0.1\r\n");
    const auto a = f.expect(QStringLiteral("^ACME,ENV-1,(?<serial>\\S+),(?<fw>\\S+)$"), 1000);
    BOOST_REQUIRE(a);
    BOOST_TEST(static_cast<int>(a->outcome) == static_cast<int>(DeviceSession::Answer::Outcome::Matched));
    BOOST_TEST(a->match.captured(QStringLiteral("serial")) == QStringLiteral("SN42"));
    BOOST_TEST(a->match.captured(QStringLiteral("fw")) == QStringLiteral("2.0.1"));
}

BOOST_AUTO_TEST_CASE(a_wrong_answer_is_a_mismatch_carrying_the_answer) {
    Fixture f;
    f.device.say("ERR unknown command\n");
    const auto a = f.expect(QStringLiteral("^TEMP (?<t>[0-9.]+)$"), 1000);
    BOOST_REQUIRE(a);
    BOOST_TEST(static_cast<int>(a->outcome) == static_cast<int>(DeviceSession::Answer::Outcome::Mismatch));
    BOOST_TEST(a->line == QByteArray("ERR unknown command"));
}

BOOST_AUTO_TEST_CASE(silence_times_out_after_the_given_time) {
    Fixture f;
    QElapsedTimer t;
    t.start();
    const auto a = f.expect(QStringLiteral("^OK$"), 150);
    BOOST_REQUIRE(a);
    BOOST_TEST(static_cast<int>(a->outcome) == static_cast<int>(DeviceSession::Answer::Outcome::Timeout));
    BOOST_TEST(t.elapsed() >= 150);
    BOOST_TEST(t.elapsed() < 1500);
}

BOOST_AUTO_TEST_CASE(unsolicited_lines_are_kept_in_order_for_a_later_expect) {
    Fixture f;
    f.device.say("DATA 1\nDATA 2\nEVENT door-open\nDATA 3\n");
    BOOST_REQUIRE(waitFor([&] { return f.session->linesReceived() == 4; }));
    const auto first = f.expect(QStringLiteral("^DATA (?<n>\\d+)$"), 500, true);
    BOOST_REQUIRE(first);
    BOOST_TEST(first->match.captured(QStringLiteral("n")) == QStringLiteral("1"));
    const auto event = f.expect(QStringLiteral("^EVENT (?<what>.+)$"), 500, true);
    BOOST_REQUIRE(event);
    BOOST_TEST(event->match.captured(QStringLiteral("what")) == QStringLiteral("door-open"));
    BOOST_TEST(event->skipped == QByteArray("DATA 2\n"));
    const auto last = f.expect(QStringLiteral("^DATA (?<n>\\d+)$"), 500, true);
    BOOST_REQUIRE(last);
    BOOST_TEST(last->match.captured(QStringLiteral("n")) == QStringLiteral("3"));
}

BOOST_AUTO_TEST_CASE(an_expect_waits_for_a_line_that_comes_later) {
    Fixture f;
    std::optional<DeviceSession::Answer> answer;
    f.session->expect(QRegularExpression(QStringLiteral("^ALARM$")), std::chrono::milliseconds(2000), true,
                      [&](const DeviceSession::Answer &a) { answer = a; });
    QTimer::singleShot(100, [&] { f.device.say("noise\nALARM\n"); });
    BOOST_REQUIRE(waitFor([&] { return answer.has_value(); }));
    BOOST_TEST(static_cast<int>(answer->outcome)
               == static_cast<int>(DeviceSession::Answer::Outcome::Matched));
    BOOST_TEST(answer->skipped == QByteArray("noise\n"));
}

BOOST_AUTO_TEST_CASE(discard_queued_drops_stale_lines_before_a_request) {
    Fixture f;
    f.device.say("STALE\n");
    BOOST_REQUIRE(waitFor([&] { return f.session->linesReceived() == 1; }));
    f.session->discardQueued();
    f.session->sendLine("PING");
    f.device.heard();
    f.device.say("PONG\n");
    const auto a = f.expect(QStringLiteral("^PONG$"), 1000);
    BOOST_REQUIRE(a);
    BOOST_TEST(static_cast<int>(a->outcome) == static_cast<int>(DeviceSession::Answer::Outcome::Matched));
}

BOOST_AUTO_TEST_CASE(an_oversize_line_is_an_overflow_problem_and_the_session_goes_on) {
    Fixture f(64);
    QStringList problems;
    QObject::connect(
        f.session.get(), &DeviceSession::problem,
        [&](qint64, hil::EventKind kind, const QString &) { problems.append(hil::eventKindName(kind)); });
    f.device.say(QByteArray(100000, 'Z') + "\nOK\n");
    const auto a = f.expect(QStringLiteral("^OK$"), 2000, true);
    BOOST_REQUIRE(a);
    BOOST_TEST(static_cast<int>(a->outcome) == static_cast<int>(DeviceSession::Answer::Outcome::Matched));
    BOOST_TEST(problems == QStringList{QStringLiteral("overflow")});
}

BOOST_AUTO_TEST_CASE(a_device_that_goes_away_ends_the_wait_as_lost) {
    Fixture f;
    std::optional<DeviceSession::Answer> answer;
    f.session->expect(QRegularExpression(QStringLiteral("^OK$")), std::chrono::milliseconds(3000), false,
                      [&](const DeviceSession::Answer &a) { answer = a; });
    QTimer::singleShot(50, [&] { f.device.hangUp(); });
    BOOST_REQUIRE(waitFor([&] { return answer.has_value(); }));
    BOOST_TEST(static_cast<int>(answer->outcome) == static_cast<int>(DeviceSession::Answer::Outcome::Lost));
    BOOST_TEST((f.session->state() == DeviceSession::State::Lost));
    BOOST_TEST(!answer->reason.isEmpty());
}
