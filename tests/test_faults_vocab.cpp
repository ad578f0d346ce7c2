// The fault vocabulary: golden values of the seeded generators and timeline, the text form and scenario
// files refusing the same values alike, the kind tables, and hil-sim taking every device fault kind.

#include "core/base/eventkind.h"
#include "core/base/seedmix.h"
#include "core/config/devicefaultkind.h"
#include "core/config/faultloader.h"
#include "core/config/faultspecparser.h"
#include "core/config/yamlreader.h"
#include "core/link/faultpipeline.h"
#include "core/run/faultscheduler.h"
#include "core/session/bench.h"
#include "core/session/simcontrol.h"
#include "core/session/simprocess.h"
#include "support/eventloop.h"
#include "support/faulthelpers.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

using namespace faulttest;
using hil::LinkFaultSpec;
using hiltest::waitUntil;

// Golden values: a seed recorded with an earlier build must give the same faults today, so these
// numbers may only change together with a note in docs/faults.md that old seeds replay differently.
BOOST_AUTO_TEST_SUITE(seeded_random)

BOOST_AUTO_TEST_CASE(generators_match_the_golden_values) {
    quint64 state = 0;
    BOOST_TEST(hil::splitmix64(state) == 0xe220a8397b1dcdafULL);
    BOOST_TEST(hil::splitmix64(state) == 0x6e789e6aa1b965f4ULL);
    BOOST_TEST(hil::splitmix64(state) == 0x06c45d188009454fULL);
    state = 42;
    BOOST_TEST(hil::splitmix64(state) == 0xbdd732262feb6e95ULL);
    BOOST_TEST(hil::splitmix64(state) == 0x28efe333b266f103ULL);

    hil::Xoshiro256 x(7);
    BOOST_TEST(x.next() == 0xb358faf74ef9765aULL);
    BOOST_TEST(x.next() == 0x475c3d964f482cd2ULL);
    BOOST_TEST(x.next() == 0xd6f1d349952c7996ULL);
    BOOST_TEST(x.next() == 0xfb2938731e807240ULL);

    // A link's two directions (salt 1 and 2), and a proxy connection's (connection, then direction).
    BOOST_TEST(hil::deriveSeed(42, 1) == 0xbdd732262feb6e95ULL);
    BOOST_TEST(hil::deriveSeed(42, 2) == 0x28efe333b266f103ULL);
    BOOST_TEST(hil::deriveSeed(hil::deriveSeed(42, 1), 1) == 0x57e1faba65107204ULL);
    BOOST_TEST(hil::deriveSeed(hil::deriveSeed(42, 2), 2) == 0x4f0482a72b57ee7dULL);
    BOOST_TEST(hil::deriveSeed(hil::deriveSeed(42, 0), 1) == 0x989b3f130a063869ULL);
}

BOOST_AUTO_TEST_CASE(scheduler_plan_and_device_seed_match_the_golden_values) {
    hil::FaultEntry flapping;
    flapping.at = hil::Nanoseconds(1'000'000'000);
    flapping.every = hil::Nanoseconds(5'000'000'000);
    flapping.duration = hil::Nanoseconds(500'000'000);
    hil::FaultEntry random;
    random.random = hil::FaultEntry::Random{hil::Nanoseconds(3'000'000'000), hil::Nanoseconds(700'000'000)};
    const auto plan = hil::FaultScheduler::plan({flapping, random, random}, 42, 30'000'000'000LL);
    std::vector<qint64> got;
    for (const auto &o : plan) {
        got.push_back(o.entry);
        got.push_back(o.startNs);
        got.push_back(o.durationNs.value_or(-1));
    }
    // (entry, start, duration) in start order.
    const std::vector<qint64> expected = {
        1, 57390892,    574507740,  0, 1000000000,  500000000,  2, 1783802388,  73650441,
        2, 2336061620,  96044785,   1, 4837979288,  162731047,  0, 6000000000,  500000000,
        1, 8405000692,  268237143,  0, 11000000000, 500000000,  2, 12245472887, 924291224,
        1, 14213989934, 1709685886, 0, 16000000000, 500000000,  1, 17107913206, 770723692,
        1, 19950931119, 338554987,  2, 20669527244, 1664513681, 0, 21000000000, 500000000,
        2, 23538570508, 185139789,  1, 23963151267, 1024909439, 0, 26000000000, 500000000,
        1, 29098617589, 748086368,
    };
    BOOST_TEST(got == expected, boost::test_tools::per_element());
    BOOST_TEST(hil::Bench::deviceSeed(42, QStringLiteral("sensor")) == 0x6a695ee9fc9a906eULL);
    BOOST_TEST(hil::Bench::deviceSeed(0, QStringLiteral("psu")) == 0x1eea4a1783143253ULL);
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------------
// One vocabulary, one rule set: the text form (`hil proxy --fault`, the GUI) and scenario files refuse
// the same values with the same sentence; only the syntax and the position differ.
BOOST_AUTO_TEST_SUITE(one_vocabulary)

namespace {

// The problems a scenario's `faults:` entry (one line of YAML) gets, without their file:line:col.
QStringList yamlProblems(const char *entry) {
    hil::YamlReader reader(QStringLiteral("case.yaml"));
    const YAML::Node node = reader.loadText(QByteArray(entry));
    BOOST_REQUIRE_MESSAGE(reader.ok(), entry);
    hil::readFaultEntry(reader, node, hil::Fixture{}, {QStringLiteral("sensor")}, false);
    QStringList out;
    for (const hil::SourceError &e : reader.errors()) {
        BOOST_TEST(e.line == 1, entry << ": " << str(e.toString()));
        out << e.message;
    }
    return out;
}

QString textProblem(const char *text) {
    QString error;
    BOOST_TEST(!hil::parseLinkFault(QString::fromLatin1(text), &error), text);
    return error;
}

} // namespace

BOOST_AUTO_TEST_CASE(both_forms_refuse_the_same_values_with_the_same_message) {
    struct Case {
        const char *text;
        const char *yaml;
        const char *message;
    };
    const Case cases[] = {
        {"latency:delay=10ms,jitter=50ms", "{on: sensor, link: {latency: {delay: 10ms, jitter: 50ms}}}",
         "latency: jitter must not exceed delay (a packet cannot arrive before it is sent)"},
        {"loss:p=1.5", "{on: sensor, link: {loss: {p: 1.5}}}", "loss: probability 1.5 is outside [0, 1]"},
        {"corrupt:p=-0.1", "{on: sensor, link: {corrupt: {p: -0.1}}}",
         "corrupt: probability -0.1 is outside [0, 1]"},
        {"loss:burst=2/0.3", "{on: sensor, link: {loss: {burst: {p_good_bad: 2, p_bad_good: 0.3}}}}",
         "loss: the good-to-bad probability 2 is outside [0, 1]"},
        {"loss:p=0.1,burst=0.1/0.2", "{on: sensor, link: {loss: {p: 0.1, burst: {p_good_bad: 0.1}}}}",
         "loss: needs either p or burst"},
        {"loss", "{on: sensor, link: loss}", "loss: needs either p or burst"},
        {"latency:jitter=5ms", "{on: sensor, link: {latency: {jitter: 5ms}}}", "latency: needs delay"},
        {"bandwidth:rate=0", "{on: sensor, link: {bandwidth: {rate: 0}}}",
         "bandwidth: the rate must be a number of bytes per second > 0"},
        {"slice:bytes=0", "{on: sensor, link: {slice: {bytes: 0}}}",
         "slice: slices must be 1 to 1048576 bytes"},
        {"slice:bytes=2000000", "{on: sensor, link: {slice: {bytes: 2000000}}}",
         "slice: slices must be 1 to 1048576 bytes"},
        {"drop_first:lines=0", "{on: sensor, link: {drop_first: {lines: 0}}}",
         "drop_first: the number of lines must be 1 to 2147483647"},
        {"drop_first:lines=3000000000", "{on: sensor, link: {drop_first: {lines: 3000000000}}}",
         "drop_first: the number of lines must be 1 to 2147483647"},
        {"wormhole", "{on: sensor, link: wormhole}",
         "unknown link fault 'wormhole' (known: blackout, loss, latency, bandwidth, corrupt, slice, "
         "disconnect, "
         "drop_first, close_after, duplicate, reorder, drop_bytes)"},
        {"reorder:p=0.1", "{on: sensor, link: {reorder: {p: 0.1}}}",
         "reorder: needs delay > 0 (how long a datagram is held back)"},
        {"duplicate:p=2", "{on: sensor, link: {duplicate: {p: 2}}}",
         "duplicate: probability 2 is outside [0, 1]"},
        // When it applies: the text form names the kind first, as for every problem it finds.
        {"blackout:for=0s", "{on: sensor, for: 0s, link: blackout}", "blackout: for must be at least 1ms"},
        {"blackout:every=10s", "{on: sensor, every: 10s, link: blackout}",
         "blackout: every needs for (how long each repetition lasts)"},
        {"blackout:for=10s,every=5s", "{on: sensor, for: 10s, every: 5s, link: blackout}",
         "blackout: every (5s) must be longer than for (10s)"},
        // TCP-true parameters.
        {"loss:p=0.1,rto=0s", "{on: sensor, link: {loss: {p: 0.1, rto: 0s}}}",
         "loss: rto must be 1ms to 120s"},
        {"loss:p=0.1,rto=10ms,rto_max=5ms", "{on: sensor, link: {loss: {p: 0.1, rto: 10ms, rto_max: 5ms}}}",
         "loss: rto_max must be from rto (10ms) to 120s"},
        {"drop_bytes:p=2", "{on: sensor, link: {drop_bytes: {p: 2}}}",
         "drop_bytes: probability 2 is outside [0, 1]"},
    };
    for (const Case &c : cases) {
        const QString text = textProblem(c.text);
        BOOST_TEST(str(text) == c.message, c.text);
        const QStringList yaml = yamlProblems(c.yaml);
        BOOST_TEST_REQUIRE(yaml.size() == 1, c.yaml << ": " << str(yaml.join(u'|')));
        // Timing is not a property of the kind: the scenario reports it at `for`/`every` without it.
        const bool timing = std::string_view(c.message).starts_with("blackout: ");
        const QString expected = timing ? QString::fromLatin1(c.message).mid(int(std::strlen("blackout: ")))
                                        : QString::fromLatin1(c.message);
        BOOST_TEST(str(yaml.first()) == str(expected), c.yaml);
    }
    // (Not in the table: its yaml form would be read as a timing problem.)
    BOOST_TEST(str(textProblem("blackout:user_timeout=0s")) == "blackout: user_timeout must be at least 1ms");
    const QStringList userTimeout = yamlProblems("{on: sensor, link: {blackout: {user_timeout: 0s}}}");
    BOOST_TEST_REQUIRE(userTimeout.size() == 1);
    BOOST_TEST(str(userTimeout.first()) == "blackout: user_timeout must be at least 1ms");
    // The values both forms accept: jitter equal to the delay is the limit.
    QString error;
    BOOST_TEST(hil::parseLinkFault(u"latency:delay=10ms,jitter=10ms", &error).has_value(), str(error));
    BOOST_TEST(yamlProblems("{on: sensor, link: {latency: {delay: 10ms, jitter: 10ms}}}").isEmpty());
}

BOOST_AUTO_TEST_CASE(datagram_kinds_only_on_udp_devices_and_stream_kinds_only_on_the_others) {
    const auto problems = [](hil::DeviceConfig::Kind kind, const char *text) {
        hil::YamlReader reader(QStringLiteral("case.yaml"));
        const YAML::Node node = reader.loadText(text);
        hil::Fixture fixture;
        hil::DeviceConfig sensor;
        sensor.name = QStringLiteral("sensor");
        sensor.kind = kind;
        fixture.devices.append(sensor);
        hil::readFaultEntry(reader, node, fixture, {QStringLiteral("sensor")}, false);
        QStringList messages;
        for (const auto &e : reader.errors())
            messages << e.toString();
        return messages;
    };
    using K = hil::DeviceConfig::Kind;
    BOOST_TEST(problems(K::Udp, "{on: sensor, link: {duplicate: {p: 0.1}}}").isEmpty());
    BOOST_TEST(problems(K::Udp, "{on: sensor, link: {reorder: {p: 0.1, delay: 20ms}}}").isEmpty());
    BOOST_TEST(problems(K::Udp, "{on: sensor, link: {loss: {p: 0.1}}}").isEmpty());
    for (const char *stream :
         {"{on: sensor, link: {slice: {bytes: 1}}}", "{on: sensor, link: disconnect}",
          "{on: sensor, link: {drop_first: {lines: 1}}}", "{on: sensor, link: {close_after: {after: 1s}}}"}) {
        const QStringList p = problems(K::Udp, stream);
        BOOST_TEST_REQUIRE(p.size() == 1, stream);
        BOOST_TEST(p.first().contains(QStringLiteral("a udp link carries datagrams")), str(p.first()));
    }
    const QStringList p = problems(K::Tcp, "{on: sensor, link: {duplicate: {p: 0.1}}}");
    BOOST_TEST_REQUIRE(p.size() == 1);
    BOOST_TEST(p.first().contains(QStringLiteral("only a udp link")), str(p.first()));
}

BOOST_AUTO_TEST_CASE(every_kind_round_trips_through_its_table) {
    const QStringList linkNames = LinkFaultSpec::kindNames();
    BOOST_TEST(linkNames.size() == 12);
    for (const QString &name : linkNames) {
        const auto kind = LinkFaultSpec::kindFromName(name);
        BOOST_TEST_REQUIRE(kind.has_value(), str(name));
        BOOST_TEST(str(LinkFaultSpec::kindName(*kind)) == str(name));
    }
    BOOST_TEST(!LinkFaultSpec::kindFromName(QStringLiteral("wormhole")));

    int index = 0;
    for (const hil::DeviceFaultKindInfo &info : hil::deviceFaultKinds()) {
        // The table is in the enum's order, which deviceFaultKindInfo() relies on.
        BOOST_TEST(static_cast<int>(info.kind) == index++);
        const QString name = QString::fromLatin1(info.name);
        const auto kind = hil::deviceFaultKindFromName(name);
        BOOST_TEST_REQUIRE(kind.has_value(), info.name);
        BOOST_TEST((*kind == info.kind));
        BOOST_TEST(str(hil::deviceFaultKindName(*kind)) == info.name);
        // Every example (a GUI preset) is a fault a scenario accepts.
        const QByteArray params = QByteArray(info.example).replace(' ', ", ").replace('=', ": ");
        const QByteArray device =
            params.isEmpty() ? QByteArray(info.name) : '{' + QByteArray(info.name) + ": {" + params + "}}";
        hil::YamlReader reader(QStringLiteral("case.yaml"));
        const YAML::Node node = reader.loadText("{on: sensor, device: " + device + '}');
        hil::Fixture fixture;
        hil::DeviceConfig sensor;
        sensor.name = QStringLiteral("sensor");
        fixture.devices.append(sensor);
        hil::readFaultEntry(reader, node, fixture, {QStringLiteral("sensor")}, false);
        BOOST_TEST(reader.ok(), info.name << ": " << str(reader.errors().value(0).toString()));
    }
    BOOST_TEST(index == 14);

    // Event kinds are stored as text: the names are a file format, so each must read back to its kind.
    const QList<hil::EventKind> events = hil::eventKinds();
    BOOST_TEST(events.size() == 25);
    QStringList eventNames;
    for (hil::EventKind kind : events) {
        const QString name = hil::eventKindName(kind);
        eventNames << name;
        BOOST_TEST((hil::eventKindFromName(name) == kind), str(name));
    }
    eventNames.removeDuplicates();
    BOOST_TEST(eventNames.size() == events.size());
    BOOST_TEST(str(hil::eventKindName(hil::EventKind::FaultStart)) == "fault-start");
    BOOST_TEST(!hil::eventKindFromName(u"unknown-kind"));
}

// hil-sim keeps its own table (simulators share no code with app/): it must take every kind core sends.
BOOST_AUTO_TEST_CASE(hil_sim_accepts_every_device_fault_kind) {
    qputenv("HIL_SIM", QByteArrayLiteral(HIL_BIN_DIR "/hil-sim"));
    hil::DeviceConfig config;
    config.name = QStringLiteral("sensor");
    config.sim.model = QStringLiteral("envsensor");
    config.sim.link = hil::SimSpec::Link::Tcp;
    hil::SimProcess sim(config, 1);
    bool ready = false;
    QString failure;
    QObject::connect(&sim, &hil::SimProcess::ready, [&] { ready = true; });
    QObject::connect(&sim, &hil::SimProcess::failed, [&](const QString &why) { failure = why; });
    sim.start();
    BOOST_REQUIRE(waitUntil([&] { return ready || !failure.isEmpty(); }, 15000));
    BOOST_REQUIRE_MESSAGE(ready, str(failure));
    BOOST_REQUIRE(!sim.controlAddress().isEmpty());
    hil::SimControl control;
    control.setAddress(sim.controlAddress());
    for (const hil::DeviceFaultKindInfo &info : hil::deviceFaultKinds()) {
        if (info.instant)
            continue; // a reboot or unplug takes the device away; tried last, below
        hil::DeviceFaultSpec spec;
        spec.kind = info.kind;
        for (const QString &param : QString::fromLatin1(info.example).split(u' ', Qt::SkipEmptyParts))
            spec.params.insert(param.section(u'=', 0, 0), param.section(u'=', 1));
        for (const QString &command : {spec.startCommand(), spec.clearCommand()}) {
            std::optional<std::pair<bool, QString>> answer;
            control.send(command, [&](bool ok, const QString &text) { answer = {ok, text}; });
            BOOST_REQUIRE(waitUntil([&] { return answer.has_value(); }, 5000));
            BOOST_TEST(answer->first, str(command) << " -> " << str(answer->second));
        }
    }
    for (const hil::DeviceFaultKindInfo &info : hil::deviceFaultKinds()) {
        if (!info.instant)
            continue;
        hil::DeviceFaultSpec spec;
        spec.kind = info.kind;
        spec.params.insert(QStringLiteral("down"), QStringLiteral("100ms"));
        std::optional<std::pair<bool, QString>> answer;
        control.send(spec.startCommand(), [&](bool ok, const QString &text) { answer = {ok, text}; });
        BOOST_REQUIRE(waitUntil([&] { return answer.has_value(); }, 5000));
        BOOST_TEST(answer->first, str(spec.startCommand()) << " -> " << str(answer->second));
    }
}

BOOST_AUTO_TEST_SUITE_END()
