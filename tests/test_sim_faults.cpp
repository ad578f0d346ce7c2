// Device faults on fake time: the control command syntax, then every fault kind, power, status and
// counters of an ENV-1 against a clean twin with the same seed.

#include "controlcommand.h"
#include "devicecore.h"
#include "envsensormodel.h"
#include "envsensorprotocol.h"
#include "support/simhelpers.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <optional>
#include <set>
#include <vector>

using namespace hilsim;
using namespace simtest;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

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
