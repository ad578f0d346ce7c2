// The ENV-1 on fake time: the seeded model (reproducible, time-continuous, the specified noise) and the
// protocol (queries, ranges, framing, streaming on absolute deadlines).

#include "envsensormodel.h"
#include "envsensorprotocol.h"
#include "support/simhelpers.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <vector>

using namespace hilsim;
using namespace simtest;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

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
