// The scenario language as the loader reads it: variables and their precedence, sweeps, blocks and
// includes, if, retry/until, values the run learns, and every mistake as file:line:col.
#include "core/config/fixtureloader.h"
#include "core/config/scenarioloader.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <boost/test/unit_test.hpp>

namespace {

std::string str(const QString &s) {
    return s.toStdString();
}

hil::Fixture bench(const QByteArray &vars = {}) {
    hil::SourceErrors errors;
    const QByteArray text =
        "name: t\n" + vars + "devices:\n  calc:\n    tcp: {host: 127.0.0.1, port: 9}\n    timeout: 1s\n";
    const auto f = hil::loadFixtureText(text, QStringLiteral("bench.yaml"), &errors);
    BOOST_TEST_REQUIRE(f.has_value(), str(hil::formatErrors(errors)));
    return *f;
}

std::optional<hil::Scenario> load(const QByteArray &text, QString *errors = nullptr,
                                  const hil::Fixture &fixture = bench(),
                                  const hil::ScenarioOptions &options = {}) {
    hil::SourceErrors e;
    auto s = hil::loadScenarioText(text, QStringLiteral("s.yaml"), fixture, &e, options);
    if (errors)
        *errors = hil::formatErrors(e);
    else if (!s)
        BOOST_TEST_MESSAGE(str(hil::formatErrors(e)));
    return s;
}

QString varText(const hil::Scenario &s, const QString &name) {
    for (const hil::Binding &b : s.vars) {
        if (b.name == name)
            return b.value.toString();
    }
    return QStringLiteral("<none>");
}

} // namespace

BOOST_AUTO_TEST_SUITE(language_loading)

BOOST_AUTO_TEST_CASE(vars_precedence_and_types) {
    const QByteArray text = "vars: {a: 1, b: '${a * 2}', sn: '007', plain: 007}\n"
                            "steps:\n  - send: '${b}'\n    expect: '^${a + b}$'\n";
    auto s = load(text);
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(str(QString::fromUtf8(s->steps[0].send->line)) == "2");
    BOOST_TEST(str(s->steps[0].expect->match.pattern()) == "^3$");
    BOOST_TEST(str(varText(*s, QStringLiteral("sn"))) == "007");
    BOOST_TEST(str(varText(*s, QStringLiteral("plain"))) == "007"); // a leading zero keeps it text
    // The bench's value wins over the scenario's default; --var over both.
    s = load(text, nullptr, bench("vars: {a: 5}\n"));
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(str(QString::fromUtf8(s->steps[0].send->line)) == "10");
    hil::ScenarioOptions o;
    o.vars.insert(QStringLiteral("a"), QStringLiteral("7"));
    o.vars.insert(QStringLiteral("sn"), QStringLiteral("0123"));
    s = load(text, nullptr, bench("vars: {a: 5}\n"), o);
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(str(QString::fromUtf8(s->steps[0].send->line)) == "14");
    BOOST_TEST(str(varText(*s, QStringLiteral("sn"))) == "0123");
    QString errors;
    hil::ScenarioOptions wrongType;
    wrongType.vars.insert(QStringLiteral("a"), QStringLiteral("abc"));
    BOOST_TEST(!load(text, &errors, bench(), wrongType));
    BOOST_TEST(str(errors) == "s.yaml:1:7: --var a=abc: a is a number (like its default)\n");
    o.vars.insert(QStringLiteral("nope"), QStringLiteral("1"));
    BOOST_TEST(!load(text, &errors, bench(), o));
    BOOST_TEST(str(errors)
               == "s.yaml:1:7: --var nope: no such variable (the scenario and the fixture declare a, "
                  "b, sn, plain)\n");
}

BOOST_AUTO_TEST_CASE(sweeps_expand_in_order_with_their_values) {
    auto s = load("steps:\n"
                  "  - name: 'V ${V} ${mode}'\n"
                  "    for_each: {V: {from: 3.0, to: 3.6, step: 0.1}, mode: [a, b]}\n"
                  "    send: 'SET ${V} ${mode}'\n"
                  "    expect: OK\n"
                  "  - for_each: {N: [1, 2, 5]}\n"
                  "    send: '${N}*2'\n"
                  "    expect: '^${N*2}$'\n");
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(s->steps.size() == 17u);
    BOOST_TEST(str(s->steps[0].name) == "V 3 a");
    BOOST_TEST(str(s->steps[1].name) == "V 3 b");
    BOOST_TEST(str(s->steps[13].name) == "V 3.6 b"); // counted, not accumulated: 3.6 exactly
    BOOST_TEST(str(QString::fromUtf8(s->steps[13].send->line)) == "SET 3.6 b");
    BOOST_TEST(s->steps[13].bindings.size() == 2u);
    BOOST_TEST(s->steps[13].bindings[0].value.toDouble() == 3.6);
    // A name without ${...} gets the values appended.
    BOOST_TEST(str(s->steps[16].name) == "5*2 [N=5]"); // the send line, its values in place
    BOOST_TEST(str(s->steps[16].expect->match.pattern()) == "^10$");
}

BOOST_AUTO_TEST_CASE(blocks_with_parameters_and_sweeps) {
    auto s = load(
        "blocks:\n"
        "  ask:\n"
        "    params: {q: ~, answer: OK}\n"
        "    steps:\n"
        "      - name: 'ask ${q}'\n"
        "        send: '${q}'\n"
        "        expect: '^${answer}$'\n"
        "  twice: [{use: {block: ask, with: {q: A}}}, {use: {block: ask, with: {q: B, answer: 'yes'}}}]\n"
        "steps:\n"
        "  - use: twice\n"
        "  - use: {block: ask, with: {q: 'P${N}'}}\n"
        "    for_each: {N: [1, 2]}\n");
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST_REQUIRE(s->steps.size() == 4u);
    BOOST_TEST(str(s->steps[0].name) == "ask A");
    BOOST_TEST(str(s->steps[1].expect->match.pattern()) == "^yes$");
    BOOST_TEST(str(s->steps[3].name) == "ask P2");
    BOOST_TEST(s->steps[3].bindings.size() == 1u);
}

BOOST_AUTO_TEST_CASE(if_known_before_the_run_drops_the_step_else_the_run_decides) {
    auto s = load("vars: {fast: false}\n"
                  "steps:\n"
                  "  - send: ID\n"
                  "    expect: '^(?<mode>\\w+)$'\n"
                  "  - send: A\n    expect: OK\n    if: '${fast}'\n"
                  "  - send: B\n    expect: OK\n    if: \"mode == 'x' or not fast\"\n");
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST_REQUIRE(s->steps.size() == 2u);
    BOOST_TEST(str(s->steps[1].templates.conditions.join(u';')) == "mode == 'x' or not (false)");
}

BOOST_AUTO_TEST_CASE(values_the_run_learns_stay_templates) {
    auto s = load("steps:\n"
                  "  - send: ID?\n"
                  "    expect: '^(?<serial>\\S+) (?<v>[0-9.]+)$'\n"
                  "    measure: {v: {limits: [0, 10]}}\n"
                  "  - send: 'ECHO ${serial}'\n"
                  "    expect: {match: '^${serial}$', within: '${v * 100}ms'}\n"
                  "    measure: {x: {limits: ['${v - 1}', ~]}}\n"
                  "  - wait: '${v}s'\n");
    QString errors;
    BOOST_TEST(!load("steps:\n  - send: 'ECHO ${serial}'\n    expect: OK\n", &errors));
    BOOST_TEST(str(errors).find("s.yaml:2:19: unknown variable 'serial'") != std::string::npos, str(errors));
    BOOST_TEST(!s.has_value()); // x is not captured by the pattern ^${serial}$
    s = load("steps:\n"
             "  - send: ID?\n"
             "    expect: '^(?<serial>\\S+) (?<v>[0-9.]+)$'\n"
             "  - send: 'ECHO ${serial}'\n"
             "    expect: {match: '^${serial} (?<x>\\d+)$', within: '${v * 100}ms'}\n"
             "    measure: {x: {limits: ['${v - 1}', ~]}}\n"
             "  - wait: '${v}s'\n");
    BOOST_TEST_REQUIRE(s.has_value());
    const hil::Step &st = s->steps[1];
    BOOST_TEST(str(st.templates.sendLine.value_or(QString())) == "ECHO ${serial}");
    BOOST_TEST(str(st.templates.match.value_or(QString())) == "^${serial} (?<x>\\d+)$");
    BOOST_TEST(str(st.templates.within.value_or(QString())) == "${v * 100}ms");
    BOOST_TEST_REQUIRE(st.templates.bounds.size() == 1u);
    BOOST_TEST(str(st.templates.bounds[0].source) == "${v - 1}");
    BOOST_TEST(str(s->steps[2].templates.wait.value_or(QString())) == "${v}s");
    BOOST_TEST(str(s->runtimeNames.join(u',')) == "serial,v,x");
}

BOOST_AUTO_TEST_CASE(fault_parameters_take_sweep_values_and_are_recorded_with_them) {
    auto s = load("steps:\n"
                  "  - for_each: {p: [0.1, 0.5]}\n"
                  "    fault: {on: calc, link: {loss: {p: '${p}'}}, for: '${p * 10}s'}\n"
                  "  - send: A\n    expect: B\n");
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST_REQUIRE(s->steps.size() == 3u);
    BOOST_TEST(s->steps[1].fault->link.probability == 0.5);
    BOOST_TEST(s->steps[1].fault->duration->count() == 5'000'000'000LL);
    BOOST_TEST(str(s->steps[1].fault->text).find("${") == std::string::npos, str(s->steps[1].fault->text));
    BOOST_TEST(str(s->steps[1].fault->text).find("0.5") != std::string::npos);
    QString errors;
    BOOST_TEST(!load("steps:\n  - send: A\n    expect: '^(?<q>.*)$'\n"
                     "  - fault: {on: calc, link: {loss: {p: '${q}'}}}\n",
                     &errors));
    BOOST_TEST(str(errors).find("is fixed before the run starts") != std::string::npos, str(errors));
}

BOOST_AUTO_TEST_CASE(retry_and_until) {
    auto s =
        load("steps:\n  - send: 'S?'\n    expect: '^(?<state>\\w+)$'\n    until: \"${state == 'READY'}\"\n"
             "    retry: {within: 5s, every: 100ms}\n");
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST_REQUIRE(s->steps[0].retry.has_value());
    BOOST_TEST(str(s->steps[0].retry->until.value_or(QString())) == "state == 'READY'");
    BOOST_TEST(s->steps[0].retry->every.count() == 100'000'000);
    BOOST_TEST(!s->steps[0].retry->times.has_value());
}

BOOST_AUTO_TEST_CASE(includes_name_the_files_involved) {
    QTemporaryDir dir;
    const auto write = [&](const char *name, const QByteArray &text) {
        QDir().mkpath(QFileInfo(dir.filePath(QString::fromUtf8(name))).path());
        QFile f(dir.filePath(QString::fromUtf8(name)));
        BOOST_REQUIRE(f.open(QIODevice::WriteOnly));
        f.write(text);
    };
    write("lib/common.yaml", "include: more.yaml\nblocks:\n  hello: [{send: HI, expect: '^${greeting}$'}]\n");
    write("lib/more.yaml",
          "blocks:\n  bye:\n    - send: BYE\n      expect: {match: OK, within: '${nope}ms'}\n");
    write("s.yaml", "include: lib/common.yaml\nvars: {greeting: HELLO}\nsteps:\n  - use: hello\n");
    hil::SourceErrors e;
    auto s = hil::loadScenario(dir.filePath(QStringLiteral("s.yaml")), bench(), &e);
    BOOST_TEST_REQUIRE(s.has_value(), str(hil::formatErrors(e)));
    BOOST_TEST(str(s->steps[0].expect->match.pattern()) == "^HELLO$");
    // An error inside a block of an included file names that file, the use and the include.
    write("s2.yaml", "include: lib/common.yaml\nsteps:\n  - use: bye\n");
    BOOST_TEST(!hil::loadScenario(dir.filePath(QStringLiteral("s2.yaml")), bench(), &e));
    QString text = hil::formatErrors(e);
    text.replace(dir.path() + u'/', QString());
    BOOST_TEST(str(text)
               == "lib/more.yaml:4:38: unknown variable 'nope' (known here: none: declare it in vars:) "
                  "(included from lib/common.yaml:1:10) (block 'bye' used at s2.yaml:3:10)\n");
    write("lib/loop.yaml", "include: ../s3.yaml\nblocks: {x: [{wait: 1s}]}\n");
    write("s3.yaml", "include: lib/loop.yaml\nsteps:\n  - send: A\n    expect: B\n");
    BOOST_TEST(!hil::loadScenario(dir.filePath(QStringLiteral("s3.yaml")), bench(), &e));
    text = hil::formatErrors(e);
    text.replace(dir.path() + u'/', QString());
    BOOST_TEST(str(text)
               == "lib/loop.yaml:1:10: include loop: s3.yaml -> loop.yaml -> s3.yaml (included from "
                  "s3.yaml:1:10)\n");
    write("s4.yaml", "include: missing.yaml\nsteps:\n  - send: A\n    expect: B\n");
    BOOST_TEST(!hil::loadScenario(dir.filePath(QStringLiteral("s4.yaml")), bench(), &e));
    text = hil::formatErrors(e);
    text.replace(dir.path() + u'/', QString());
    BOOST_TEST(str(text).find("missing.yaml:1:1: cannot read file") == 0, str(text));
    BOOST_TEST(str(text).find("(included from s4.yaml:1:10)") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
