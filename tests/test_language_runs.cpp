// The scenario language in real runs of `hil`: against `bc` (a calculator nobody here wrote) behind socat
// on a PTY, and the shipped example on the simulated bench. Every case reads the database afterwards.
#include "support/harness.h"

#include <QStandardPaths>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <memory>

namespace {

using namespace hiltest;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

// `bc -q` on the far side of a PTY pair: each line sent is evaluated and its value printed on a line.
// Variables persist, so `(c=c+1)` counts and a retry can watch it change.
class BcDevice {
public:
    explicit BcDevice(const Workspace &ws)
        : m_link(ws.path("ttyBC")) {
        const QString socat = QStandardPaths::findExecutable(QStringLiteral("socat"));
        const QString bc = QStandardPaths::findExecutable(QStringLiteral("bc"));
        BOOST_REQUIRE_MESSAGE(!socat.isEmpty() && !bc.isEmpty(), "socat and bc are needed (cmake/setup.sh)");
        m_socat =
            std::make_unique<Child>(socat, QStringList{QStringLiteral("-d"), QStringLiteral("-d"),
                                                       QStringLiteral("pty,raw,echo=0,link=%1").arg(m_link),
                                                       QStringLiteral("EXEC:%1 -q").arg(bc)});
        BOOST_REQUIRE_MESSAGE(waitUntil([&] {
                                  return QFileInfo::exists(m_link)
                                         && m_socat->stderrText().contains(
                                             QStringLiteral("starting data transfer"));
                              }),
                              "socat did not come up: " << str(m_socat->stderrText()));
        ws.write("bc-bench.yaml", QStringLiteral("name: bc-bench\n"
                                                 "vars: {offset: 0}\n"
                                                 "devices:\n"
                                                 "  calc:\n"
                                                 "    serial: {port: %1}\n"
                                                 "    timeout: 2s\n")
                                      .arg(m_link));
    }

private:
    QString m_link;
    std::unique_ptr<Child> m_socat;
};

HilResult run(const Workspace &ws, const char *scenario, const QStringList &extra = {}) {
    QStringList args{QStringLiteral("run"),    ws.path(scenario),      QStringLiteral("--fixture"),
                     ws.path("bc-bench.yaml"), QStringLiteral("--db"), ws.db(),
                     QStringLiteral("--quiet")};
    args += extra;
    return runHil(args, ws.dir.path());
}

} // namespace

BOOST_AUTO_TEST_SUITE(language_runs)

BOOST_AUTO_TEST_CASE(bc_sweep_and_a_capture_reused_in_the_next_request) {
    Workspace ws;
    BcDevice bc(ws);
    ws.write("sweep.yaml",
             QStringLiteral("name: bc-sweep\n"
                            "vars: {factor: 2}\n"
                            "steps:\n"
                            "  - name: 'double ${N}'\n"
                            "    for_each: {N: {from: 1, to: 20}}\n"
                            "    send: '${N}*${factor}'\n"
                            "    expect: '^${N*factor + offset}$'\n"
                            "  - name: serial\n"
                            "    send: '12345+1'\n"
                            "    expect: '^(?<serial>\\d+)$'\n"
                            "  - name: reuse\n"
                            "    send: '${serial}*2'\n"
                            "    expect: '^${serial * 2}$'\n"
                            "  - name: measured\n"
                            "    send: '${serial} / 2'\n"
                            "    expect: '^(?<half>\\d+)$'\n"
                            "    measure: {half: {limits: ['${serial / 2 - 1}', '${serial / 2}']}}\n"
                            "  - name: formatted\n"
                            "    send: \"${fmt('%.1f', half)} + 0.5\"\n"
                            "    expect: '^6173\\.5$'\n"));
    HilResult r = run(ws, "sweep.yaml");
    BOOST_TEST_REQUIRE(r.exitCode == 0, str(r.err));
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'") == 24);
    BOOST_TEST(str(db.value("SELECT response FROM step_results WHERE step = 'double 17'")) == "34");
    BOOST_TEST(str(db.value("SELECT response FROM step_results WHERE step = 'reuse'")) == "24692");
    BOOST_TEST(db.value("SELECT value FROM measurements WHERE name = 'half'").toDouble() == 6173.0);
    // --var wins: the expected answers follow the factor.
    r = run(ws, "sweep.yaml", {QStringLiteral("--var"), QStringLiteral("factor=3")});
    BOOST_TEST_REQUIRE(r.exitCode == 0, str(r.err));
    BOOST_TEST(str(db.value("SELECT response FROM step_results WHERE step = 'double 17' ORDER BY id DESC"))
               == "51");
    // A value no answer gave is an ERROR naming the step and the variable, at run time.
    ws.write("unset.yaml", QStringLiteral("steps:\n"
                                          "  - send: 'x'\n"
                                          "    expect: {match: '^(?<never>NEVER)$', within: 300ms}\n"
                                          "  - name: uses it\n"
                                          "    send: '${never}+1'\n"
                                          "    expect: '^1$'\n"));
    r = run(ws, "unset.yaml");
    BOOST_TEST(r.exitCode == 3, str(r.err));
    BOOST_TEST(
        str(db.value("SELECT verdict || ': ' || message FROM step_results WHERE step = 'uses it'"))
        == "ERROR: step 'uses it': send '${never}+1': 'never' has no value yet (no answer has captured it "
           "so far)");
}

BOOST_AUTO_TEST_CASE(retry_until_and_their_tries) {
    Workspace ws;
    BcDevice bc(ws);
    ws.write("retry.yaml", QStringLiteral("steps:\n"
                                          "  - name: count to 3\n"
                                          "    send: '(c=c+1)'\n"
                                          "    expect: '^(?<c>\\d+)$'\n"
                                          "    until: '${c >= 3}'\n"
                                          "    retry: {times: 10, every: 10ms}\n"
                                          "  - name: third time lucky\n"
                                          "    send: '(d=d+1)'\n"
                                          "    expect: '^3$'\n"
                                          "    retry: {times: 5}\n"));
    HilResult r = run(ws, "retry.yaml");
    BOOST_TEST(r.exitCode == 0, str(r.err));
    const Database db(ws.db());
    BOOST_TEST(
        str(db.strings("SELECT response FROM step_results WHERE step = 'count to 3' ORDER BY id").join(u','))
        == "1,2,3");
    BOOST_TEST(str(db.strings("SELECT verdict FROM step_results WHERE step = 'third time lucky' ORDER BY id")
                       .join(u','))
               == "FAIL,FAIL,PASS");
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "PASS");
    BOOST_TEST(
        str(db.strings("SELECT attempt || '/' || retried FROM step_results WHERE step = 'third time lucky' "
                       "ORDER BY id")
                .join(u','))
        == "1/1,2/1,3/0");
    BOOST_TEST(db.count("SELECT n_retried FROM runs") == 4);
    // An until that never holds within its tries is a FAIL saying so.
    ws.write("never.yaml", QStringLiteral("steps:\n"
                                          "  - name: never\n"
                                          "    send: '(e=e+1)'\n"
                                          "    expect: '^(?<e>\\d+)$'\n"
                                          "    until: '${e > 100}'\n"
                                          "    retry: {times: 3}\n"));
    r = run(ws, "never.yaml");
    BOOST_TEST(r.exitCode == 1, str(r.err));
    BOOST_TEST(str(db.value("SELECT message FROM step_results WHERE step = 'never' ORDER BY id DESC"))
                   .find("until e > 100 was still false after 3 tries")
               == 0);
}

BOOST_AUTO_TEST_CASE(fail_fast_and_runtime_if) {
    Workspace ws;
    BcDevice bc(ws);
    ws.write("ff.yaml", QStringLiteral("fail_fast: true\n"
                                       "steps:\n"
                                       "  - name: mode\n"
                                       "    send: '4'\n"
                                       "    expect: '^(?<mode>\\d+)$'\n"
                                       "  - name: only in mode 5\n"
                                       "    send: '1'\n"
                                       "    expect: '^1$'\n"
                                       "    if: '${mode == 5}'\n"
                                       "  - name: wrong\n"
                                       "    send: '1+1'\n"
                                       "    expect: '^3$'\n"
                                       "  - name: after\n"
                                       "    send: '2'\n"
                                       "    expect: '^2$'\n"
                                       "repeat: {count: 3}\n"
                                       "teardown:\n"
                                       "  - name: tidy\n"
                                       "    send: '0'\n"
                                       "    expect: '^0$'\n"));
    const HilResult r = run(ws, "ff.yaml");
    BOOST_TEST(r.exitCode == 1, str(r.err));
    const Database db(ws.db());
    BOOST_TEST(str(db.strings("SELECT step FROM step_results ORDER BY id").join(u',')) == "mode,wrong,tidy");
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'skip' AND detail LIKE "
                        "'only in mode 5: skipped, its if is false%'")
               == 1);
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE detail LIKE 'fail_fast:%'") == 1);
}

BOOST_AUTO_TEST_CASE(a_prompt_answer_is_a_variable_and_its_text_shows_captures) {
    Workspace ws;
    BcDevice bc(ws);
    ws.write("prompt.yaml",
             QStringLiteral("steps:\n"
                            "  - name: serial\n"
                            "    send: '12345+1'\n"
                            "    expect: '^(?<serial>\\d+)$'\n"
                            "  - prompt: {text: 'Is ${serial} on the label? Type it', kind: number,\n"
                            "             name: label}\n"
                            "  - name: label matches\n"
                            "    send: '${label} - ${serial}'\n"
                            "    expect: '^0$'\n"));
    HilResult r = run(ws, "prompt.yaml", {QStringLiteral("--answer"), QStringLiteral("label=12346")});
    BOOST_TEST_REQUIRE(r.exitCode == 0, str(r.err));
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT response FROM step_results WHERE step = 'prompt label'")) == "12346");
    BOOST_TEST(str(db.value("SELECT verdict FROM step_results WHERE step = 'label matches'")) == "PASS");
    // A wrong label is a FAIL of the check that uses it.
    r = run(ws, "prompt.yaml", {QStringLiteral("--answer"), QStringLiteral("label=12345")});
    BOOST_TEST(r.exitCode == 1, str(r.err));
    // The question's text needs a value no answer gave: an ERROR naming the prompt's text.
    ws.write("prompt2.yaml", QStringLiteral("steps:\n"
                                            "  - send: x\n"
                                            "    expect: {match: '^(?<never>NEVER)$', within: 300ms}\n"
                                            "  - prompt: {text: 'Is ${never} right?', name: ok}\n"));
    r = run(ws, "prompt2.yaml", {QStringLiteral("--answer"), QStringLiteral("ok=yes")});
    BOOST_TEST(r.exitCode == 3, str(r.err));
    BOOST_TEST(str(db.value("SELECT message FROM step_results WHERE step = 'prompt ok' ORDER BY id DESC"))
                   .find("prompt text 'Is ${never} right?': 'never' has no value yet")
               != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_var_is_bad_input) {
    Workspace ws;
    BcDevice bc(ws);
    ws.write("s.yaml", QStringLiteral("steps:\n  - send: '1'\n    expect: '^1$'\n"));
    HilResult r = run(ws, "s.yaml", {QStringLiteral("--var"), QStringLiteral("nope=1")});
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(str(r.err).find("--var nope: no such variable") != std::string::npos, str(r.err));
    r = run(ws, "s.yaml", {QStringLiteral("--var"), QStringLiteral("=1")});
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(str(r.err).find("write NAME=VALUE") != std::string::npos, str(r.err));
    BOOST_TEST(!QFileInfo::exists(ws.db()));
}

BOOST_AUTO_TEST_CASE(psu_sweep_example_on_the_simulated_bench) {
    Workspace ws;
    const HilResult r =
        runHil({QStringLiteral("run"), QStringLiteral(HIL_SOURCE_DIR "/scenarios/psu-sweep.yaml"),
                QStringLiteral("--fixture"), QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"),
                QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet"), QStringLiteral("--var"),
                QStringLiteral("v_max=3.3")},
               ws.dir.path());
    BOOST_TEST_REQUIRE(r.exitCode == 0, str(r.err));
    const Database db(ws.db());
    BOOST_TEST(str(db.strings("SELECT step FROM step_results WHERE phase = 'steps' AND step LIKE 'measure%' "
                              "ORDER BY id")
                       .join(u','))
               == "measure [V=3],measure [V=3.1],measure [V=3.2],measure [V=3.3]");
    BOOST_TEST(str(db.value("SELECT dut_serial FROM runs")) == "PS0001");
    // Each point keeps the values it ran with; the run keeps the variables it used (--var included).
    BOOST_TEST(str(db.value("SELECT bindings FROM step_results WHERE step = 'measure [V=3.1]'"))
               == "{\"V\":3.1}");
    const QString vars = db.value("SELECT vars FROM runs").toString();
    BOOST_TEST(vars.contains(QStringLiteral("\"v_max\":3.3")), str(vars));
    BOOST_TEST(vars.contains(QStringLiteral("\"tolerance\":0.05")), str(vars));
    const auto limits =
        db.rows("SELECT low, high FROM measurements WHERE name = 'volts' ORDER BY id DESC LIMIT 1");
    BOOST_TEST_REQUIRE(limits.has_value());
    BOOST_TEST(std::abs(limits->first().value(0).toDouble() - 3.25) < 1e-9);
    BOOST_TEST(std::abs(limits->first().value(1).toDouble() - 3.35) < 1e-9);
}

BOOST_AUTO_TEST_SUITE_END()
