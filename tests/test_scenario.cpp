#define BOOST_TEST_MODULE scenario
#include "core/base/duration.h"
#include "core/base/verdict.h"
#include "core/config/fixtureloader.h"
#include "core/config/limits.h"
#include "core/config/scenarioloader.h"
#include "support/eventloop.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <boost/test/unit_test.hpp>
#include <cmath>

using namespace std::chrono_literals;
using hil::Nanoseconds;

namespace {

// Expressions (${...}) are evaluated by QJSEngine, which needs the application object.
using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

QString dataPath(const QString &rel) {
    return QStringLiteral(HIL_TEST_DATA_DIR "/") + rel;
}

// Errors as the CLI prints them, with the folder stripped so the golden files do not depend on it.
QString golden(const hil::SourceErrors &errors, const QString &dir) {
    QString text = hil::formatErrors(errors);
    text.replace(dir + u'/', QString());
    return text;
}

void checkGoldenFolder(const QString &folder, const std::function<hil::SourceErrors(const QString &)> &load) {
    const QString dir = dataPath(folder);
    const QStringList files = QDir(dir).entryList({QStringLiteral("*.yaml")}, QDir::Files, QDir::Name);
    BOOST_REQUIRE(files.size() > 3);
    const bool update = qEnvironmentVariableIsSet("HIL_UPDATE_GOLDEN");
    for (const QString &name : files) {
        if (name == u"bench.yaml")
            continue;
        BOOST_TEST_CONTEXT(folder.toStdString() << '/' << name.toStdString()) {
            const hil::SourceErrors errors = load(dir + u'/' + name);
            BOOST_TEST(!errors.isEmpty());
            const QString got = golden(errors, dir);
            QFile expected(dir + u'/' + QFileInfo(name).completeBaseName() + QStringLiteral(".expected"));
            if (update) {
                BOOST_REQUIRE(expected.open(QIODevice::WriteOnly));
                expected.write(got.toUtf8());
                continue;
            }
            BOOST_REQUIRE_MESSAGE(expected.open(QIODevice::ReadOnly),
                                  "missing " << expected.fileName().toStdString());
            BOOST_TEST(got.toStdString() == QString::fromUtf8(expected.readAll()).toStdString());
        }
    }
}

hil::Fixture loadOk(const QString &path) {
    hil::SourceErrors errors;
    auto f = hil::loadFixture(path, &errors);
    BOOST_REQUIRE_MESSAGE(f, hil::formatErrors(errors).toStdString());
    return *f;
}

} // namespace

BOOST_AUTO_TEST_SUITE(durations)

BOOST_AUTO_TEST_CASE(units) {
    BOOST_TEST(hil::parseDuration(u"250ms")->count() == Nanoseconds(250ms).count());
    BOOST_TEST(hil::parseDuration(u"30s")->count() == Nanoseconds(30s).count());
    BOOST_TEST(hil::parseDuration(u"8h")->count() == Nanoseconds(8h).count());
    BOOST_TEST(hil::parseDuration(u"2m")->count() == Nanoseconds(120s).count());
    BOOST_TEST(hil::parseDuration(u"1d")->count() == Nanoseconds(24h).count());
    BOOST_TEST(hil::parseDuration(u"100us")->count() == 100'000);
    BOOST_TEST(hil::parseDuration(u"7ns")->count() == 7);
    BOOST_TEST(hil::parseDuration(u"1.5s")->count() == 1'500'000'000);
    BOOST_TEST(hil::parseDuration(u"1h30m")->count() == Nanoseconds(90min).count());
    BOOST_TEST(hil::parseDuration(u" 20ms ")->count() == 20'000'000);
}

BOOST_AUTO_TEST_CASE(rejects_what_is_not_a_duration) {
    for (const char16_t *bad : {u"", u"10", u"ms", u"-5s", u"5 parsecs", u"1.2.3s", u"5sec", u"1e3ms"}) {
        QString why;
        BOOST_TEST_CONTEXT(QString::fromUtf16(bad).toStdString()) {
            BOOST_TEST(!hil::parseDuration(QStringView(bad), &why).has_value());
            BOOST_TEST(!why.isEmpty());
        }
    }
}

BOOST_AUTO_TEST_CASE(formatting) {
    BOOST_TEST(hil::formatDuration(250ms).toStdString() == "250ms");
    BOOST_TEST(hil::formatDuration(1500ms).toStdString() == "1.5s");
    BOOST_TEST(hil::formatDuration(125s).toStdString() == "2m05s");
    BOOST_TEST(hil::formatDuration(8h + 3min).toStdString() == "8h03m");
    BOOST_TEST(hil::formatDuration(50h).toStdString() == "2d02h");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(limits_and_verdicts)

BOOST_AUTO_TEST_CASE(inside_outside_and_marginal) {
    hil::MeasurementSpec t{QStringLiteral("t"), QStringLiteral("degC"), {15.0, 35.0}, {18.0, 32.0}};
    const auto at = [&](double v) { return hil::evaluateMeasurement(t, v); };
    BOOST_TEST((at(25).verdict == hil::Verdict::Pass));
    BOOST_TEST(!at(25).marginal);
    BOOST_TEST((at(15).verdict == hil::Verdict::Pass)); // limits are inclusive
    BOOST_TEST(at(15).marginal);
    BOOST_TEST((at(33).verdict == hil::Verdict::Pass));
    BOOST_TEST(at(33).marginal);
    BOOST_TEST((at(35.0001).verdict == hil::Verdict::Fail));
    BOOST_TEST(!at(35.0001).marginal); // a failure is not also marginal
    BOOST_TEST((at(14.9).verdict == hil::Verdict::Fail));
    BOOST_TEST((at(std::nan("")).verdict == hil::Verdict::Fail));
    BOOST_TEST((at(INFINITY).verdict == hil::Verdict::Fail));
}

BOOST_AUTO_TEST_CASE(one_sided_and_open_limits) {
    hil::MeasurementSpec upper{QStringLiteral("v"), {}, {std::nullopt, 5.0}, {}};
    BOOST_TEST((hil::evaluateMeasurement(upper, -1e9).verdict == hil::Verdict::Pass));
    BOOST_TEST((hil::evaluateMeasurement(upper, 5.1).verdict == hil::Verdict::Fail));
    hil::MeasurementSpec none{QStringLiteral("v"), {}, {}, {}};
    BOOST_TEST((hil::evaluateMeasurement(none, 1e300).verdict == hil::Verdict::Pass));
    BOOST_TEST(!hil::evaluateMeasurement(none, 1e300).marginal);
}

BOOST_AUTO_TEST_CASE(combining_verdicts_and_exit_codes) {
    using V = hil::Verdict;
    BOOST_TEST((hil::combine(V::Pass, V::Fail) == V::Fail));
    BOOST_TEST((hil::combine(V::Error, V::Fail) == V::Error));
    BOOST_TEST((hil::combine(V::Abort, V::Error) == V::Abort));
    BOOST_TEST((hil::combine(V::Pass, V::Pass) == V::Pass));
    BOOST_TEST(hil::exitCodeFor(V::Pass) == 0);
    BOOST_TEST(hil::exitCodeFor(V::Fail) == 1);
    BOOST_TEST(hil::exitCodeFor(V::Error) == 3);
    BOOST_TEST(hil::exitCodeFor(V::Abort) == 130);
    for (V v : {V::Pass, V::Fail, V::Error, V::Abort})
        BOOST_TEST((hil::verdictFromName(hil::verdictName(v)) == v));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(loading)

BOOST_AUTO_TEST_CASE(the_shipped_fixtures_and_scenarios_load) {
    const hil::Fixture bench = loadOk(QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"));
    BOOST_TEST(bench.devices.size() == 3);
    BOOST_TEST(bench.devices[0].timeout.count() == Nanoseconds(500ms).count());
    const QDir dir(QStringLiteral(HIL_SOURCE_DIR "/scenarios"));
    const QStringList scenarios = dir.entryList({QStringLiteral("*.yaml")});
    BOOST_REQUIRE(!scenarios.isEmpty());
    // Every shipped scenario runs on a shipped bench: sim-bench, or the one its devices are on (sim-gps,
    // binary-meter, sim-mqtt, modbus-plc, sim-cloud, sim-plc).
    const hil::Fixture gps = loadOk(QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-gps.yaml"));
    const hil::Fixture mqtt = loadOk(QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-mqtt.yaml"));
    const hil::Fixture plc = loadOk(QStringLiteral(HIL_SOURCE_DIR "/fixtures/modbus-plc.yaml"));
    const hil::Fixture meter = loadOk(QStringLiteral(HIL_SOURCE_DIR "/fixtures/binary-meter.yaml"));
    const hil::Fixture cloud = loadOk(QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-cloud.yaml"));
    const hil::Fixture simPlc = loadOk(QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-plc.yaml"));
    for (const QString &name : scenarios) {
        hil::SourceErrors errors;
        auto s = hil::loadScenario(dir.filePath(name), bench, &errors);
        if (!s)
            s = hil::loadScenario(dir.filePath(name), gps, nullptr);
        if (!s)
            s = hil::loadScenario(dir.filePath(name), mqtt, nullptr);
        if (!s)
            s = hil::loadScenario(dir.filePath(name), plc, nullptr);
        if (!s)
            s = hil::loadScenario(dir.filePath(name), meter, nullptr);
        if (!s)
            s = hil::loadScenario(dir.filePath(name), cloud, nullptr);
        if (!s)
            s = hil::loadScenario(dir.filePath(name), simPlc, nullptr);
        BOOST_TEST(s.has_value(), name.toStdString() << ": " << hil::formatErrors(errors).toStdString());
    }
}

BOOST_AUTO_TEST_CASE(smoke_scenario_is_read_as_written) {
    const hil::Fixture bench = loadOk(QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"));
    hil::SourceErrors errors;
    const auto s = hil::loadScenario(QStringLiteral(HIL_SOURCE_DIR "/scenarios/smoke.yaml"), bench, &errors);
    BOOST_REQUIRE(s);
    BOOST_TEST(s->setup.size() == 1);
    BOOST_TEST(s->steps.size() == 2);
    BOOST_TEST(s->teardown.size() == 1);
    BOOST_TEST(s->repeat.forDuration->count() == Nanoseconds(10s).count());
    BOOST_TEST(s->repeat.every->count() == Nanoseconds(1s).count());
    const hil::Step &identify = s->setup[0];
    BOOST_TEST(identify.send->line == QByteArray("*IDN?"));
    BOOST_TEST(identify.expect->within.count() == Nanoseconds(500ms).count());
    BOOST_TEST(identify.record.value(QStringLiteral("dut_serial")) == QStringLiteral("serial"));
    const hil::Step &temp = s->steps[0];
    BOOST_TEST(temp.measure.size() == 1);
    BOOST_TEST(temp.measure[0].unit == QStringLiteral("degC"));
    BOOST_TEST(*temp.measure[0].limits.low == 15.0);
    BOOST_TEST(*temp.measure[0].marginal.high == 32.0);
    // An expect without `within` takes the device's timeout from the fixture.
    BOOST_TEST(s->teardown[0].expect->within.count() == Nanoseconds(200ms).count());
}

BOOST_AUTO_TEST_CASE(captures_in_a_pattern) {
    const hil::Fixture bench = loadOk(dataPath(QStringLiteral("scenario-errors/bench.yaml")));
    hil::SourceErrors errors;
    const auto s = hil::loadScenario(QStringLiteral(HIL_SOURCE_DIR "/scenarios/smoke.yaml"), bench, &errors);
    BOOST_REQUIRE(s);
    const QRegularExpressionMatch m =
        s->setup[0].expect->match.match(QStringLiteral("ACME,ENV-1,SN77,3.1.0"));
    BOOST_TEST(m.hasMatch());
    BOOST_TEST(m.captured(QStringLiteral("serial")) == QStringLiteral("SN77"));
    BOOST_TEST(m.captured(QStringLiteral("fw")) == QStringLiteral("3.1.0"));
    BOOST_TEST(!s->steps[0].expect->match.match(QStringLiteral("TEMP abc")).hasMatch());
}

BOOST_AUTO_TEST_CASE(scenario_errors_match_their_golden_files) {
    const hil::Fixture bench = loadOk(dataPath(QStringLiteral("scenario-errors/bench.yaml")));
    checkGoldenFolder(QStringLiteral("scenario-errors"), [&](const QString &path) {
        hil::SourceErrors errors;
        BOOST_TEST(!hil::loadScenario(path, bench, &errors).has_value());
        return errors;
    });
}

BOOST_AUTO_TEST_CASE(modbus_step_errors_match_their_golden_files) {
    const hil::Fixture bench = loadOk(dataPath(QStringLiteral("modbus-errors/bench.yaml")));
    checkGoldenFolder(QStringLiteral("modbus-errors"), [&](const QString &path) {
        hil::SourceErrors errors;
        BOOST_TEST(!hil::loadScenario(path, bench, &errors).has_value());
        return errors;
    });
}

// Binary steps (hex, bytes, fields) against a bench with a binary and a text device.
BOOST_AUTO_TEST_CASE(binary_step_errors_match_their_golden_files) {
    const hil::Fixture bench = loadOk(dataPath(QStringLiteral("binary-scenario-errors/bench.yaml")));
    checkGoldenFolder(QStringLiteral("binary-scenario-errors"), [&](const QString &path) {
        hil::SourceErrors errors;
        BOOST_TEST(!hil::loadScenario(path, bench, &errors).has_value());
        return errors;
    });
}

BOOST_AUTO_TEST_CASE(fixture_errors_match_their_golden_files) {
    checkGoldenFolder(QStringLiteral("fixture-errors"), [](const QString &path) {
        hil::SourceErrors errors;
        BOOST_TEST(!hil::loadFixture(path, &errors).has_value());
        return errors;
    });
}

// The edges of the rules that refuse empty, unbounded and too-fast scenarios: what they still accept.
BOOST_AUTO_TEST_CASE(open_limits_and_one_millisecond_faults_are_accepted) {
    const hil::Fixture bench = loadOk(dataPath(QStringLiteral("scenario-errors/bench.yaml")));
    hil::SourceErrors errors;
    const auto s = hil::loadScenarioText(
        QByteArray("---\n"
                   "devices: [sensor]\n"
                   "steps:\n"
                   "  - send: \"READ? TEMP\"\n"
                   "  - send: \"READ? TEMP\"\n"
                   "    expect: '^TEMP (?<t>\\S+)$'\n"
                   "    measure: {t: {limits: [~, 1e308]}}\n"
                   "faults:\n"
                   "  - {on: sensor, link: blackout, random: {mtbf: 1ms, duration: 1ms}}\n"
                   "  - {on: sensor, link: blackout, at: 0s, for: 1ms, every: 2ms}\n"
                   "...\n"),
        QStringLiteral("edges.yaml"), bench, &errors);
    BOOST_REQUIRE_MESSAGE(s, hil::formatErrors(errors).toStdString());
    BOOST_TEST(!s->steps[1].measure[0].limits.low.has_value());
    BOOST_TEST(*s->steps[1].measure[0].limits.high == 1e308);
    BOOST_TEST(s->faults.size() == 2);

    // A second document is refused wherever it starts, also after a first one that ends with "...".
    const auto two =
        hil::loadScenarioText(QByteArray("devices: [sensor]\nsteps:\n  - send: x\n    expect: y\n"
                                         "...\n--- # more\nname: b\n"),
                              QStringLiteral("two.yaml"), bench, &errors);
    BOOST_TEST(!two);
    BOOST_REQUIRE(errors.size() == 1);
    BOOST_TEST(errors[0].line == 6);
    BOOST_TEST(errors[0].message.contains(QStringLiteral("second YAML document")));
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_named) {
    hil::SourceErrors errors;
    BOOST_TEST(!hil::loadFixture(QStringLiteral("/nonexistent/bench.yaml"), &errors));
    BOOST_REQUIRE(errors.size() == 1);
    BOOST_TEST(
        errors[0].toString().startsWith(QStringLiteral("/nonexistent/bench.yaml:1:1: cannot read file")));
}

BOOST_AUTO_TEST_SUITE_END()
