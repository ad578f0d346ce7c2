#include "core/config/scenarioloader.h"

#include "core/config/faultloader.h"
#include "core/config/streamspec.h"
#include "core/config/yamlreader.h"

#include <QFileInfo>
#include <QSet>
#include <cmath>
#include <limits>

namespace hil {

namespace {

const QStringList kRecordFields = {QStringLiteral("dut_serial"), QStringLiteral("firmware"),
                                   QStringLiteral("station")};

class ScenarioParser {
public:
    ScenarioParser(YamlReader &reader, const Fixture &fixture)
        : r(reader)
        , m_fixture(fixture) {}

    void parse(const YAML::Node &root, Scenario &s);

private:
    void readRepeat(const YAML::Node &n, Repeat &rep);
    void readSteps(const YAML::Node &n, const QString &what, QList<Step> &out);
    void requireACheck(const YAML::Node &n, const QList<Step> &steps);
    void readStep(const YAML::Node &n, int index, Step &step);
    std::optional<QString> readDevice(const YAML::Node &n);
    QString defaultDevice(const YAML::Node &at);
    void readExpect(const YAML::Node &n, Step &step);
    void readStepDevices(const YAML::Node &devs, const YAML::Node &step, Step &out);
    void readMeasure(const YAML::Node &n, Step &step);
    std::optional<Range> readRange(const YAML::Node &n, const QString &what);

    YamlReader &r;
    const Fixture &m_fixture;
    QStringList m_devices;     // the devices a step may address
    QStringList m_stepDevices; // the `devices:` of the step being read
};

void ScenarioParser::parse(const YAML::Node &root, Scenario &s) {
    if (!r.requireMap(root, QStringLiteral("a scenario")))
        return;
    r.checkKeys(root,
                {"name", "description", "devices", "seed", "repeat", "setup", "steps", "teardown", "faults"});
    if (root["name"])
        s.name = r.string(root["name"], QStringLiteral("name")).value_or(s.name);
    if (root["description"])
        s.description = r.string(root["description"], QStringLiteral("description")).value_or(QString());
    if (const YAML::Node devs = root["devices"]) {
        if (r.requireSequence(devs, QStringLiteral("devices"))) {
            for (const YAML::Node &d : devs) {
                const auto name = r.string(d, QStringLiteral("a device name"));
                if (!name)
                    continue;
                if (!m_fixture.device(*name))
                    r.error(d, QStringLiteral("unknown device '%1': fixture %2 has %3")
                                   .arg(*name, m_fixture.path, [&] {
                                       QStringList names;
                                       for (const DeviceConfig &dc : m_fixture.devices)
                                           names.append(dc.name);
                                       return names.join(u", ");
                                   }()));
                else
                    s.devices.append(*name);
            }
        }
    } else {
        for (const DeviceConfig &dc : m_fixture.devices)
            s.devices.append(dc.name);
    }
    m_devices = s.devices;
    if (root["seed"]) {
        if (auto seed =
                r.integer(root["seed"], QStringLiteral("seed"), 0, std::numeric_limits<qint64>::max()))
            s.seed = static_cast<quint64>(*seed);
    }
    if (root["repeat"])
        readRepeat(root["repeat"], s.repeat);
    if (root["setup"])
        readSteps(root["setup"], QStringLiteral("setup"), s.setup);
    if (root["steps"]) {
        readSteps(root["steps"], QStringLiteral("steps"), s.steps);
        requireACheck(root["steps"], s.steps);
    } else {
        r.error(root, QStringLiteral("a scenario needs steps"));
    }
    if (root["teardown"])
        readSteps(root["teardown"], QStringLiteral("teardown"), s.teardown);
    if (const YAML::Node faults = root["faults"]; faults && !faults.IsNull()) {
        if (r.requireSequence(faults, QStringLiteral("faults"))) {
            for (const YAML::Node &f : faults) {
                if (auto entry = readFaultEntry(r, f, m_fixture, m_devices, false))
                    s.faults.append(*entry);
            }
        }
    }
}

void ScenarioParser::readRepeat(const YAML::Node &n, Repeat &rep) {
    if (!r.requireMap(n, QStringLiteral("repeat")))
        return;
    r.checkKeys(n, {"count", "for", "every", "spread"});
    if (n["count"] && n["for"])
        r.error(n, QStringLiteral("repeat takes count or for, not both"));
    if (!n["count"] && !n["for"])
        r.error(n, QStringLiteral("repeat needs count or for"));
    if (n["count"])
        rep.count = r.integer(n["count"], QStringLiteral("count"), 1, std::numeric_limits<qint64>::max());
    if (n["for"]) {
        rep.forDuration = r.duration(n["for"], QStringLiteral("for"));
        if (rep.forDuration && rep.forDuration->count() <= 0)
            r.error(n["for"], QStringLiteral("for must be longer than zero"));
    }
    if (n["every"]) {
        rep.every = r.duration(n["every"], QStringLiteral("every"));
        if (rep.every && rep.every->count() <= 0)
            r.error(n["every"], QStringLiteral("every must be longer than zero"));
    }
    if (n["spread"]) {
        rep.spread = r.boolean(n["spread"], QStringLiteral("spread")).value_or(true);
        if (!n["every"])
            r.error(n["spread"],
                    QStringLiteral("spread spaces the devices' slots over the period: it needs every"));
    }
}

void ScenarioParser::readSteps(const YAML::Node &n, const QString &what, QList<Step> &out) {
    if (n.IsNull())
        return;
    if (!r.requireSequence(n, what))
        return;
    int index = 0;
    for (const YAML::Node &item : n) {
        Step step;
        readStep(item, index++, step);
        out.append(step);
    }
}

// A run whose steps check nothing would PASS having verified nothing: refused.
void ScenarioParser::requireACheck(const YAML::Node &n, const QList<Step> &steps) {
    // Only for otherwise valid steps: a step whose expect was misspelt is already reported as such.
    if ((!n.IsNull() && !n.IsSequence()) || !r.ok())
        return;
    if (steps.isEmpty()) {
        r.error(n, QStringLiteral("steps is empty: a scenario needs at least one step with an expect"));
        return;
    }
    for (const Step &step : steps) {
        if (step.expect || step.stream)
            return;
    }
    r.error(n, QStringLiteral("no step checks anything: at least one step of steps needs an expect "
                              "(send and wait alone cannot fail, so the run could only pass)"));
}

QString ScenarioParser::defaultDevice(const YAML::Node &at) {
    if (!m_stepDevices.isEmpty())
        return m_stepDevices.first();
    if (m_devices.size() == 1)
        return m_devices.first();
    r.error(
        at,
        QStringLiteral("say which device (to: or from:): the scenario uses %1").arg(m_devices.join(u", ")));
    return {};
}

std::optional<QString> ScenarioParser::readDevice(const YAML::Node &n) {
    if (!m_stepDevices.isEmpty()) {
        r.error(n,
                QStringLiteral("a step with devices: runs on each of them; it names no device of its own"));
        return std::nullopt;
    }
    const auto name = r.string(n, QStringLiteral("device"));
    if (!name)
        return std::nullopt;
    if (!m_devices.contains(*name)) {
        r.error(
            n,
            QStringLiteral("unknown device '%1' (the scenario uses %2)").arg(*name, m_devices.join(u", ")));
        return std::nullopt;
    }
    return name;
}

void ScenarioParser::readStep(const YAML::Node &n, int index, Step &step) {
    step.line = YamlReader::line(n);
    if (!r.requireMap(n, QStringLiteral("a step")))
        return;
    r.checkKeys(n, {"name", "devices", "send", "expect", "stream", "measure", "record", "wait", "repeat",
                    "fault", "clear"});
    m_stepDevices.clear();
    if (const YAML::Node devs = n["devices"])
        readStepDevices(devs, n, step);
    if (!n["send"] && !n["expect"] && !n["stream"] && !n["wait"] && !n["fault"] && !n["clear"])
        r.error(n, QStringLiteral("a step needs send, expect, stream, wait, fault or clear"));
    if (n["stream"] && n["expect"])
        r.error(n["stream"], QStringLiteral("a step has expect or stream, not both"));
    if ((n["fault"] || n["clear"]) && (n["send"] || n["expect"] || n["stream"]))
        r.error(n, QStringLiteral("fault and clear are steps of their own, without send or expect"));
    if (const YAML::Node f = n["fault"])
        step.fault = readFaultEntry(r, f, m_fixture, m_devices, true);
    if (const YAML::Node c = n["clear"]) {
        if (const auto target = r.string(c, QStringLiteral("clear"))) {
            if (*target != u"all" && !m_devices.contains(*target) && !m_fixture.proxy(*target))
                r.error(c, QStringLiteral("clear takes all, a device or a proxy, not '%1'").arg(*target));
            step.clear = *target;
        }
    }
    if (n["name"])
        step.name = r.string(n["name"], QStringLiteral("name")).value_or(QString());
    if (const YAML::Node send = n["send"]) {
        SendSpec spec;
        if (send.IsScalar()) {
            spec.line = toQString(send.Scalar()).toUtf8();
            spec.device = defaultDevice(send);
        } else if (r.requireMap(send, QStringLiteral("send"))) {
            r.checkKeys(send, {"to", "line"});
            if (send["to"])
                spec.device = readDevice(send["to"]).value_or(QString());
            else
                spec.device = defaultDevice(send);
            if (!send["line"])
                r.error(send, QStringLiteral("send needs a line"));
            else
                spec.line = r.string(send["line"], QStringLiteral("line")).value_or(QString()).toUtf8();
        }
        step.send = spec;
    }
    if (n["expect"])
        readExpect(n["expect"], step);
    if (n["stream"] && !n["expect"])
        step.stream = readStreamSpec(r, n["stream"],
                                     {m_devices, m_stepDevices, step.send ? step.send->device : QString()});
    if (n["measure"])
        readMeasure(n["measure"], step);
    if (const YAML::Node rec = n["record"]) {
        if (!step.expect)
            r.error(rec, QStringLiteral("record needs an expect whose pattern captures the values"));
        if (r.requireMap(rec, QStringLiteral("record"))) {
            r.checkDuplicateKeys(rec);
            for (auto it = rec.begin(); it != rec.end(); ++it) {
                const QString field = toQString(it->first.Scalar());
                if (!kRecordFields.contains(field)) {
                    r.error(
                        it->first,
                        QStringLiteral("record can fill %1, not '%2'").arg(kRecordFields.join(u", "), field));
                    continue;
                }
                const auto capture = r.string(it->second, QStringLiteral("capture name"));
                if (!capture)
                    continue;
                if (step.expect && !step.expect->match.namedCaptureGroups().contains(*capture))
                    r.error(it->second,
                            QStringLiteral("the expect pattern has no capture named '%1'").arg(*capture));
                step.record.insert(field, *capture);
            }
        }
    }
    if (n["wait"]) {
        step.wait = r.duration(n["wait"], QStringLiteral("wait"));
        if (step.wait && step.wait->count() < 0)
            r.error(n["wait"], QStringLiteral("wait must not be negative"));
    }
    if (n["repeat"])
        readRepeat(n["repeat"], step.repeat);
    if (step.name.isEmpty()) {
        if (step.send)
            step.name = QString::fromUtf8(step.send->line);
        else if (step.expect)
            step.name = QStringLiteral("expect %1").arg(step.expect->match.pattern());
        else if (step.stream)
            step.name = QStringLiteral("stream %1").arg(formatDuration(step.stream->window));
        else if (step.fault)
            step.name = QStringLiteral("fault %1").arg(step.fault->text);
        else if (step.clear)
            step.name = QStringLiteral("clear %1").arg(*step.clear);
        else
            step.name = QStringLiteral("step %1").arg(index + 1);
    }
    m_stepDevices.clear();
}

void ScenarioParser::readStepDevices(const YAML::Node &devs, const YAML::Node &step, Step &out) {
    if (!step["send"] && !step["expect"] && !step["stream"]) {
        r.error(devs, QStringLiteral("devices: needs a send, an expect or a stream to run on each device"));
        return;
    }
    if (devs.IsScalar() && devs.Scalar() == "all") {
        out.devices = m_devices;
    } else if (r.requireSequence(devs, QStringLiteral("devices (a list of device names, or all)"))) {
        for (const YAML::Node &d : devs) {
            const auto name = r.string(d, QStringLiteral("a device name"));
            if (!name)
                continue;
            if (!m_devices.contains(*name))
                r.error(d, QStringLiteral("unknown device '%1' (the scenario uses %2)")
                               .arg(*name, m_devices.join(u", ")));
            else if (out.devices.contains(*name))
                r.error(d, QStringLiteral("device '%1' is listed twice").arg(*name));
            else
                out.devices.append(*name);
        }
        if (out.devices.isEmpty() && devs.size() == 0)
            r.error(devs, QStringLiteral("devices: names no device"));
    }
    m_stepDevices = out.devices;
}

void ScenarioParser::readExpect(const YAML::Node &n, Step &step) {
    ExpectSpec spec;
    // Emplaced, never assigned: yaml-cpp throws on assigning the node of a missing key.
    std::optional<YAML::Node> pattern;
    if (n.IsScalar()) {
        pattern.emplace(n);
    } else if (r.requireMap(n, QStringLiteral("expect"))) {
        r.checkKeys(n, {"from", "match", "within", "skip_unmatched"});
        if (n["from"]) {
            const auto device = readDevice(n["from"]);
            if (!device)
                return; // already reported; guessing a device would only add noise
            spec.device = *device;
        }
        if (const YAML::Node match = n["match"])
            pattern.emplace(match);
        else
            r.error(n, QStringLiteral("expect needs match (a regular expression)"));
        if (n["within"]) {
            const auto within = r.duration(n["within"], QStringLiteral("within"));
            if (within && within->count() <= 0)
                r.error(n["within"], QStringLiteral("within must be longer than zero"));
            spec.within = within.value_or(Nanoseconds(0));
        }
        if (n["skip_unmatched"])
            spec.skipUnmatched =
                r.boolean(n["skip_unmatched"], QStringLiteral("skip_unmatched")).value_or(false);
    } else {
        return;
    }
    if (spec.device.isEmpty())
        spec.device = step.send ? step.send->device : defaultDevice(n);
    if (pattern) {
        if (const auto text = r.string(*pattern, QStringLiteral("match"))) {
            spec.match = QRegularExpression(*text);
            if (!spec.match.isValid()) {
                // A quoted scalar's mark is its opening quote; the pattern starts one column later.
                const int quote = pattern->Tag() == "!" ? 1 : 0;
                r.errorAt(YamlReader::line(*pattern),
                          YamlReader::column(*pattern) + quote
                              + static_cast<int>(spec.match.patternErrorOffset()),
                          QStringLiteral("bad regular expression: %1").arg(spec.match.errorString()));
            } else {
                spec.match.optimize();
            }
        }
    }
    if (spec.within.count() == 0 && m_stepDevices.isEmpty()) { // devices: each lane takes its own device's
        if (const DeviceConfig *d = m_fixture.device(spec.device))
            spec.within = d->timeout;
    }
    step.expect = spec;
}

std::optional<Range> ScenarioParser::readRange(const YAML::Node &n, const QString &what) {
    Range range;
    if (!(n.IsSequence() && n.size() == 2) && !n.IsMap()) {
        r.error(n,
                QStringLiteral("%1 must be [low, high] (use ~ for no bound) or {low: x, high: y}").arg(what));
        return std::nullopt;
    }
    r.checkKeys(n, {"low", "high"});
    // Constructed, never assigned: yaml-cpp throws on assigning the node of a missing key.
    const YAML::Node low = n.IsMap() ? n["low"] : n[0];
    const YAML::Node high = n.IsMap() ? n["high"] : n[1];
    // An infinite bound is no bound, written as ~ so that a reader sees it is open.
    const auto bound = [&](const YAML::Node &b, const QString &side) -> std::optional<double> {
        // YAML spells them .inf, -.inf and .nan, which number() does not read: the same message for them.
        QString text = b.IsScalar() ? toQString(b.Scalar()).toLower() : QString();
        if (text.startsWith(u'-') || text.startsWith(u'+'))
            text.remove(0, 1);
        const bool nonFiniteWord = text == u".inf" || text == u".nan" || text == u"nan";
        const auto v = nonFiniteWord ? std::optional<double>(qQNaN())
                                     : r.number(b, QStringLiteral("%1 %2").arg(what, side));
        if (v && !std::isfinite(*v)) {
            r.error(b, QStringLiteral("%1 %2 must be a finite number (use ~ for no bound)").arg(what, side));
            return std::nullopt;
        }
        return v;
    };
    if (low && !low.IsNull())
        range.low = bound(low, QStringLiteral("low"));
    if (high && !high.IsNull())
        range.high = bound(high, QStringLiteral("high"));
    if (range.low && range.high && *range.low > *range.high) {
        r.error(n, QStringLiteral("%1: low (%2) is greater than high (%3)")
                       .arg(what)
                       .arg(*range.low)
                       .arg(*range.high));
        return std::nullopt;
    }
    return range;
}

void ScenarioParser::readMeasure(const YAML::Node &n, Step &step) {
    if (!step.expect)
        r.error(n, QStringLiteral("measure needs an expect whose pattern captures the values"));
    if (!r.requireMap(n, QStringLiteral("measure")))
        return;
    r.checkDuplicateKeys(n);
    for (auto it = n.begin(); it != n.end(); ++it) {
        MeasurementSpec spec;
        spec.name = toQString(it->first.Scalar());
        if (step.expect && step.expect->match.isValid()
            && !step.expect->match.namedCaptureGroups().contains(spec.name))
            r.error(it->first,
                    QStringLiteral("the expect pattern has no capture named '%1' (write (?<%1>...))")
                        .arg(spec.name));
        const YAML::Node m = it->second;
        if (m.IsMap()) {
            r.checkKeys(m, {"unit", "limits", "marginal"});
            if (m["unit"])
                spec.unit = r.string(m["unit"], QStringLiteral("unit")).value_or(QString());
            if (m["limits"])
                spec.limits = readRange(m["limits"], QStringLiteral("limits")).value_or(Range{});
            if (m["marginal"]) {
                const auto marginal = readRange(m["marginal"], QStringLiteral("marginal"));
                if (marginal) {
                    const bool inside =
                        (!spec.limits.low || (marginal->low && *marginal->low >= *spec.limits.low))
                        && (!spec.limits.high || (marginal->high && *marginal->high <= *spec.limits.high));
                    if (!inside)
                        r.error(m["marginal"],
                                QStringLiteral("the marginal band must lie inside the limits"));
                    spec.marginal = *marginal;
                }
            }
        } else if (!m.IsNull()) {
            r.error(
                m,
                QStringLiteral("measurement '%1' must be a mapping {unit, limits, marginal}").arg(spec.name));
        }
        step.measure.append(spec);
    }
}

} // namespace

namespace {

std::optional<Scenario> parseScenario(YamlReader &r, const YAML::Node &root, const Fixture &fixture,
                                      SourceErrors *errors) {
    Scenario s;
    s.path = r.file();
    s.name = QFileInfo(r.file()).completeBaseName();
    if (r.ok()) {
        try {
            ScenarioParser parser(r, fixture);
            parser.parse(root, s);
        } catch (const YAML::Exception &e) {
            r.internalError(e);
        }
    }
    if (!r.ok()) {
        if (errors)
            *errors = r.errors();
        return std::nullopt;
    }
    return s;
}

} // namespace

std::optional<Scenario> loadScenario(const QString &path, const Fixture &fixture, SourceErrors *errors) {
    YamlReader r(path);
    const YAML::Node root = r.load();
    return parseScenario(r, root, fixture, errors);
}

std::optional<Scenario> loadScenarioText(const QByteArray &text, const QString &fileName,
                                         const Fixture &fixture, SourceErrors *errors) {
    YamlReader r(fileName);
    const YAML::Node root = r.loadText(text);
    return parseScenario(r, root, fixture, errors);
}

} // namespace hil
