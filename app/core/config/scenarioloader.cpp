#include "core/config/scenarioloader.h"

#include "core/base/hextext.h"
#include "core/config/binarystep.h"
#include "core/config/blocklibrary.h"
#include "core/config/faultloader.h"
#include "core/config/loadscope.h"
#include "core/config/modbusstep.h"
#include "core/config/mqttstep.h"
#include "core/config/promptspec.h"
#include "core/config/streamspec.h"
#include "core/config/sweep.h"
#include "core/config/yamlreader.h"
#include "core/expr/expression.h"
#include "core/expr/template.h"

#include <QFileInfo>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace hil {

namespace {

const QStringList kRecordFields = {QStringLiteral("dut_serial"), QStringLiteral("firmware"),
                                   QStringLiteral("station")};

class ScenarioParser {
public:
    ScenarioParser(YamlReader &reader, const Fixture &fixture, const ScenarioOptions &options)
        : r(reader)
        , m_fixture(fixture)
        , m_options(options)
        , m_scope(reader) {
        r.setExpander([this](const YAML::Node &node, const QString &what) -> std::optional<QString> {
            const auto e = m_scope.expand(node, what, false);
            return e ? std::optional<QString>(e->text) : std::nullopt;
        });
    }
    ~ScenarioParser() { r.setExpander({}); }

    void parse(const YAML::Node &root, Scenario &s);

private:
    void readVars(const YAML::Node &n, Scenario &s);
    void readRepeat(const YAML::Node &n, Repeat &rep);
    void readSteps(const YAML::Node &n, const QString &what, QList<Step> &out);
    // One item of a step list: a step or a `use:` of a block, with its for_each and if.
    void readItem(const YAML::Node &n, int index, QList<Step> &out);
    void readUse(const YAML::Node &n, const YAML::Node &use, QList<Step> &out);
    void readRetry(const YAML::Node &n, Step &step);
    // A field that may wait for values the run learns: its text now, or its template kept in *templ.
    std::optional<QString> templated(const YAML::Node &n, const QString &what, std::optional<QString> *templ);
    void declareCaptures(const Step &step);
    void requireACheck(const YAML::Node &n, const QList<Step> &steps);
    void readStep(const YAML::Node &n, int index, Step &step);
    std::optional<QString> readDevice(const YAML::Node &n);
    QString defaultDevice(const YAML::Node &at);
    void readExpect(const YAML::Node &n, Step &step);
    void readStepDevices(const YAML::Node &devs, const YAML::Node &step, Step &out);
    void readMeasure(const YAML::Node &n, Step &step);
    // One measurement (`key: {unit, limits, marginal}`) of measure: or of a field (checkKeys false: the
    // field's reader checks its keys).
    void readMeasurement(const YAML::Node &key, const YAML::Node &m, Step &step, bool checkKeys);
    // Binary frames (config/binarystep.h): the hex text of a send, a bytes mask as a pattern, and whether
    // the step's devices take what it sends.
    QByteArray readHexSend(const YAML::Node &n, Step &step);
    QRegularExpression readBytes(const YAML::Node &n);
    void checkSendFraming(const YAML::Node &at, const SendSpec &send, bool hex);
    // `onRuntime(low, source)` takes a bound the run computes; without it such a bound is an error.
    std::optional<Range> readRange(const YAML::Node &n, const QString &what,
                                   const std::function<void(bool, const QString &)> &onRuntime = {});

    YamlReader &r;
    const Fixture &m_fixture;
    const ScenarioOptions &m_options;
    LoadScope m_scope;
    BlockLibrary m_blocks;
    QStringList m_devices;     // the devices a step may address
    QStringList m_stepDevices; // the `devices:` of the step being read
    // Where the item being read sits: the sweep values and the if: conditions of the blocks around it.
    Bindings m_outerBindings;
    QStringList m_outerConditions;
    QStringList m_useChain; // blocks being expanded, outermost first
};

void ScenarioParser::parse(const YAML::Node &root, Scenario &s) {
    if (!r.requireMap(root, QStringLiteral("a scenario")))
        return;
    r.checkKeys(root, {"name", "description", "vars", "include", "blocks", "fail_fast", "devices", "seed",
                       "repeat", "setup", "steps", "teardown", "faults"});
    readVars(root["vars"], s);
    if (const YAML::Node include = root["include"])
        m_blocks.readIncludes(r, include, {r.file()});
    if (const YAML::Node blocks = root["blocks"])
        m_blocks.readBlocks(r, blocks);
    if (root["fail_fast"])
        s.failFast = r.boolean(root["fail_fast"], QStringLiteral("fail_fast")).value_or(false);
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
    s.runtimeNames = m_scope.runtimeNames();
    if (const YAML::Node faults = root["faults"]; faults && !faults.IsNull()) {
        if (r.requireSequence(faults, QStringLiteral("faults"))) {
            for (const YAML::Node &f : faults) {
                if (auto entry = readFaultEntry(r, f, m_fixture, m_devices, false)) {
                    entry->text = m_scope.expandText(entry->text);
                    s.faults.append(*entry);
                }
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

void ScenarioParser::readVars(const YAML::Node &n, Scenario &s) {
    // Which value wins: --var, then the bench's (the fixture's vars), then the scenario's own default.
    QStringList declared;
    for (const Binding &b : m_fixture.vars) {
        m_scope.setStatic(b.name, b.value);
        declared.append(b.name);
    }
    // The type of each default, which a --var must have: a number, true/false or text (-1: computed, any).
    QHash<QString, int> defaultType;
    for (const Binding &b : m_fixture.vars)
        defaultType.insert(b.name, b.value.typeId());
    const bool hasVars = n && !n.IsNull();
    if (hasVars && r.requireMap(n, QStringLiteral("vars"))) {
        r.checkDuplicateKeys(n);
        for (auto it = n.begin(); it != n.end(); ++it) {
            const QString name = toQString(it->first.Scalar());
            if (!declared.contains(name))
                declared.append(name);
            if (defaultType.contains(name))
                continue; // the bench's value is the default
            const YAML::Node v = it->second;
            const QString raw = v.IsScalar() ? toQString(v.Scalar()) : QString();
            defaultType.insert(name, !v.IsScalar() || hasTemplate(raw) ? -1
                                     : v.Tag() == "!"                  ? int(QMetaType::QString)
                                                                       : scalarValue(raw).typeId());
        }
    }
    const YAML::Node at = hasVars ? n : YAML::Node();
    QSet<QString> overridden; // the --var values that were taken
    for (auto it = m_options.vars.cbegin(); it != m_options.vars.cend(); ++it) {
        const int line = at ? YamlReader::line(at) : 1;
        const int column = at ? YamlReader::column(at) : 1;
        if (!declared.contains(it.key())) {
            r.errorAt(line, column,
                      QStringLiteral("--var %1: no such variable (the scenario and the fixture declare %2)")
                          .arg(it.key(), declared.isEmpty() ? QStringLiteral("none") : declared.join(u", ")));
            continue;
        }
        const int type = defaultType.value(it.key(), -1);
        QVariant value = type == QMetaType::QString ? QVariant(it.value()) : scalarValue(it.value());
        if ((type == QMetaType::Double || type == QMetaType::Bool) && value.typeId() != type) {
            r.errorAt(line, column,
                      QStringLiteral("--var %1=%2: %1 is %3 (like its default)")
                          .arg(it.key(), it.value(),
                               type == QMetaType::Double ? QStringLiteral("a number")
                                                         : QStringLiteral("true or false")));
            continue;
        }
        m_scope.setStatic(it.key(), value);
        overridden.insert(it.key());
    }
    if (hasVars && n.IsMap()) {
        QStringList fixtureNames;
        for (const Binding &b : m_fixture.vars)
            fixtureNames.append(b.name);
        for (auto it = n.begin(); it != n.end(); ++it) {
            const QString name = toQString(it->first.Scalar());
            QString why;
            if (!isVariableName(name, &why)) {
                r.error(it->first, why);
                continue;
            }
            // Still read when overridden: a default that cannot be evaluated is an error either way.
            const auto value = m_scope.value(it->second, QStringLiteral("var %1").arg(name));
            if (value && !overridden.contains(name) && !fixtureNames.contains(name))
                m_scope.setStatic(name, *value);
        }
    }
    for (const QString &name : std::as_const(declared)) {
        if (const auto v = m_scope.staticValue(name))
            s.vars.append({name, *v});
    }
}

void ScenarioParser::readSteps(const YAML::Node &n, const QString &what, QList<Step> &out) {
    if (n.IsNull())
        return;
    if (!r.requireSequence(n, what))
        return;
    int index = 0;
    for (const YAML::Node &item : n)
        readItem(item, index++, out);
}

void ScenarioParser::readItem(const YAML::Node &n, int index, QList<Step> &out) {
    if (!n.IsMap()) {
        Step step;
        readStep(n, index, step); // reports what it is not
        return;
    }
    std::optional<QList<Bindings>> sweep;
    if (const YAML::Node f = n["for_each"]) {
        sweep = readSweep(r, m_scope, f);
        if (!sweep)
            return;
    }
    const QList<Bindings> iterations = sweep ? *sweep : QList<Bindings>{Bindings{}};
    for (const Bindings &b : iterations) {
        QHash<QString, QVariant> frame;
        for (const Binding &one : b)
            frame.insert(one.name, one.value);
        m_scope.push(frame);
        const Bindings savedBindings = m_outerBindings;
        const QStringList savedConditions = m_outerConditions;
        m_outerBindings += b;
        bool keep = true;
        if (const YAML::Node cond = n["if"]) {
            if (const auto c = m_scope.condition(cond, QStringLiteral("if"))) {
                if (c->value)
                    keep = *c->value;
                else
                    m_outerConditions.append(c->source);
            }
        }
        if (n["use"]) {
            // A block whose if is false at load is not expanded: its steps do not exist in this run.
            if (keep)
                readUse(n, n["use"], out);
        } else {
            Step step;
            readStep(n, index, step);
            if (keep) {
                declareCaptures(step);
                out.append(step);
            }
        }
        m_outerBindings = savedBindings;
        m_outerConditions = savedConditions;
        m_scope.pop();
    }
}

void ScenarioParser::readUse(const YAML::Node &n, const YAML::Node &use, QList<Step> &out) {
    r.checkKeys(n, {"use", "for_each", "if"});
    std::optional<QString> name;
    std::optional<YAML::Node> with;
    if (use.IsScalar()) {
        name = r.string(use, QStringLiteral("use"));
    } else if (r.requireMap(use, QStringLiteral("use"))) {
        r.checkKeys(use, {"block", "with"});
        if (use["block"])
            name = r.string(use["block"], QStringLiteral("block"));
        else
            r.error(use, QStringLiteral("use needs block: (the name of a block)"));
        if (use["with"])
            with.emplace(use["with"]);
    }
    if (!name)
        return;
    const BlockDef *def = m_blocks.block(*name);
    if (!def) {
        const QStringList known = m_blocks.names();
        r.error(use.IsMap() && use["block"] ? use["block"] : use,
                QStringLiteral("unknown block '%1' (%2)")
                    .arg(*name, known.isEmpty() ? QStringLiteral("the scenario defines no blocks:")
                                                : QStringLiteral("known: ") + known.join(u", ")));
        return;
    }
    if (m_useChain.contains(*name)) {
        r.error(use, QStringLiteral("block '%1' uses itself: %2 -> %1")
                         .arg(*name, m_useChain.join(QStringLiteral(" -> "))));
        return;
    }
    QHash<QString, QVariant> params;
    bool ok = true;
    if (with) {
        if (r.requireMap(*with, QStringLiteral("with"))) {
            r.checkDuplicateKeys(*with);
            for (auto it = with->begin(); it != with->end(); ++it) {
                const QString key = toQString(it->first.Scalar());
                const bool declared = std::any_of(def->params.cbegin(), def->params.cend(),
                                                  [&](const BlockDef::Param &p) { return p.name == key; });
                if (!declared) {
                    QStringList names;
                    for (const BlockDef::Param &p : def->params)
                        names.append(p.name);
                    r.error(it->first,
                            QStringLiteral("block '%1' has no parameter '%2' (%3)")
                                .arg(*name, key,
                                     names.isEmpty() ? QStringLiteral("it takes none")
                                                     : QStringLiteral("it takes ") + names.join(u", ")));
                    ok = false;
                    continue;
                }
                if (const auto v = m_scope.value(it->second, QStringLiteral("parameter %1").arg(key)))
                    params.insert(key, *v);
                else
                    ok = false;
            }
        } else {
            ok = false;
        }
    }
    const YamlReader::Context outer = r.context();
    const QString usedAt = QStringLiteral(" (block '%1' used at %2:%3:%4)")
                               .arg(*name, QFileInfo(outer.file).fileName())
                               .arg(YamlReader::line(use))
                               .arg(YamlReader::column(use));
    for (const BlockDef::Param &p : def->params) {
        if (params.contains(p.name))
            continue;
        if (!p.defaultValue) {
            r.error(use,
                    QStringLiteral("block '%1' needs parameter '%2' (give it in with:)").arg(*name, p.name));
            ok = false;
            continue;
        }
        r.setContext({def->where.file, def->where.suffix + usedAt});
        if (const auto v = m_scope.value(*p.defaultValue, QStringLiteral("parameter %1").arg(p.name)))
            params.insert(p.name, *v);
        else
            ok = false;
        r.setContext(outer);
    }
    if (!ok)
        return;
    r.setContext({def->where.file, def->where.suffix + usedAt});
    m_scope.push(params);
    m_useChain.append(*name);
    int index = 0;
    for (const YAML::Node &item : def->steps)
        readItem(item, index++, out);
    m_useChain.removeLast();
    m_scope.pop();
    r.setContext(outer);
}

std::optional<QString> ScenarioParser::templated(const YAML::Node &n, const QString &what,
                                                 std::optional<QString> *templ) {
    const auto e = m_scope.expand(n, what, true);
    if (!e)
        return std::nullopt;
    if (e->runtime) {
        *templ = e->text;
        return QString();
    }
    return e->text;
}

void ScenarioParser::declareCaptures(const Step &step) {
    if (step.prompt) {
        const QString &name = step.prompt->name;
        if (m_scope.isRuntime(name) || m_scope.staticValue(name))
            r.errorAt(
                step.prompt->line, step.prompt->column,
                QStringLiteral("prompt name '%1' is taken (by a variable, a capture or another prompt): "
                               "each prompt needs a name of its own")
                    .arg(name));
        m_scope.declareRuntime(name);
    }
    if (!step.expect || !step.expect->match.isValid())
        return;
    for (const QString &name : captureNames(*step.expect))
        m_scope.declareRuntime(name);
}

void ScenarioParser::readRetry(const YAML::Node &n, Step &step) {
    const YAML::Node retry = n["retry"];
    const YAML::Node until = n["until"];
    if (!retry && !until)
        return;
    if (!step.expect) {
        r.error(retry ? retry : until,
                QStringLiteral("retry and until need an expect: they try an exchange again until it passes"));
        return;
    }
    RetrySpec spec;
    if (retry && r.requireMap(retry, QStringLiteral("retry"))) {
        r.checkKeys(retry, {"times", "within", "every"});
        if (retry["times"])
            spec.times = r.integer(retry["times"], QStringLiteral("times"), 1, 1'000'000);
        if (retry["within"]) {
            spec.within = r.duration(retry["within"], QStringLiteral("within"));
            if (spec.within && spec.within->count() <= 0)
                r.error(retry["within"], QStringLiteral("within must be longer than zero"));
        }
        if (retry["every"]) {
            spec.every = r.duration(retry["every"], QStringLiteral("every")).value_or(Nanoseconds(0));
            if (spec.every.count() < 0)
                r.error(retry["every"], QStringLiteral("every must not be negative"));
        }
        if (!retry["times"] && !retry["within"])
            r.error(retry,
                    QStringLiteral("retry needs times (tries in all) or within (how long to keep trying)"));
    }
    if (until) {
        if (!retry)
            r.error(until, QStringLiteral("until needs a bound: add retry: {within: 10s, every: 250ms} or "
                                          "retry: {times: N}"));
        // The step's own captures are known to its until.
        declareCaptures(step);
        if (const auto c = m_scope.condition(until, QStringLiteral("until"))) {
            if (c->value && !*c->value)
                r.error(until, QStringLiteral("until is always false: the step could never pass"));
            else if (!c->value)
                spec.until = c->source;
        }
    }
    step.retry = spec;
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
        if (step.expect || step.stream || step.prompt)
            return;
    }
    r.error(n,
            QStringLiteral(
                "no step checks anything: at least one step of steps needs an expect, a stream or a prompt "
                "(send and wait alone cannot fail, so the run could only pass)"));
}

QByteArray ScenarioParser::readHexSend(const YAML::Node &n, Step &step) {
    const auto text = templated(n, QStringLiteral("hex"), &step.templates.sendLine);
    if (!text || step.templates.sendLine) // a run-time value: the framer checks the hex when it is sent
        return {};
    QString why;
    const std::optional<QByteArray> bytes = fromHexText(text->toUtf8(), &why);
    if (!bytes) {
        r.error(n, QStringLiteral("hex: %1").arg(why));
        return {};
    }
    if (bytes->isEmpty())
        r.error(n, QStringLiteral("hex: a frame needs at least one byte"));
    return toHexText(*bytes);
}

QRegularExpression ScenarioParser::readBytes(const YAML::Node &n) {
    const auto mask = r.string(n, QStringLiteral("bytes"));
    if (!mask)
        return {};
    QString why;
    int column = 0;
    const auto pattern = bytesPattern(*mask, &why, &column);
    if (!pattern) {
        const int quote = n.Tag() == "!" ? 1 : 0;
        r.errorAt(YamlReader::line(n), YamlReader::column(n) + quote + column, why);
        return {};
    }
    QRegularExpression re(*pattern);
    re.optimize();
    return re;
}

void ScenarioParser::checkSendFraming(const YAML::Node &at, const SendSpec &send, bool hex) {
    const QStringList devices = m_stepDevices.isEmpty() ? QStringList{send.device} : m_stepDevices;
    for (const QString &name : devices) {
        const DeviceConfig *d = m_fixture.device(name);
        if (!d)
            continue;
        if (const QString problem = sendFramingProblem(*d, hex); !problem.isEmpty())
            r.error(at, problem);
    }
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
    r.checkKeys(n, {"name", "devices", "send", "publish", "expect", "stream", "measure", "record", "wait",
                    "repeat", "retry", "until", "for_each", "if", "fault", "clear", "prompt", "modbus"});
    m_stepDevices.clear();
    if (const YAML::Node devs = n["devices"])
        readStepDevices(devs, n, step);
    if (!n["send"] && !n["publish"] && !n["expect"] && !n["stream"] && !n["wait"] && !n["fault"]
        && !n["clear"] && !n["prompt"] && !n["modbus"])
        r.error(n, QStringLiteral(
                       "a step needs send, publish, expect, stream, wait, fault, clear, prompt or modbus"));
    if (n["send"] && n["publish"])
        r.error(n["publish"], QStringLiteral("a step has send or publish, not both"));
    if (n["modbus"]
        && (n["send"] || n["publish"] || n["expect"] || n["stream"] || n["fault"] || n["clear"]
            || n["prompt"]))
        r.error(n["modbus"], QStringLiteral("a modbus step is its own send and expect: no send, publish, "
                                            "expect, stream, fault, clear or prompt beside it"));
    if (n["stream"] && n["expect"])
        r.error(n["stream"], QStringLiteral("a step has expect or stream, not both"));
    if (n["prompt"])
        step.prompt = readPromptSpec(r, n, [&](const YAML::Node &text) -> std::optional<QString> {
            // The question may show what the run has learnt (`Is ${serial} on the label?`).
            const auto v = templated(text, QStringLiteral("text"), &step.templates.promptText);
            return v && step.templates.promptText ? step.templates.promptText : v;
        });
    if ((n["fault"] || n["clear"]) && (n["send"] || n["expect"] || n["stream"]))
        r.error(n, QStringLiteral("fault and clear are steps of their own, without send or expect"));
    if (const YAML::Node f = n["fault"]) {
        step.fault = readFaultEntry(r, f, m_fixture, m_devices, true);
        if (step.fault)
            step.fault->text = m_scope.expandText(step.fault->text); // recorded with its values
    }
    if (const YAML::Node c = n["clear"]) {
        if (const auto target = r.string(c, QStringLiteral("clear"))) {
            if (*target != u"all" && !m_devices.contains(*target) && !m_fixture.proxy(*target))
                r.error(c, QStringLiteral("clear takes all, a device or a proxy, not '%1'").arg(*target));
            step.clear = *target;
        }
    }
    bool nameComputed = false; // a name with ${...} tells the iterations of a sweep apart by itself
    if (n["name"]) {
        nameComputed = n["name"].IsScalar() && hasTemplate(toQString(n["name"].Scalar()));
        step.name = r.string(n["name"], QStringLiteral("name")).value_or(QString());
    }
    if (const YAML::Node send = n["send"]) {
        SendSpec spec;
        if (send.IsScalar()) {
            spec.line = templated(send, QStringLiteral("send"), &step.templates.sendLine)
                            .value_or(QString())
                            .toUtf8();
            spec.device = defaultDevice(send);
        } else if (r.requireMap(send, QStringLiteral("send"))) {
            r.checkKeys(send, {"to", "line", "hex"});
            if (send["to"])
                spec.device = readDevice(send["to"]).value_or(QString());
            else
                spec.device = defaultDevice(send);
            if (send["line"] && send["hex"])
                r.error(send["hex"],
                        QStringLiteral("send has line (text) or hex (a binary frame), not both"));
            else if (send["hex"])
                spec.line = readHexSend(send["hex"], step);
            else if (!send["line"])
                r.error(send, QStringLiteral("send needs a line (or hex, for a binary device)"));
            else
                spec.line = templated(send["line"], QStringLiteral("line"), &step.templates.sendLine)
                                .value_or(QString())
                                .toUtf8();
        }
        if (isMqttDevice(m_fixture, spec.device))
            r.error(send, QStringLiteral("device '%1' is an MQTT client: it takes publish:, not send:")
                              .arg(spec.device));
        else
            checkSendFraming(send, spec, send.IsMap() && send["hex"]);
        step.send = spec;
    }
    if (const YAML::Node publish = n["publish"]; publish && !n["send"])
        readPublish(r, publish, m_fixture,
                    {[this](const YAML::Node &d) { return readDevice(d); },
                     [this](const YAML::Node &d) { return defaultDevice(d); },
                     [this](const YAML::Node &f, const QString &what, std::optional<QString> *t) {
                         return templated(f, what, t);
                     }},
                    step);
    if (n["expect"])
        readExpect(n["expect"], step);
    if (const YAML::Node mb = n["modbus"]; mb && !n["send"] && !n["expect"]) {
        const auto device = [&](const YAML::Node *to) -> std::optional<QString> {
            if (to)
                return readDevice(*to);
            const QString d = defaultDevice(mb);
            return d.isEmpty() ? std::nullopt : std::optional<QString>(d);
        };
        readModbusStep(r, mb, {device, &m_fixture}, step);
    }
    if (n["stream"] && !n["expect"])
        step.stream = readStreamSpec(r, n["stream"],
                                     {m_devices, m_stepDevices, step.send ? step.send->device : QString()});
    if (step.stream)
        readMqttStreamTopic(r, n["stream"], m_fixture, *step.stream);
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
                if (step.expect && !captureNames(*step.expect).contains(*capture))
                    r.error(
                        it->second,
                        step.expect->fields.isEmpty()
                            ? QStringLiteral("the expect pattern has no capture named '%1'").arg(*capture)
                            : QStringLiteral("the expect has no capture or field named '%1'").arg(*capture));
                step.record.insert(field, *capture);
            }
        }
    }
    if (n["wait"]) {
        const bool runtime = n["wait"].IsScalar()
                             && m_scope.expand(n["wait"], QStringLiteral("wait"), true)
                                    .value_or(LoadScope::Expanded{})
                                    .runtime;
        if (runtime) {
            step.templates.wait = m_scope.expand(n["wait"], QStringLiteral("wait"), true)->text;
            step.wait = Nanoseconds(0);
        } else {
            step.wait = r.duration(n["wait"], QStringLiteral("wait"));
            if (step.wait && step.wait->count() < 0)
                r.error(n["wait"], QStringLiteral("wait must not be negative"));
        }
    }
    if (n["repeat"])
        readRepeat(n["repeat"], step.repeat);
    step.bindings = m_outerBindings;
    step.templates.conditions = m_outerConditions;
    if (step.name.isEmpty()) {
        if (step.send)
            step.name =
                step.templates.sendLine ? *step.templates.sendLine : QString::fromUtf8(step.send->line);
        else if (step.expect)
            step.name = QStringLiteral("expect %1")
                            .arg(step.templates.match ? *step.templates.match : step.expect->match.pattern());
        else if (step.stream)
            step.name = QStringLiteral("stream %1").arg(formatDuration(step.stream->window));
        else if (step.fault)
            step.name = QStringLiteral("fault %1").arg(step.fault->text);
        else if (step.clear)
            step.name = QStringLiteral("clear %1").arg(*step.clear);
        else if (step.prompt)
            step.name = QStringLiteral("prompt %1").arg(step.prompt->name);
        else
            step.name = QStringLiteral("step %1").arg(index + 1);
    }
    if (!m_outerBindings.isEmpty() && !nameComputed)
        step.name += QStringLiteral(" [%1]").arg(bindingsText(m_outerBindings));
    readRetry(n, step);
    m_stepDevices.clear();
}

void ScenarioParser::readStepDevices(const YAML::Node &devs, const YAML::Node &step, Step &out) {
    if (!step["send"] && !step["publish"] && !step["expect"] && !step["stream"]) {
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
        r.checkKeys(n, {"from", "topic", "match", "bytes", "fields", "within", "skip_unmatched", "stale"});
        if (n["from"]) {
            const auto device = readDevice(n["from"]);
            if (!device)
                return; // already reported; guessing a device would only add noise
            spec.device = *device;
        }
        if (n["match"] && n["bytes"])
            r.error(n["bytes"], QStringLiteral("expect has match (a regular expression) or bytes, not both"));
        else if (const YAML::Node match = n["match"])
            pattern.emplace(match);
        else if (n["bytes"])
            spec.match = readBytes(n["bytes"]);
        else if (n["fields"])
            spec.match = QRegularExpression(QStringLiteral("^")); // any frame; the fields read it
        else if (!n["topic"])
            r.error(n, QStringLiteral("expect needs match (a regular expression) or bytes (a binary frame)"));
        if (n["fields"])
            spec.fields = readFields(r, n["fields"], [&](const YAML::Node &key, const YAML::Node &value) {
                readMeasurement(key, value, step, false);
            });
        if (n["within"] && !n["within"].IsScalar()) {
            r.duration(n["within"], QStringLiteral("within")); // says what it must be
        } else if (n["within"]) {
            std::optional<QString> runtime;
            const auto text = templated(n["within"], QStringLiteral("within"), &runtime);
            if (runtime) {
                step.templates.within = runtime;
            } else if (text) {
                QString why;
                const auto within = parseDuration(*text, &why);
                if (!within)
                    r.error(n["within"], QStringLiteral("within: %1").arg(why));
                else if (within->count() <= 0)
                    r.error(n["within"], QStringLiteral("within must be longer than zero"));
                spec.within = within.value_or(Nanoseconds(0));
            }
        }
        if (n["skip_unmatched"])
            spec.skipUnmatched =
                r.boolean(n["skip_unmatched"], QStringLiteral("skip_unmatched")).value_or(false);
        if (const YAML::Node stale = n["stale"]) {
            const auto s = r.string(stale, QStringLiteral("stale"));
            if (s && *s != u"accept" && *s != u"skip")
                r.error(stale, QStringLiteral("stale is accept or skip, not '%1'").arg(*s));
            else if (s && step.send)
                r.error(stale, QStringLiteral("stale applies to an expect without a send (lines before a "
                                              "send are never its answer)"));
            spec.acceptStale = s == u"accept";
        }
    } else {
        return;
    }
    if (spec.device.isEmpty())
        spec.device = step.send ? step.send->device : defaultDevice(n);
    if (pattern) {
        std::optional<QString> runtime;
        if (const auto text = templated(*pattern, QStringLiteral("match"), &runtime); text && runtime) {
            // Checked when the run fills it in; its literal parts tell which captures it defines.
            step.templates.match = runtime;
            QString why;
            int at = 0;
            QString literal;
            if (const auto t = parseTemplate(*runtime, &why, &at)) {
                for (const TemplatePart &p : t->parts)
                    literal += p.isExpression ? QString() : p.text;
            }
            spec.match = QRegularExpression(literal);
        } else if (text) {
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
    readMqttExpectTopic(r, n, m_fixture, spec, step);
    if (n.IsMap() && (n["bytes"] || n["fields"])) {
        // Frames by their bytes exist only on a binary device: a line device's answers are text.
        const QStringList devices = m_stepDevices.isEmpty() ? QStringList{spec.device} : m_stepDevices;
        for (const QString &name : devices) {
            const DeviceConfig *d = m_fixture.device(name);
            if (d && !d->framing.isBinary())
                r.error(
                    n["bytes"] ? n["bytes"] : n["fields"],
                    QStringLiteral("device '%1' speaks text lines (no framing:): bytes and fields are for "
                                   "binary frames; use match")
                        .arg(name));
        }
    }
    step.expect = spec;
}

std::optional<Range> ScenarioParser::readRange(const YAML::Node &n, const QString &what,
                                               const std::function<void(bool, const QString &)> &onRuntime) {
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
    bool runtimeBound = false;
    const auto bound = [&](const YAML::Node &b, const QString &side) -> std::optional<double> {
        if (b.IsScalar() && hasTemplate(toQString(b.Scalar()))) {
            const auto e = m_scope.expand(b, QStringLiteral("%1 %2").arg(what, side), bool(onRuntime));
            if (!e)
                return std::nullopt;
            if (e->runtime) {
                onRuntime(side == u"low", e->text);
                runtimeBound = true;
                return std::nullopt;
            }
            bool ok = false;
            const double v = e->text.toDouble(&ok);
            if (!ok || !std::isfinite(v)) {
                r.error(
                    b, QStringLiteral("%1 %2 must be a finite number; it gives %3").arg(what, side, e->text));
                return std::nullopt;
            }
            return v;
        }
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
    (void)runtimeBound;
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
    for (auto it = n.begin(); it != n.end(); ++it)
        readMeasurement(it->first, it->second, step, true);
}

void ScenarioParser::readMeasurement(const YAML::Node &key, const YAML::Node &m, Step &step, bool checkKeys) {
    MeasurementSpec spec;
    spec.name = toQString(key.Scalar());
    if (step.expect && step.expect->match.isValid() && !captureNames(*step.expect).contains(spec.name))
        r.error(key, step.expect->modbus ? modbusUnknownValueText(spec.name, step.expect->fields)
                     : step.expect->fields.isEmpty()
                         ? QStringLiteral("the expect pattern has no capture named '%1' (write (?<%1>...))")
                               .arg(spec.name)
                         : QStringLiteral("the expect has no capture or field named '%1'").arg(spec.name));
    if (std::any_of(step.measure.cbegin(), step.measure.cend(),
                    [&](const MeasurementSpec &other) { return other.name == spec.name; }))
        r.error(key, QStringLiteral("'%1' is measured twice (by its field and by measure:)").arg(spec.name));
    if (m.IsMap()) {
        if (checkKeys)
            r.checkKeys(m, {"unit", "limits", "marginal"});
        if (m["unit"])
            spec.unit = r.string(m["unit"], QStringLiteral("unit")).value_or(QString());
        const int index = static_cast<int>(step.measure.size());
        bool runtime = false;
        const auto onRuntime = [&](BoundTemplate::Which low, BoundTemplate::Which high) {
            return [&, low, high](bool isLow, const QString &source) {
                step.templates.bounds.append({index, isLow ? low : high, source});
                runtime = true;
            };
        };
        if (m["limits"])
            spec.limits =
                readRange(m["limits"], QStringLiteral("limits"),
                          onRuntime(BoundTemplate::Which::LimitLow, BoundTemplate::Which::LimitHigh))
                    .value_or(Range{});
        if (m["marginal"]) {
            const auto marginal =
                readRange(m["marginal"], QStringLiteral("marginal"),
                          onRuntime(BoundTemplate::Which::MarginalLow, BoundTemplate::Which::MarginalHigh));
            if (marginal && runtime) {
                spec.marginal = *marginal; // checked against the limits when the run computes them
            } else if (marginal) {
                const bool inside =
                    (!spec.limits.low || (marginal->low && *marginal->low >= *spec.limits.low))
                    && (!spec.limits.high || (marginal->high && *marginal->high <= *spec.limits.high));
                if (!inside)
                    r.error(m["marginal"], QStringLiteral("the marginal band must lie inside the limits"));
                spec.marginal = *marginal;
            }
        }
    } else if (!m.IsNull()) {
        r.error(m,
                QStringLiteral("measurement '%1' must be a mapping {unit, limits, marginal}").arg(spec.name));
    }
    step.measure.append(spec);
}

} // namespace

namespace {

std::optional<Scenario> parseScenario(YamlReader &r, const YAML::Node &root, const Fixture &fixture,
                                      const ScenarioOptions &options, SourceErrors *errors) {
    Scenario s;
    s.path = r.file();
    s.name = QFileInfo(r.file()).completeBaseName();
    if (r.ok()) {
        try {
            ScenarioParser parser(r, fixture, options);
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

std::optional<Scenario> loadScenario(const QString &path, const Fixture &fixture, SourceErrors *errors,
                                     const ScenarioOptions &options) {
    YamlReader r(path);
    const YAML::Node root = r.load();
    return parseScenario(r, root, fixture, options, errors);
}

std::optional<Scenario> loadScenarioText(const QByteArray &text, const QString &fileName,
                                         const Fixture &fixture, SourceErrors *errors,
                                         const ScenarioOptions &options) {
    YamlReader r(fileName);
    const YAML::Node root = r.loadText(text);
    return parseScenario(r, root, fixture, options, errors);
}

} // namespace hil
