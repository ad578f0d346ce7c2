// The verdict rule end to end: the real `hil` against a simulated device that never answers, under a fault
// window covering the whole run, and against one that recovers from a blackout. Each run's verdict and
// counts are read back from every place that shows them: what `hil run` printed (the runner's ledger), the
// runs table, the step rows, the JSON summary and the JUnit report written with the run, and
// `hil report --json` afterwards.
#define BOOST_TEST_MODULE verdict_run
#include "core/run/verdictrule.h"
#include "core/store/verdictinputsreader.h"
#include "support/harness.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QXmlStreamReader>
#include <boost/test/unit_test.hpp>
#include <csignal>

namespace {

using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

using namespace hiltest;

struct Counts {
    qint64 pass = -1, fail = -1, error = -1, expected = -1;
    bool operator==(const Counts &o) const {
        return pass == o.pass && fail == o.fail && error == o.error && expected == o.expected;
    }
};

std::ostream &operator<<(std::ostream &os, const Counts &c) {
    return os << c.pass << " pass, " << c.fail << " fail, " << c.error << " error, " << c.expected
              << " expected";
}

// The counts `hil run` printed: "FAIL  name  5 steps: 0 pass, 5 fail, 0 error (3 expected during faults)".
Counts printed(const QString &out) {
    static const QRegularExpression line(QStringLiteral(
        R"(steps: (\d+) pass, (\d+) fail, (\d+) error(?: \((\d+) expected during faults\))?)"));
    const QRegularExpressionMatch m = line.match(out);
    Counts c;
    if (!m.hasMatch())
        return c;
    c.pass = m.captured(1).toLongLong();
    c.fail = m.captured(2).toLongLong();
    c.error = m.captured(3).toLongLong();
    c.expected = m.captured(4).isEmpty() ? 0 : m.captured(4).toLongLong();
    return c;
}

Counts stored(const Database &db) {
    const auto rows = db.rows("SELECT n_pass, n_fail, n_error, n_expected FROM runs");
    Counts c;
    if (rows && rows->size() == 1)
        c = {rows->first()[0].toLongLong(), rows->first()[1].toLongLong(), rows->first()[2].toLongLong(),
             rows->first()[3].toLongLong()};
    return c;
}

// The counts the step rows give by their expected column.
Counts rowCounts(const Database &db) {
    return {db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'"),
            db.count("SELECT count(*) FROM step_results WHERE verdict = 'FAIL' AND NOT expected"),
            db.count("SELECT count(*) FROM step_results WHERE verdict = 'ERROR' AND NOT expected"),
            db.count("SELECT count(*) FROM step_results WHERE expected AND verdict IN ('FAIL', 'ERROR')")};
}

QJsonObject readJson(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

Counts jsonCounts(const QJsonObject &report) {
    const QJsonObject run = report.value(QStringLiteral("run")).toObject();
    return {run.value(QStringLiteral("pass")).toInteger(-1), run.value(QStringLiteral("fail")).toInteger(-1),
            run.value(QStringLiteral("error")).toInteger(-1),
            run.value(QStringLiteral("expected")).toInteger(-1)};
}

struct JUnit {
    int testcases = 0;
    int failures = 0; // <failure> elements
    QString verdict;  // run.verdict property
};

// The decision the store's rows give, by the same rule the runner applied.
struct StoreDecision {
    bool ok = false;
    hil::Verdict verdict = hil::Verdict::Error;
    Counts counts;
};

StoreDecision decideFromStore(const QString &dbPath) {
    StoreDecision out;
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(dbPath).constData(), &db, SQLITE_OPEN_READONLY, nullptr)
        == SQLITE_OK) {
        QString error;
        if (const auto in = hil::readVerdictInputs(db, 1, &error)) {
            const hil::VerdictDecision d = hil::decideVerdict(*in);
            out = {true, d.verdict, {d.counts.pass, d.counts.fail, d.counts.error, d.counts.expected}};
        } else {
            BOOST_TEST_MESSAGE("readVerdictInputs: " << str(error));
        }
    }
    sqlite3_close(db);
    return out;
}

JUnit readJUnit(const QString &path) {
    JUnit j;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return j;
    QXmlStreamReader x(&f);
    while (!x.atEnd()) {
        x.readNext();
        if (!x.isStartElement())
            continue;
        if (x.name() == u"testcase")
            ++j.testcases;
        else if (x.name() == u"failure")
            ++j.failures;
        else if (x.name() == u"property" && x.attributes().value(QLatin1StringView("name")) == u"run.verdict")
            j.verdict = x.attributes().value(QLatin1StringView("value")).toString();
    }
    return j;
}

// Runs `scenario` on `fixture` with the JSON and JUnit reports, then `hil report --json` on the run.
struct VerdictRun {
    Workspace ws;
    HilResult run;
    HilResult report;

    VerdictRun(const char *scenario, const char *fixture) {
        ws.write("scenario.yaml", QString::fromUtf8(scenario));
        ws.write("fixture.yaml", QString::fromUtf8(fixture));
        run = runHil({QStringLiteral("run"), ws.path("scenario.yaml"), QStringLiteral("--fixture"),
                      ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--json"),
                      ws.path("run.json"), QStringLiteral("--junit"), ws.path("run.xml")},
                     ws.dir.path());
        report = runHil({QStringLiteral("report"), QStringLiteral("--db"), ws.db(), QStringLiteral("--json"),
                         ws.path("report.json"), QStringLiteral("--quiet")},
                        ws.dir.path());
    }
};

const char *const kDeadFixture = R"(
name: dead-calc
devices:
  calc:
    sim:
      model: envsensor
      transport: tcp
      options:
        no-reply: true
    timeout: 1s
)";

// One fault window from the first step to the end of the run, on a device that never answers.
const char *const kDeadScenario = R"(
name: dead-under-fault
devices: [calc]
steps:
  - name: read temperature
    send: {to: calc, line: "READ? TEMP"}
    expect: {match: '^TEMP (?<t>-?[0-9.]+)$', within: 100ms}
repeat: {count: 5}
faults:
  - {at: 0s, on: calc, link: {latency: {delay: 1ms}}}
)";

const char *const kSensorFixture = R"(
name: live-sensor
devices:
  sensor:
    sim:
      model: envsensor
      transport: tcp
      options:
        rate: 100
    timeout: 1s
)";

// network-loss-recovery in small: the sensor passes, goes dark for a second, and answers again in time.
const char *const kRecoveryScenario = R"(
name: blackout-recovery
devices: [sensor]
steps:
  - name: read temperature
    send: {to: sensor, line: "READ? TEMP"}
    expect: {match: '^TEMP (?<t>-?[0-9.]+)$', within: 150ms}
repeat: {for: 3s, every: 100ms}
faults:
  - {at: 800ms, for: 1s, on: sensor, link: blackout, recover: {within: 1s}}
)";

} // namespace

BOOST_AUTO_TEST_CASE(dead_device_under_a_whole_run_fault_fails_everywhere) {
    VerdictRun r(kDeadScenario, kDeadFixture);
    BOOST_REQUIRE(r.run.finished);
    BOOST_TEST(r.run.exitCode == 1, "stdout: " << str(r.run.out) << "stderr: " << str(r.run.err));
    BOOST_TEST(r.run.out.startsWith(QStringLiteral("FAIL")), str(r.run.out));
    BOOST_TEST(r.run.out.contains(QStringLiteral("read temperature on calc: 0 of 5 passed, 5 during faults")),
               str(r.run.out));
    BOOST_TEST(r.run.out.contains(QStringLiteral("calc never answered correctly after link latency #1")),
               str(r.run.out));

    const Database db(r.ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "FAIL");
    const Counts want{0, 5, 0, 0};
    BOOST_TEST(printed(r.run.out) == want);
    BOOST_TEST(stored(db) == want);
    BOOST_TEST(rowCounts(db) == want); // the rows the fault excused at the time are failures now
    const StoreDecision fromStore = decideFromStore(r.ws.db());
    BOOST_TEST(fromStore.ok);
    BOOST_TEST((fromStore.verdict == hil::Verdict::Fail));
    BOOST_TEST(fromStore.counts == want);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE fault_id IS NOT NULL") == 5);

    const QJsonObject json = readJson(r.ws.path("run.json"));
    BOOST_TEST(str(json.value(QStringLiteral("run")).toObject().value(QStringLiteral("verdict")).toString())
               == "FAIL");
    BOOST_TEST(jsonCounts(json) == want);
    BOOST_TEST(json.value(QStringLiteral("summary")).toObject().value(QStringLiteral("failures")).toInteger()
               == 5);
    BOOST_REQUIRE(r.report.finished);
    BOOST_TEST(r.report.exitCode == 0, str(r.report.err));
    BOOST_TEST(jsonCounts(readJson(r.ws.path("report.json"))) == want);

    const HilResult runs =
        runHil({QStringLiteral("runs"), QStringLiteral("--db"), r.ws.db()}, r.ws.dir.path());
    BOOST_TEST(runs.out.contains(QRegularExpression(QStringLiteral(R"(\bFAIL\b.*\b0/5/0\b)"))),
               str(runs.out));

    const JUnit junit = readJUnit(r.ws.path("run.xml"));
    BOOST_TEST(junit.testcases == 1);
    BOOST_TEST(junit.failures >= 1); // the excused rows are <failure>s now
    BOOST_TEST(str(junit.verdict) == "FAIL");
}

BOOST_AUTO_TEST_CASE(recovery_after_a_blackout_still_passes_and_every_count_agrees) {
    VerdictRun r(kRecoveryScenario, kSensorFixture);
    BOOST_REQUIRE(r.run.finished);
    BOOST_TEST(r.run.exitCode == 0, "stdout: " << str(r.run.out) << "stderr: " << str(r.run.err));
    BOOST_TEST(r.run.out.startsWith(QStringLiteral("PASS")), str(r.run.out));

    const Database db(r.ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "PASS");
    BOOST_TEST(db.count("SELECT count(*) FROM faults WHERE recovery_ns IS NOT NULL") == 1);
    const Counts live = printed(r.run.out);
    BOOST_TEST(live.pass > 0);
    BOOST_TEST(live.fail == 0);
    BOOST_TEST(live.expected > 0); // the blackout's timeouts, excused: the sensor recovered
    BOOST_TEST(stored(db) == live);
    BOOST_TEST(rowCounts(db) == live);
    const StoreDecision fromStore = decideFromStore(r.ws.db()); // ledger and store agree
    BOOST_TEST(fromStore.ok);
    BOOST_TEST((fromStore.verdict == hil::Verdict::Pass));
    BOOST_TEST(fromStore.counts == live);
    BOOST_TEST(jsonCounts(readJson(r.ws.path("run.json"))) == live);
    BOOST_REQUIRE(r.report.finished);
    BOOST_TEST(jsonCounts(readJson(r.ws.path("report.json"))) == live);

    const JUnit junit = readJUnit(r.ws.path("run.xml"));
    BOOST_TEST(junit.failures == 0);
    BOOST_TEST(str(junit.verdict) == "PASS");
}

BOOST_AUTO_TEST_CASE(an_interrupted_run_is_closed_by_the_same_rule) {
    // A dead device under a fault that never ends, and a writer killed mid-run: the run closed as
    // interrupted counts the fault's rows as failures (nothing proved a recovery) in the runs row and in
    // the rows themselves.
    Workspace ws;
    ws.write(
        "scenario.yaml",
        QString::fromUtf8(kDeadScenario).replace(QStringLiteral("count: 5"), QStringLiteral("count: 600")));
    ws.write("short.yaml", QString::fromUtf8(kDeadScenario));
    ws.write("fixture.yaml", QString::fromUtf8(kDeadFixture));
    {
        Child hil(hilPath(),
                  {QStringLiteral("run"), ws.path("scenario.yaml"), QStringLiteral("--fixture"),
                   ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
                  ws.dir.path());
        BOOST_REQUIRE(waitUntil([&ws] { return countNow(ws.db(), "SELECT count(*) FROM step_results") >= 3; },
                                30000, 20));
        ::kill(static_cast<pid_t>(hil.pid()), SIGKILL);
        BOOST_REQUIRE(hil.waitFinished(10000));
    }
    // The next run on the database closes the interrupted one.
    const HilResult next =
        runHil({QStringLiteral("run"), ws.path("short.yaml"), QStringLiteral("--fixture"),
                ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
               ws.dir.path(), QProcessEnvironment::systemEnvironment(), 60000);
    BOOST_REQUIRE(next.finished);
    const Database db(ws.db());
    const auto run = db.rows("SELECT verdict, reason, n_pass, n_fail, n_expected FROM runs WHERE id = 1");
    BOOST_REQUIRE(run && run->size() == 1);
    BOOST_TEST(str(run->first()[0]) == "ERROR");
    BOOST_TEST(run->first()[1].toString().startsWith(QStringLiteral("interrupted")), str(run->first()[1]));
    const qint64 fails = db.count("SELECT count(*) FROM step_results WHERE run_id = 1 AND verdict = 'FAIL'");
    BOOST_TEST(fails >= 3);
    BOOST_TEST(run->first()[2].toLongLong() == 0);
    BOOST_TEST(run->first()[3].toLongLong() == fails);
    BOOST_TEST(run->first()[4].toLongLong() == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE run_id = 1 AND expected = 1") == 0);
}

BOOST_AUTO_TEST_CASE(a_check_that_never_passed_fails_although_its_failures_were_excused) {
    // The sensor answers late only while a fault acts, passes before and after it: the fault's excuse is
    // earned, yet the step under it never passed, so the run FAILs and JUnit shows it as a <failure>.
    VerdictRun r(R"(
name: late-under-fault
devices: [sensor]
steps:
  - {name: before, send: {to: sensor, line: "READ? TEMP"}, expect: {match: '^TEMP ', within: 500ms}}
  - {fault: {on: sensor, device: {late: {delay: 300ms}}}, wait: 100ms}
  - name: answered late
    send: {to: sensor, line: "READ? HUM"}
    expect: {match: '^HUM ', within: 100ms}
    wait: 500ms
  - {clear: sensor, wait: 100ms}
  - {name: after, send: {to: sensor, line: "READ? TEMP"}, expect: {match: '^TEMP ', within: 500ms}}
)",
                 kSensorFixture);
    BOOST_REQUIRE(r.run.finished);
    BOOST_TEST(r.run.exitCode == 1, "stdout: " << str(r.run.out) << "stderr: " << str(r.run.err));
    BOOST_TEST(r.run.out.contains(QStringLiteral("answered late on sensor: 0 of 1 passed, 1 during faults")),
               str(r.run.out));
    const Database db(r.ws.db());
    const Counts want{2, 0, 0, 1};
    BOOST_TEST(printed(r.run.out) == want);
    BOOST_TEST(stored(db) == want);
    BOOST_TEST(jsonCounts(readJson(r.ws.path("report.json"))) == want);
    const StoreDecision fromStore = decideFromStore(r.ws.db());
    BOOST_TEST((fromStore.verdict == hil::Verdict::Fail));
    BOOST_TEST(fromStore.counts == want);
    const JUnit junit = readJUnit(r.ws.path("run.xml"));
    BOOST_TEST(junit.testcases == 3);
    BOOST_TEST(junit.failures == 1);
    BOOST_TEST(str(junit.verdict) == "FAIL");
}
