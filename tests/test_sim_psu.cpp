// The PSU-2 on fake time: identity, output and voltage, measurements under load, power cycles, faults.

#include "devicecore.h"
#include "psuprotocol.h"
#include "support/simhelpers.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <memory>
#include <vector>

using namespace hilsim;
using namespace simtest;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

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
