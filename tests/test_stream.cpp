// `stream:` steps: the line checksums against published vectors, every key of the step against bad input,
// the window's bookkeeping on synthetic times, and the real `hil` on streams it did not write: a Python
// NMEA talker on a pseudo-terminal, and the `hil-sim gps` model through scenarios/stream-gps.yaml.
#define BOOST_TEST_MODULE stream
#include "core/base/linechecksum.h"
#include "core/config/fixtureloader.h"
#include "core/config/scenarioloader.h"
#include "core/run/streamtally.h"
#include "support/harness.h"
#include "support/nmeatalker.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <memory>

using namespace hiltest;
using hil::LineChecksum;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

constexpr qint64 kMs = 1'000'000;
constexpr qint64 kS = 1'000'000'000;

QByteArray nmea(const QByteArray &body) {
    return QStringLiteral("$%1*%2")
        .arg(QString::fromLatin1(body))
        .arg(hil::computeChecksum(LineChecksum::Nmea, body), 2, 16, QLatin1Char('0'))
        .toUpper()
        .toLatin1();
}

} // namespace

BOOST_AUTO_TEST_SUITE(checksums)

// Sentences from the NMEA 0183 examples that receivers' manuals and gpsd's documentation quote.
BOOST_AUTO_TEST_CASE(nmea_sentences_from_public_examples) {
    for (const char *line : {"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
                             "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A",
                             "$GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1*39",
                             "!AIVDM,1,1,,B,177KQJ5000G?tO`K>RA1wUbN0TKH,0*5C"}) {
        BOOST_TEST_CONTEXT(line) {
            BOOST_TEST(hil::checkLineChecksum(LineChecksum::Nmea, line).isEmpty());
        }
    }
    // Lower-case hex is as good.
    BOOST_TEST(hil::checkLineChecksum(LineChecksum::Nmea,
                                      "$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6a")
                   .isEmpty());
}

BOOST_AUTO_TEST_CASE(nmea_rejects_what_is_wrong_and_says_why) {
    const QString wrong = hil::checkLineChecksum(
        LineChecksum::Nmea, "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*48");
    BOOST_TEST(str(wrong) == "checksum *48, computed *47");
    BOOST_TEST(hil::checkLineChecksum(LineChecksum::Nmea, "$GPGGA,123519").contains(u"no checksum"));
    BOOST_TEST(
        hil::checkLineChecksum(LineChecksum::Nmea, "GPGGA,123519*47").contains(u"not an NMEA sentence"));
    BOOST_TEST(hil::checkLineChecksum(LineChecksum::Nmea, "$GPGGA,123519*4").contains(u"2 hex digits"));
    BOOST_TEST(hil::checkLineChecksum(LineChecksum::Nmea, "$GPGGA,123519*+4").contains(u"2 hex digits"));
    BOOST_TEST(hil::checkLineChecksum(LineChecksum::Nmea, "$GPGGA,123519*4G").contains(u"2 hex digits"));
    // A trailing carriage return is not part of the checksum: the fixture's terminator must strip it.
    BOOST_TEST(!hil::checkLineChecksum(LineChecksum::Nmea,
                                       "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r")
                    .isEmpty());
}

// The check values of the catalogue of parametrised CRC algorithms (the CRC of "123456789").
BOOST_AUTO_TEST_CASE(check_values_of_123456789) {
    const QByteArray check("123456789");
    BOOST_TEST(hil::computeChecksum(LineChecksum::Crc16Ccitt, check) == 0x29B1u);
    BOOST_TEST(hil::computeChecksum(LineChecksum::Crc16Modbus, check) == 0x4B37u);
    BOOST_TEST(hil::computeChecksum(LineChecksum::Crc32, check) == 0xCBF43926u);
    BOOST_TEST(hil::computeChecksum(LineChecksum::Xor8, check) == 0x31u);
    BOOST_TEST(hil::computeChecksum(LineChecksum::Sum8, check) == 0xDDu); // 477 mod 256
    const struct {
        LineChecksum kind;
        const char *good;
        const char *bad;
    } framed[] = {{LineChecksum::Xor8, "123456789*31", "123456789*32"},
                  {LineChecksum::Sum8, "123456789*dd", "123456789*DE"},
                  {LineChecksum::Crc16Ccitt, "123456789*29B1", "123456789*29B2"},
                  {LineChecksum::Crc16Modbus, "123456789*4B37", "123456789*4B3"},
                  {LineChecksum::Crc32, "123456789*CBF43926", "123456789*CBF43927"}};
    for (const auto &c : framed) {
        BOOST_TEST_CONTEXT(str(hil::lineChecksumName(c.kind))) {
            BOOST_TEST(hil::checkLineChecksum(c.kind, c.good).isEmpty());
            BOOST_TEST(!hil::checkLineChecksum(c.kind, c.bad).isEmpty());
        }
    }
    // The body ends at the last '*': a '*' inside it is data.
    BOOST_TEST(
        hil::checkLineChecksum(LineChecksum::Xor8,
                               QByteArray("a*b*")
                                   + QByteArray::number(hil::computeChecksum(LineChecksum::Xor8, "a*b"), 16))
            .isEmpty());
}

BOOST_AUTO_TEST_CASE(names_round_trip) {
    BOOST_TEST(hil::lineChecksumNames().size() == 6);
    for (const QString &name : hil::lineChecksumNames())
        BOOST_TEST(str(hil::lineChecksumName(*hil::lineChecksumFromName(name))) == str(name));
    BOOST_TEST(!hil::lineChecksumFromName(QStringLiteral("crc8")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stream_spec)

namespace {

const QByteArray kFixture = "name: bench\n"
                            "devices:\n"
                            "  gps: {tcp: {host: 127.0.0.1, port: 1}}\n"
                            "  imu: {tcp: {host: 127.0.0.1, port: 2}}\n";

hil::Fixture fixture() {
    hil::SourceErrors errors;
    const auto f = hil::loadFixtureText(kFixture, QStringLiteral("bench.yaml"), &errors);
    BOOST_REQUIRE_MESSAGE(f, str(hil::formatErrors(errors)));
    return *f;
}

// The errors of a scenario whose steps are `steps` (YAML lines indented under `steps:`), as printed.
QString errorsOf(const QByteArray &steps, const QByteArray &devices = "[gps, imu]") {
    const QByteArray text = "devices: " + devices + "\nsteps:\n" + steps;
    hil::SourceErrors errors;
    const auto s = hil::loadScenarioText(text, QStringLiteral("s.yaml"), fixture(), &errors);
    return s ? QString() : hil::formatErrors(errors);
}

hil::Scenario loaded(const QByteArray &steps, const QByteArray &devices = "[gps, imu]") {
    hil::SourceErrors errors;
    const auto s = hil::loadScenarioText("devices: " + devices + "\nsteps:\n" + steps,
                                         QStringLiteral("s.yaml"), fixture(), &errors);
    BOOST_REQUIRE_MESSAGE(s, str(hil::formatErrors(errors)));
    return *s;
}

} // namespace

BOOST_AUTO_TEST_CASE(reads_every_key) {
    const hil::Scenario s =
        loaded("  - stream: {from: gps, for: 10s, match: '^\\$GPGGA,', skip_unmatched: true,\n"
               "              rate: {min: 9, max: 11}, max_gap: 250ms, checksum: nmea}\n");
    BOOST_REQUIRE(s.steps.size() == 1);
    const hil::Step &step = s.steps.first();
    BOOST_REQUIRE(step.stream);
    BOOST_TEST(str(step.stream->device) == "gps");
    BOOST_TEST(step.stream->window.count() == 10 * kS);
    BOOST_TEST(str(step.stream->match.pattern()) == "^\\$GPGGA,");
    BOOST_TEST(step.stream->skipUnmatched);
    BOOST_TEST(*step.stream->rateMin == 9.0);
    BOOST_TEST(*step.stream->rateMax == 11.0);
    BOOST_TEST(step.stream->maxGap->count() == 250 * kMs);
    BOOST_TEST((*step.stream->checksum == LineChecksum::Nmea));
    BOOST_TEST(str(step.name) == "stream 10s");
    BOOST_TEST(!step.expect);
}

BOOST_AUTO_TEST_CASE(device_defaults) {
    // The only device of the scenario.
    BOOST_TEST(str(loaded("  - stream: {for: 1s}\n", "[imu]").steps.first().stream->device) == "imu");
    // The device the step sends to ("start streaming"), named after the send.
    const hil::Step sent =
        loaded("  - send: {to: imu, line: STREAM ON}\n    stream: {for: 1s}\n").steps.first();
    BOOST_TEST(str(sent.stream->device) == "imu");
    BOOST_TEST(str(sent.name) == "STREAM ON");
    // Each device of devices: watches its own (the runner sets each lane's); every checksum name reads.
    for (const QString &name : hil::lineChecksumNames()) {
        const hil::Step all =
            loaded("  - devices: all\n    stream: {for: 1s, checksum: " + name.toUtf8() + "}\n")
                .steps.first();
        BOOST_TEST(all.devices == (QStringList{QStringLiteral("gps"), QStringLiteral("imu")}));
        BOOST_TEST(str(hil::lineChecksumName(*all.stream->checksum)) == str(name));
    }
}

BOOST_AUTO_TEST_CASE(bad_input_names_file_line_column) {
    const struct {
        const char *steps;
        const char *devices;
        const char *expected; // a line of the printed errors
    } cases[] = {
        {"  - stream: 10s\n", "[gps]",
         "s.yaml:3:13: stream (a mapping: {from, for, match, rate, max_gap, checksum}) must be a mapping"},
        {"  - stream: {for: 1s, every: 1s}\n", "[gps]", "s.yaml:3:23: unknown key 'every'"},
        {"  - stream: {match: x}\n", "[gps]",
         "s.yaml:3:13: stream needs for (how long to watch, such as 10s)"},
        {"  - stream: {for: 0s}\n", "[gps]", "s.yaml:3:19: for must be longer than zero"},
        {"  - stream: {for: 10}\n", "[gps]", "s.yaml:3:19:"},
        {"  - stream: {for: [1s]}\n", "[gps]", "s.yaml:3:19:"},
        {"  - stream: {for: 1s}\n", "[gps, imu]",
         "s.yaml:3:13: say which device (from:): the scenario uses gps, imu"},
        {"  - stream: {from: gnss, for: 1s}\n", "[gps, imu]",
         "s.yaml:3:20: unknown device 'gnss' (the scenario uses gps, imu)"},
        {"  - stream: {from: [gps], for: 1s}\n", "[gps, imu]", "s.yaml:3:20: from must be a text value"},
        {"  - send: {to: gps, line: GO}\n    stream: {from: imu, for: 1s}\n", "[gps, imu]",
         "s.yaml:4:20: the stream is watched on the device the step sends to ('gps'), not 'imu'"},
        {"  - devices: all\n    stream: {from: gps, for: 1s}\n", "[gps, imu]",
         "s.yaml:4:20: a step with devices: runs on each of them; it names no device of its own"},
        {"  - stream: {for: 1s, match: 'ab(c'}\n", "[gps]",
         "s.yaml:3:35: bad regular expression: missing closing parenthesis"},
        {"  - stream: {for: 1s, match: x, skip_unmatched: maybe}\n", "[gps]",
         "s.yaml:3:49: skip_unmatched must be true or false"},
        {"  - stream: {for: 1s, skip_unmatched: true}\n", "[gps]",
         "s.yaml:3:39: skip_unmatched needs match: without it every line is the stream's"},
        {"  - stream: {for: 1s, rate: 10}\n", "[gps]",
         "s.yaml:3:29: rate (lines per second: {min: x, max: y}) must be a mapping"},
        {"  - stream: {for: 1s, rate: {}}\n", "[gps]",
         "s.yaml:3:29: rate needs min, max or both (lines per second)"},
        {"  - stream: {for: 1s, rate: {min: -1}}\n", "[gps]",
         "s.yaml:3:35: rate min must be a finite number of lines per second, not negative"},
        {"  - stream: {for: 1s, rate: {max: fast}}\n", "[gps]", "s.yaml:3:35: rate max must be a number"},
        {"  - stream: {for: 1s, rate: {min: 11, max: 9}}\n", "[gps]",
         "s.yaml:3:29: rate: min (11) is greater than max (9)"},
        {"  - stream: {for: 1s, rate: {low: 1}}\n", "[gps]", "s.yaml:3:30: unknown key 'low'"},
        {"  - stream: {for: 1s, max_gap: 0ms}\n", "[gps]", "s.yaml:3:32: max_gap must be longer than zero"},
        {"  - stream: {for: 1s, max_gap: 250}\n", "[gps]",
         "s.yaml:3:32: max_gap: duration '250' needs a unit"},
        {"  - stream: {for: 1s, checksum: crc8}\n", "[gps]",
         "s.yaml:3:33: unknown checksum 'crc8' (known: nmea, xor8, sum8, crc16-ccitt, crc16-modbus, crc32)"},
        {"  - stream: {for: 1s, checksum: [nmea]}\n", "[gps]", "s.yaml:3:33: checksum must be a text value"},
        {"  - expect: x\n    stream: {for: 1s}\n", "[gps]",
         "s.yaml:4:13: a step has expect or stream, not both"},
        {"  - fault: {on: gps, device: hang}\n    stream: {for: 1s}\n", "[gps]",
         "fault and clear are steps of their own, without send or expect"},
    };
    for (const auto &c : cases) {
        BOOST_TEST_CONTEXT(c.steps) {
            const QString errors = errorsOf(c.steps, c.devices);
            BOOST_TEST(!errors.isEmpty());
            BOOST_TEST(errors.contains(QString::fromUtf8(c.expected)), "got: " << str(errors));
        }
    }
}

BOOST_AUTO_TEST_CASE(a_stream_step_is_a_check) {
    // Alone in steps, a stream step checks the device: no "no step checks anything".
    BOOST_TEST(str(errorsOf("  - stream: {for: 1s}\n", "[gps]")).empty());
    BOOST_TEST(errorsOf("  - wait: 1s\n", "[gps]").contains(u"no step checks anything"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tally)

namespace {

hil::StreamSpec spec(qint64 windowNs) {
    hil::StreamSpec s;
    s.device = QStringLiteral("gps");
    s.window = hil::Nanoseconds(windowNs);
    return s;
}

QByteArray gga(int n) {
    return nmea("GPGGA," + QByteArray::number(123519 + n)
                + ",4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,");
}

const hil::MeasurementResult *measurement(const hil::StepResult &r, const char *name) {
    for (const hil::MeasurementResult &m : r.measurements) {
        if (m.name == QLatin1String(name))
            return &m;
    }
    return nullptr;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_steady_stream_passes_with_its_rate_and_gap) {
    hil::StreamSpec s = spec(10 * kS);
    s.rateMin = 9;
    s.rateMax = 11;
    s.maxGap = hil::Nanoseconds(250 * kMs);
    s.checksum = LineChecksum::Nmea;
    const qint64 t0 = 5 * kS;
    hil::StreamTally t(s, t0, false);
    // Stale: received before the window opened.
    BOOST_TEST(!t.line(t0 - 1, gga(0)));
    for (int i = 0; i < 100; ++i) {
        const auto line = t.line(t0 + 50 * kMs + i * 100 * kMs, gga(i + 1));
        BOOST_REQUIRE(line);
        BOOST_TEST((line->verdict == hil::Verdict::Pass));
        BOOST_TEST(line->intervalNs == (i == 0 ? -1 : 100 * kMs));
        BOOST_TEST(line->recorded);
    }
    hil::StepResult summary;
    t.finish(t.endNs(), summary);
    BOOST_TEST((summary.verdict == hil::Verdict::Pass), str(summary.message));
    BOOST_TEST(measurement(summary, "rate")->value == 10.0);
    BOOST_TEST(str(measurement(summary, "rate")->unit) == "lines/s");
    BOOST_TEST(measurement(summary, "max_gap")->value == 100.0);
    BOOST_TEST(*measurement(summary, "max_gap")->limits.high == 250.0);
    BOOST_TEST(summary.message.contains(u"1 line(s) from before the window discarded"));
    BOOST_TEST(summary.response == gga(100));
}

BOOST_AUTO_TEST_CASE(a_stream_that_stops_fails_with_the_time_it_stopped) {
    hil::StreamSpec s = spec(10 * kS);
    s.rateMin = 9;
    hil::StreamTally t(s, 0, true);
    for (int i = 1; i <= 33; ++i)
        t.line(i * 97 * kMs + 10 * kMs, gga(i)); // last at 3.211 s
    hil::StepResult summary;
    t.finish(10 * kS, summary);
    BOOST_TEST((summary.verdict == hil::Verdict::Fail));
    BOOST_TEST(summary.message.startsWith(u"stream stopped at 3.21 s of 10.00 s (last line '$GPGGA,123552"),
               str(summary.message));
    BOOST_TEST(summary.message.contains(u"rate 3.30 lines/s outside 9..~"), str(summary.message));
    // The silence after the last line is the largest gap.
    BOOST_TEST(measurement(summary, "max_gap")->value == 6789.0);
}

BOOST_AUTO_TEST_CASE(without_limits_a_stop_is_five_mean_intervals) {
    hil::StreamTally t(spec(10 * kS), 0, true);
    for (int i = 0; i < 10; ++i)
        t.line(i * 100 * kMs, gga(i));
    hil::StepResult summary;
    t.finish(1 * kS + 950 * kMs, summary); // 1.05 s of silence after a 100 ms stream: at least 1 s
    BOOST_TEST(summary.message.startsWith(u"stream stopped at 0.90 s"), str(summary.message));
    hil::StepResult early;
    t.finish(1 * kS + 850 * kMs, early); // 0.95 s: not yet
    BOOST_TEST((early.verdict == hil::Verdict::Pass), str(early.message));
}

BOOST_AUTO_TEST_CASE(bad_checksums_and_unmatched_lines_fail_each_line) {
    hil::StreamSpec s = spec(1 * kS);
    s.checksum = LineChecksum::Nmea;
    s.match = QRegularExpression(QStringLiteral("^\\$GPGGA,"));
    hil::StreamTally t(s, 0, true);
    BOOST_TEST((t.line(1 * kMs, gga(1))->verdict == hil::Verdict::Pass));
    QByteArray bad = gga(2);
    bad[bad.size() - 1] = bad.endsWith('0') ? '1' : '0';
    const auto line = t.line(2 * kMs, bad);
    BOOST_TEST((line->verdict == hil::Verdict::Fail));
    BOOST_TEST(line->message.startsWith(u"line 2 bad nmea checksum: checksum *"), str(line->message));
    BOOST_TEST(line->message.endsWith(QStringLiteral(": '%1'").arg(QString::fromLatin1(bad))));
    const auto other = t.line(3 * kMs, nmea("GPGSV,1,1,00"));
    BOOST_TEST((other->verdict == hil::Verdict::Fail));
    BOOST_TEST(other->message.contains(u"does not match /^\\$GPGGA,/"), str(other->message));
    hil::StepResult summary;
    t.finish(4 * kMs, summary);
    BOOST_TEST((summary.verdict == hil::Verdict::Fail));
    BOOST_TEST(summary.message.contains(u"1 of 3 line(s) with a bad checksum (first at 0.00 s, checksum *"),
               str(summary.message));
    BOOST_TEST(summary.message.contains(u"1 of 3 line(s) not matching /^\\$GPGGA,/"), str(summary.message));
}

BOOST_AUTO_TEST_CASE(skipped_lines_are_not_the_streams) {
    hil::StreamSpec s = spec(1 * kS);
    s.match = QRegularExpression(QStringLiteral("^\\$GPGGA,"));
    s.skipUnmatched = true;
    s.rateMin = 4;
    s.rateMax = 6;
    hil::StreamTally t(s, 0, false);
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST(t.line(i * 200 * kMs + 100 * kMs, gga(i)).has_value());
        BOOST_TEST(!t.line(i * 200 * kMs + 150 * kMs, nmea("GPGSV,1,1,00")).has_value());
    }
    hil::StepResult summary;
    t.finish(1 * kS, summary);
    BOOST_TEST((summary.verdict == hil::Verdict::Pass), str(summary.message));
    BOOST_TEST(measurement(summary, "rate")->value == 5.0);
    BOOST_TEST(summary.message.contains(u"5 other line(s) skipped"));
}

BOOST_AUTO_TEST_CASE(a_gap_longer_than_max_gap_fails) {
    hil::StreamSpec s = spec(2 * kS);
    s.maxGap = hil::Nanoseconds(250 * kMs);
    hil::StreamTally t(s, 0, true);
    qint64 at = 0;
    for (int i = 0; i < 19; ++i) {
        at += i == 8 ? 600 * kMs : 80 * kMs;
        t.line(at, gga(i));
    }
    hil::StepResult summary;
    t.finish(at + 50 * kMs, summary);
    BOOST_TEST((summary.verdict == hil::Verdict::Fail));
    BOOST_TEST(summary.message.startsWith(u"largest gap 600.0 ms (max_gap 250ms) before the line at 1.24 s"),
               str(summary.message));
    BOOST_TEST((measurement(summary, "max_gap")->verdict == hil::Verdict::Fail));
}

BOOST_AUTO_TEST_CASE(silence_is_no_stream) {
    hil::StreamTally t(spec(3 * kS), 0, true);
    hil::StepResult summary;
    t.finish(3 * kS, summary);
    BOOST_TEST((summary.verdict == hil::Verdict::Fail));
    BOOST_TEST(summary.message.startsWith(u"no line in 3s"), str(summary.message));
    BOOST_TEST(measurement(summary, "rate")->value == 0.0);
}

BOOST_AUTO_TEST_CASE(a_flood_is_counted_beyond_the_row_cap) {
    hil::StreamTally t(spec(5 * kS), 0, true);
    BOOST_TEST(t.rowCap() == hil::StreamTally::kMinRowsPerWindow);
    qint64 recorded = 0;
    for (qint64 i = 0; i < 20'000; ++i) // 4000 lines/s
        recorded += t.line(i * 250'000, "x")->recorded ? 1 : 0;
    BOOST_TEST(recorded == 1000);
    BOOST_TEST(t.lines() == 20'000);
    hil::StepResult summary;
    t.finish(5 * kS, summary);
    BOOST_TEST(summary.message.contains(u"19000 line(s) beyond the cap of 1000 rows counted, not written"),
               str(summary.message));
    // A long window's cap grows with it: 100 rows per second.
    BOOST_TEST(hil::StreamTally(spec(60 * kS), 0, true).rowCap() == 6000);
}

BOOST_AUTO_TEST_CASE(a_stall_of_the_harness_is_no_gap) {
    hil::StreamSpec s = spec(1 * kS);
    s.maxGap = hil::Nanoseconds(150 * kMs);
    hil::StreamTally t(s, 0, true);
    t.line(100 * kMs, gga(1));
    t.line(200 * kMs, gga(2));
    const auto late = t.line(700 * kMs, gga(3), 450 * kMs); // read late: the harness was not running
    BOOST_TEST(late->intervalNs == -1);
    BOOST_TEST(t.endNs() == 1 * kS + 450 * kMs);
    t.line(800 * kMs, gga(4));
    for (qint64 at = 900 * kMs; at < t.endNs(); at += 100 * kMs)
        t.line(at, gga(5));
    hil::StepResult summary;
    t.finish(t.endNs(), summary);
    BOOST_TEST((summary.verdict == hil::Verdict::Pass), str(summary.message));
    BOOST_TEST(summary.message.contains(u"the harness stalled for 0.45 s"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(talker)

// The device nobody here wrote: tests/support/nmeatalker.py, a Python NMEA 0183 talker on a pseudo-terminal,
// watched by the real `hil` through a fixture that names the terminal as a serial port.
namespace {

HilResult runOnTalker(const Workspace &ws, const NmeaTalker &talker, const QString &steps) {
    writeTalkerBench(ws, talker);
    ws.write("stream.yaml", QStringLiteral("name: nmea-stream\nsteps:\n") + steps);
    return runHil({QStringLiteral("run"), ws.path("stream.yaml"), QStringLiteral("--fixture"),
                   ws.path("talker.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
                  ws.dir.path());
}

} // namespace

BOOST_AUTO_TEST_CASE(a_good_stream_passes_at_its_rate) {
    if (!haveNmeaTalker())
        return;
    Workspace ws;
    NmeaTalker talker(ws, {QStringLiteral("--rate"), QStringLiteral("10")});
    const HilResult r =
        runOnTalker(ws, talker,
                    QStringLiteral("  - name: watch GGA\n"
                                   "    stream: {for: 3s, match: '^\\$GPGGA,', checksum: nmea,\n"
                                   "             rate: {min: 5, max: 15}, max_gap: 1s}\n"));
    BOOST_REQUIRE(r.finished);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "PASS");
    const double rate = db.value("SELECT value FROM measurements WHERE name = 'rate'").toDouble();
    BOOST_TEST(rate >= 5.0);
    BOOST_TEST(rate <= 15.0);
    BOOST_TEST(str(db.value("SELECT unit FROM measurements WHERE name = 'rate'")) == "lines/s");
    const double gap = db.value("SELECT value FROM measurements WHERE name = 'max_gap'").toDouble();
    BOOST_TEST(gap > 0.0);
    BOOST_TEST(gap <= 1000.0);
    // One row per sentence, with the sentence as its response and the interval since the one before as
    // its latency; the first has none. Plus the summary row, which carries the measurements.
    const qint64 lines =
        db.count("SELECT count(*) FROM step_results WHERE step = 'watch GGA' AND CAST(response AS TEXT) LIKE "
                 "'$GPGGA,%'");
    BOOST_TEST(lines >= 15);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict <> 'PASS'") == 0);
    // (Lines read in one chunk share a receive time, and a line read across a stall of the harness has no
    // interval: on a loaded machine not every row has an interval above zero.)
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE latency_ns IS NOT NULL") >= lines / 2);
    BOOST_TEST(
        db.count("SELECT count(*) FROM step_results WHERE latency_ns > 50000000 AND latency_ns < 200000000")
        >= 1);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results s JOIN measurements m ON m.step_result_id = s.id "
                        "WHERE m.name = 'rate'")
               == 1);
}

BOOST_AUTO_TEST_CASE(bad_checksums_fail_naming_the_line) {
    if (!haveNmeaTalker())
        return;
    Workspace ws;
    NmeaTalker talker(ws, {QStringLiteral("--corrupt-every"), QStringLiteral("5")});
    const HilResult r = runOnTalker(
        ws, talker, QStringLiteral("  - stream: {for: 2s, checksum: nmea, rate: {min: 5, max: 15}}\n"));
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitCode == 1, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "FAIL");
    const auto bad =
        db.rows("SELECT message, response FROM step_results WHERE verdict = 'FAIL' AND message LIKE "
                "'line % bad nmea checksum: checksum *%, computed *%'");
    BOOST_REQUIRE(bad);
    BOOST_TEST(bad->size() >= 2);
    for (const Database::Row &row : *bad) {
        const QByteArray response = row.value(1).toByteArray();
        BOOST_TEST(response.startsWith("$GPGGA,"));
        BOOST_TEST(
            row.value(0).toString().endsWith(QStringLiteral(": '%1'").arg(QString::fromLatin1(response))));
    }
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS' AND CAST(response AS TEXT) "
                        "LIKE '$GPGGA,%'")
               >= 4 * static_cast<qint64>(bad->size()) - 4);
    BOOST_TEST(
        db.count("SELECT count(*) FROM step_results WHERE message LIKE '% line(s) with a bad checksum (first "
                 "at %'")
        == 1);
}

BOOST_AUTO_TEST_CASE(a_stream_that_stops_fails_with_the_time_it_stopped) {
    if (!haveNmeaTalker())
        return;
    Workspace ws;
    // Silent until asked, then 2 s of sentences, then nothing: the stream step sends START and watches 4 s.
    NmeaTalker talker(ws,
                      {QStringLiteral("--wait-start"), QStringLiteral("--stop-after"), QStringLiteral("2")});
    const HilResult r =
        runOnTalker(ws, talker,
                    QStringLiteral("  - name: start and watch\n"
                                   "    send: START\n"
                                   "    stream: {for: 4s, checksum: nmea, max_gap: 500ms}\n"));
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitCode == 1, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    const QString message =
        db.value("SELECT message FROM step_results WHERE message LIKE 'stream stopped at %'").toString();
    static const QRegularExpression stopped(
        QStringLiteral("^stream stopped at ([0-9.]+) s of ([0-9.]+) s \\(last line '\\$GPGGA,"));
    const QRegularExpressionMatch m = stopped.match(message);
    BOOST_TEST_REQUIRE(m.hasMatch(), "summary: " << str(message));
    BOOST_TEST(m.captured(1).toDouble() >= 1.0);
    BOOST_TEST(m.captured(1).toDouble() <= 3.5);
    BOOST_TEST(m.captured(2).toDouble() >= 4.0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS' AND CAST(response AS TEXT) "
                        "LIKE '$GPGGA,%'")
               >= 5);
    // The max_gap measurement holds the silence at the end and fails.
    BOOST_TEST(str(db.value("SELECT verdict FROM measurements WHERE name = 'max_gap'")) == "FAIL");
}

namespace {

// hil watching a 30 s window on the talker, started and waited on until the window has rows.
struct LongWindow {
    Workspace ws;
    NmeaTalker talker{ws, {}};
    std::unique_ptr<Child> hil;

    LongWindow() {
        writeTalkerBench(ws, talker);
        ws.write("stream.yaml", QStringLiteral("name: long-window\nsteps:\n"
                                               "  - name: watch\n"
                                               "    stream: {for: 30s, checksum: nmea}\n"));
        hil = std::make_unique<Child>(hilPath(),
                                      QStringList{QStringLiteral("run"), ws.path("stream.yaml"),
                                                  QStringLiteral("--fixture"), ws.path("talker.yaml"),
                                                  QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
                                      ws.dir.path());
        const char *rows = "SELECT count(*) FROM step_results WHERE verdict = 'PASS'";
        BOOST_REQUIRE(waitUntil([&] { return countNow(ws.db(), rows) >= 5 || !hil->running(); }, 15000, 20));
        BOOST_REQUIRE_MESSAGE(hil->running(), "hil ended early: " << str(hil->stderrText()));
    }
};

} // namespace

// A window in flight ends with the run: its summary row is ABORT and says how far the window came.
BOOST_AUTO_TEST_CASE(sigint_mid_window_aborts_it) {
    if (!haveNmeaTalker())
        return;
    LongWindow w;
    BOOST_REQUIRE(::kill(static_cast<pid_t>(w.hil->pid()), SIGINT) == 0);
    BOOST_REQUIRE_MESSAGE(w.hil->waitFinished(5000), "hil did not end within 5 s of SIGINT");
    BOOST_TEST(w.hil->process().exitCode() == 130, "stderr: " << str(w.hil->stderrText()));
    const Database db(w.ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "ABORT");
    const QStringList aborted = db.strings("SELECT message FROM step_results WHERE verdict = 'ABORT'");
    BOOST_REQUIRE(aborted.size() == 1);
    static const QRegularExpression progress(
        QStringLiteral("^aborted: .*SIGINT.* \\(stream after [0-9.]+ s of 30s, ([0-9]+) line\\(s\\)\\)$"));
    const QRegularExpressionMatch m = progress.match(aborted.first());
    BOOST_TEST_REQUIRE(m.hasMatch(), str(aborted.first()));
    BOOST_TEST(m.captured(1).toLongLong() >= 5);
}

// The device going away mid-window is the bench's failure, not the device's: ERROR, exit 3.
BOOST_AUTO_TEST_CASE(device_lost_mid_window_is_an_error) {
    if (!haveNmeaTalker())
        return;
    LongWindow w;
    // Our own child, by its pid: its terminal closes under hil.
    BOOST_REQUIRE(::kill(static_cast<pid_t>(w.talker.process.pid()), SIGKILL) == 0);
    BOOST_REQUIRE_MESSAGE(w.hil->waitFinished(15000), "hil did not end after losing its device");
    BOOST_TEST(w.hil->process().exitCode() == 3, "stderr: " << str(w.hil->stderrText()));
    const Database db(w.ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "ERROR");
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'FAIL'") == 0);
    const QStringList errors = db.strings("SELECT message FROM step_results WHERE verdict = 'ERROR'");
    BOOST_REQUIRE(errors.size() == 1);
    BOOST_TEST(errors.first().startsWith(u"device 'gps' lost after "), str(errors.first()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(simulator)

// scenarios/stream-gps.yaml on fixtures/sim-gps.yaml: the `hil-sim gps` receiver, started by hil.
BOOST_AUTO_TEST_CASE(the_example_scenario_passes) {
    Workspace ws;
    const HilResult r =
        runHil({QStringLiteral("run"), QStringLiteral(HIL_SOURCE_DIR "/scenarios/stream-gps.yaml"),
                QStringLiteral("--fixture"), QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-gps.yaml"),
                QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
               ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "PASS");
    BOOST_TEST(str(db.value("SELECT dut_serial FROM runs")) == "GP0001");
    const auto rates =
        db.rows("SELECT s.step, m.value, m.low, m.high FROM measurements m JOIN step_results s ON "
                "s.id = m.step_result_id WHERE m.name = 'rate' ORDER BY s.id");
    BOOST_REQUIRE(rates);
    BOOST_REQUIRE(rates->size() == 3);
    for (const Database::Row &row : *rates) {
        BOOST_TEST_CONTEXT(str(row.value(0))) {
            BOOST_TEST(row.value(1).toDouble() >= row.value(2).toDouble());
            BOOST_TEST(row.value(1).toDouble() <= row.value(3).toDouble());
        }
    }
    // The GGA step wrote a row per GGA sentence and none for the RMC sentences it skipped.
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE step = 'GGA fixes at 10 Hz' AND "
                        "CAST(response AS TEXT) LIKE '$GPRMC,%'")
               == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE step = 'GGA fixes at 10 Hz' AND "
                        "CAST(response AS TEXT) LIKE '$GPGGA,%'")
               >= 15);
}

// devices: all runs a window on each device's lane at once, each watching its own device.
BOOST_AUTO_TEST_CASE(each_device_watches_its_own_stream) {
    Workspace ws;
    ws.write("two-gps.yaml",
             QStringLiteral("name: two-gps\n"
                            "devices:\n"
                            "  fast: {sim: {model: gps, transport: pty, options: {rate: 10}}}\n"
                            "  slow: {sim: {model: gps, transport: tcp, options: {rate: 4}}}\n"));
    ws.write("both.yaml", QStringLiteral("name: both\n"
                                         "steps:\n"
                                         "  - name: both streams\n"
                                         "    devices: all\n"
                                         "    stream: {for: 2s, match: '^\\$GPGGA,', skip_unmatched: true, "
                                         "checksum: nmea, rate: {min: 2, max: 14}}\n"));
    const HilResult r =
        runHil({QStringLiteral("run"), ws.path("both.yaml"), QStringLiteral("--fixture"),
                ws.path("two-gps.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
               ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    const auto rates = db.rows("SELECT s.device, m.value FROM measurements m JOIN step_results s ON s.id = "
                               "m.step_result_id WHERE m.name = 'rate' ORDER BY s.device");
    BOOST_REQUIRE(rates);
    BOOST_REQUIRE(rates->size() == 2);
    BOOST_TEST(str(rates->at(0).value(0)) == "fast");
    BOOST_TEST(str(rates->at(1).value(0)) == "slow");
    // Each lane counted its own device's sentences: the faster one more than the slower one.
    BOOST_TEST(rates->at(0).value(1).toDouble() > rates->at(1).value(1).toDouble());
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE device = 'slow'")
               < db.count("SELECT count(*) FROM step_results WHERE device = 'fast'"));
}

// The simulator corrupts exactly the sentences it is told to, and stops when told: one FAIL row per bad
// sentence, and a window with no line at all.
BOOST_AUTO_TEST_CASE(corrupt_sentences_and_a_silent_receiver_fail) {
    Workspace ws;
    ws.write(
        "gps-faults.yaml",
        QStringLiteral("name: gps-faults\n"
                       "steps:\n"
                       "  - name: three bad\n"
                       "    send: CORRUPT 3\n"
                       "    stream: {for: 1500ms, match: '^\\$GP', skip_unmatched: true, "
                       "checksum: nmea}\n"
                       "  - name: silent\n"
                       "    send: STREAM OFF\n"
                       "    stream: {for: 1s, match: '^\\$GP', skip_unmatched: true, rate: {min: 5}}\n"));
    const HilResult r =
        runHil({QStringLiteral("run"), ws.path("gps-faults.yaml"), QStringLiteral("--fixture"),
                QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-gps.yaml"), QStringLiteral("--db"), ws.db(),
                QStringLiteral("--quiet")},
               ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitCode == 1, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE step = 'three bad' AND verdict = 'FAIL' AND "
                        "message LIKE 'line % bad nmea checksum: %'")
               == 3);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE step = 'three bad' AND message LIKE '3 of % "
                        "line(s) with a bad checksum (first at %'")
               == 1);
    // Sentences already on their way when the receiver took the command may still arrive: then it stopped.
    BOOST_TEST(
        db.count("SELECT count(*) FROM step_results WHERE step = 'silent' AND verdict = 'FAIL' AND (message "
                 "LIKE 'no line in 1s%' OR message LIKE 'stream stopped at 0.%')")
            == 1,
        "silent: " << str(
            db.strings("SELECT verdict || ' ' || message FROM step_results WHERE step = 'silent'")
                .join(u" | ")));
}

BOOST_AUTO_TEST_SUITE_END()
