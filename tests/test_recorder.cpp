#define BOOST_TEST_MODULE recorder
#include "core/export/reportpipeline.h"
#include "core/store/bindingsjson.h"
#include "core/store/recorder.h"
#include "core/store/runcatalog.h"
#include "core/store/schema.h"
#include "core/store/sqliteerror.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <functional>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

// A read-only view of a results database, as a report would open it.
class Db {
public:
    explicit Db(const QString &path) {
        BOOST_REQUIRE(sqlite3_open_v2(path.toUtf8().constData(), &m_db, SQLITE_OPEN_READONLY, nullptr)
                      == SQLITE_OK);
    }
    ~Db() { sqlite3_close(m_db); }
    // The first column of the first row, as text ("" for NULL).
    std::string scalar(const char *sql) const {
        sqlite3_stmt *s = nullptr;
        BOOST_REQUIRE_MESSAGE(sqlite3_prepare_v2(m_db, sql, -1, &s, nullptr) == SQLITE_OK,
                              sqlite3_errmsg(m_db));
        std::string out = "<no row>";
        if (sqlite3_step(s) == SQLITE_ROW) {
            const auto *t = sqlite3_column_text(s, 0);
            out = t ? reinterpret_cast<const char *>(t) : "";
        }
        sqlite3_finalize(s);
        return out;
    }

private:
    sqlite3 *m_db = nullptr;
};

hil::RunHeader sampleInfo() {
    hil::RunHeader info;
    info.uuid = QStringLiteral("4f1c0e3a-0000-4000-8000-000000000001");
    info.scenario = QStringLiteral("smoke");
    info.scenarioPath = QStringLiteral("scenarios/smoke.yaml");
    info.fixture = QStringLiteral("sim-bench");
    info.fixturePath = QStringLiteral("fixtures/sim-bench.yaml");
    info.station = QStringLiteral("bench-1");
    info.host = QStringLiteral("lab-pc");
    info.seed = 9223372036854775807ULL;
    info.startedAtNs = 1'790'000'000'000'000'000LL;
    return info;
}

hil::StepResult reading(qint64 iteration, double value, hil::Verdict verdict, QByteArray response) {
    hil::StepResult r;
    r.phase = hil::Phase::Steps;
    r.iteration = iteration;
    r.stepIndex = 0;
    r.step = QStringLiteral("read temperature");
    r.device = QStringLiteral("sensor");
    r.startNs = 1'000'000'000 * (iteration + 1);
    r.endNs = r.startNs + 700'000;
    r.latencyNs = 650'000;
    r.latenessNs = 12'000;
    r.verdict = verdict;
    r.response = std::move(response);
    hil::MeasurementResult m;
    m.name = QStringLiteral("t");
    m.value = value;
    m.unit = QStringLiteral("degC");
    m.limits = {15.0, 35.0};
    m.marginalBand = {18.0, 32.0};
    m.verdict = verdict;
    r.measurements.append(m);
    if (verdict == hil::Verdict::Fail)
        r.message = QStringLiteral("t = %1 degC outside limits [15, 35]").arg(value);
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_run_round_trips_through_sqlite) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("results.db"));
    QString error;
    auto rec = hil::Recorder::open(path, &error);
    BOOST_REQUIRE_MESSAGE(rec, error.toStdString());

    hil::RunHeader info = sampleInfo();
    rec->runStarted(info);
    BOOST_TEST(rec->runId() == 1);
    rec->eventRecorded(
        {5'000, QStringLiteral("connect"), QStringLiteral("sensor"), QStringLiteral("pty /dev/pts/3")});
    info.dutSerial = QStringLiteral("SN0001");
    info.firmware = QStringLiteral("1.4.2");
    rec->runInfoChanged(info);
    rec->stepFinished(reading(0, 22.5, hil::Verdict::Pass, "TEMP 22.5"));
    rec->stepFinished(reading(1, 40.25, hil::Verdict::Fail, "TEMP 40.25"));
    rec->stepFinished(reading(2, std::nan(""), hil::Verdict::Fail, QByteArray("TEMP \xff\0x", 8)));
    rec->exchange(7'000, QStringLiteral("sensor"), hil::Direction::ToDevice, "READ? TEMP");
    rec->exchange(8'000, QStringLiteral("sensor"), hil::Direction::FromDevice, "TEMP 22.5");
    hil::RunSummary summary;
    summary.verdict = hil::Verdict::Fail;
    summary.counts.pass = 1;
    summary.counts.fail = 2;
    summary.iterations = 3;
    summary.endedWallNs = info.startedAtNs + 4'000'000'000LL;
    summary.durationNs = 4'000'000'000LL;
    rec->runFinished(summary);
    BOOST_TEST(rec->close());

    Db db(path);
    BOOST_TEST(db.scalar("PRAGMA user_version") == std::to_string(hil::kSchemaVersion));
    BOOST_TEST(db.scalar("PRAGMA journal_mode") == "wal");
    BOOST_TEST(
        db.scalar(
            "SELECT scenario || '|' || fixture || '|' || station || '|' || dut_serial || '|' || firmware"
            " || '|' || host FROM runs")
        == "smoke|sim-bench|bench-1|SN0001|1.4.2|lab-pc");
    BOOST_TEST(db.scalar("SELECT seed FROM runs") == "9223372036854775807");
    BOOST_TEST(
        db.scalar(
            "SELECT verdict || ' ' || n_pass || ' ' || n_fail || ' ' || iterations || ' ' || duration_ns"
            " FROM runs")
        == "FAIL 1 2 3 4000000000");
    BOOST_TEST(db.scalar("SELECT count(*) FROM step_results") == "3");
    BOOST_TEST(
        db.scalar(
            "SELECT latency_ns || ' ' || lateness_ns || ' ' || start_ns FROM step_results WHERE iteration=1")
        == "650000 12000 2000000000");
    BOOST_TEST(db.scalar("SELECT message FROM step_results WHERE verdict='FAIL' ORDER BY id")
               == "t = 40.25 degC outside limits [15, 35]");
    // The device's bytes are kept as they came, NUL and invalid UTF-8 included.
    BOOST_TEST(db.scalar("SELECT hex(response) FROM step_results WHERE iteration=2") == "54454D5020FF0078");
    BOOST_TEST(db.scalar("SELECT count(*) FROM measurements") == "3");
    BOOST_TEST(
        db.scalar("SELECT value || ' ' || unit || ' ' || low || ' ' || high || ' ' || marginal_low || ' ' ||"
                  " marginal_high FROM measurements ORDER BY id")
        == "22.5 degC 15.0 35.0 18.0 32.0");
    BOOST_TEST(db.scalar("SELECT value IS NULL FROM measurements WHERE step_result_id = 3") == "1");
    BOOST_TEST(db.scalar("SELECT count(*) FROM measurements m JOIN step_results s ON s.id = m.step_result_id"
                         " WHERE s.iteration = 1 AND m.value = 40.25")
               == "1");
    BOOST_TEST(db.scalar("SELECT kind || ' ' || device || ' ' || detail FROM events")
               == "connect sensor pty /dev/pts/3");
    BOOST_TEST(db.scalar("SELECT group_concat(direction || ':' || CAST(data AS TEXT), ',') FROM exchanges")
               == "tx:READ? TEMP,rx:TEMP 22.5");

    const auto runs = hil::listRuns(path, &error);
    BOOST_REQUIRE(runs);
    BOOST_REQUIRE(runs->size() == 1);
    BOOST_TEST(runs->first().verdict == QStringLiteral("FAIL"));
    BOOST_TEST(runs->first().dutSerial == QStringLiteral("SN0001"));
    BOOST_TEST(*runs->first().durationNs == 4'000'000'000LL);
}

BOOST_AUTO_TEST_CASE(rows_are_committed_while_the_run_goes_on) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("live.db"));
    QString error;
    auto rec = hil::Recorder::open(path, &error);
    BOOST_REQUIRE(rec);
    rec->runStarted(sampleInfo());
    for (int i = 0; i < 100; ++i)
        rec->stepFinished(reading(i, 20.0 + i * 0.01, hil::Verdict::Pass, "TEMP"));
    // Another reader sees every row within the commit interval, without the run having finished.
    // Polls for up to two seconds; the writer commits within 200 ms.
    std::string count;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (count != "100" && std::chrono::steady_clock::now() < deadline) {
        Db db(path);
        count = db.scalar("SELECT count(*) FROM step_results");
    }
    BOOST_TEST(count == "100");
    Db db(path);
    BOOST_TEST(db.scalar("SELECT verdict FROM runs") == "RUNNING");
    BOOST_TEST(db.scalar("SELECT ended_at_ns IS NULL FROM runs") == "1");
}

BOOST_AUTO_TEST_CASE(two_runs_in_one_database_keep_their_own_rows) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("two.db"));
    for (int run = 0; run < 2; ++run) {
        QString error;
        auto rec = hil::Recorder::open(path, &error);
        BOOST_REQUIRE(rec);
        hil::RunHeader info = sampleInfo();
        info.uuid = QStringLiteral("run-%1").arg(run);
        rec->runStarted(info);
        for (int i = 0; i <= run; ++i)
            rec->stepFinished(reading(i, 21.0, hil::Verdict::Pass, "TEMP 21"));
        rec->runFinished({});
        BOOST_TEST(rec->close());
    }
    Db db(path);
    BOOST_TEST(
        db.scalar("SELECT group_concat(n, ',') FROM (SELECT count(*) AS n FROM step_results GROUP BY run_id"
                  " ORDER BY run_id)")
        == "1,2");
}

BOOST_AUTO_TEST_CASE(an_unwritable_database_is_a_clear_error) {
    QString error;
    BOOST_TEST(!hil::Recorder::open(QStringLiteral("/nonexistent-dir/results.db"), &error));
    BOOST_TEST(error.contains(QStringLiteral("/nonexistent-dir/results.db")));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("not-a-db.db"));
    QFile junk(path);
    BOOST_REQUIRE(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(4096, 'x'));
    junk.close();
    BOOST_TEST(!hil::Recorder::open(path, &error));
    BOOST_TEST(error.contains(QStringLiteral("not a database")), error.toStdString());
}

BOOST_AUTO_TEST_CASE(junit_carries_failures_answers_and_limits) {
    // The JUnit file is written from the store, as every report is: record the results, then report.
    QTemporaryDir dir;
    const QString dbPath = dir.filePath(QStringLiteral("junit.db"));
    const QString path = dir.filePath(QStringLiteral("junit.xml"));
    QString error;
    auto rec = hil::Recorder::open(dbPath, &error);
    BOOST_REQUIRE(rec);
    hil::RunHeader info = sampleInfo();
    info.scenario = QStringLiteral("smoke <&\"'>");
    info.dutSerial.clear();
    rec->runStarted(info);
    hil::StepResult idn;
    idn.phase = hil::Phase::Setup;
    idn.step = QStringLiteral("identify");
    idn.response = "ACME";
    rec->stepFinished(idn);
    rec->stepFinished(reading(0, 22.5, hil::Verdict::Pass, "TEMP 22.5"));
    rec->stepFinished(reading(1, 40.25, hil::Verdict::Fail, QByteArray("TEMP 40.25\x01\x1b[31m", 16)));
    hil::StepResult lost = reading(2, 0, hil::Verdict::Error, {});
    lost.stepIndex = 1;
    lost.step = QStringLiteral("read humidity");
    lost.message = QStringLiteral("device 'sensor' lost: EIO");
    lost.measurements.clear();
    rec->stepFinished(lost);
    hil::RunSummary summary;
    summary.verdict = hil::Verdict::Error;
    summary.durationNs = 3'000'000'000LL;
    rec->runFinished(summary);
    BOOST_REQUIRE(rec->close());

    auto report = hil::loadReport(dbPath, QStringLiteral("latest"), {}, 0.2, &error);
    BOOST_REQUIRE_MESSAGE(report, error.toStdString());
    BOOST_REQUIRE_MESSAGE(hil::writeReport(hil::ReportFormat::JUnit, report->input(), path, nullptr, &error),
                          error.toStdString());

    QFile f(path);
    BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
    QXmlStreamReader x(&f);
    int testcases = 0, failures = 0, errors = 0;
    QString failureText, failureMessage;
    QMap<QString, QString> props;
    QString rootName;
    while (!x.atEnd()) {
        if (x.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (x.name() == u"testsuites")
            rootName = x.attributes().value(QStringLiteral("name")).toString();
        if (x.name() == u"testcase")
            ++testcases;
        if (x.name() == u"property")
            props.insert(x.attributes().value(QStringLiteral("name")).toString(),
                         x.attributes().value(QStringLiteral("value")).toString());
        if (x.name() == u"failure") {
            ++failures;
            failureMessage = x.attributes().value(QStringLiteral("message")).toString();
            failureText = x.readElementText();
        }
        if (x.name() == u"error")
            ++errors;
    }
    BOOST_TEST(!x.hasError(), x.errorString().toStdString());
    BOOST_TEST(rootName == QStringLiteral("smoke <&\"'>"));
    BOOST_TEST(testcases == 3);
    BOOST_TEST(failures == 1);
    BOOST_TEST(errors == 1);
    BOOST_TEST(failureMessage.contains(QStringLiteral("1 of 2 runs")), failureMessage.toStdString());
    BOOST_TEST(failureText.contains(QStringLiteral("device answered: \"TEMP 40.25\\x01\\x1b[31m\"")),
               failureText.toStdString());
    BOOST_TEST(props.value(QStringLiteral("t.low")) == QStringLiteral("15"));
    BOOST_TEST(props.value(QStringLiteral("t.high")) == QStringLiteral("35"));
    BOOST_TEST(props.value(QStringLiteral("t.unit")) == QStringLiteral("degC"));
    BOOST_TEST(props.value(QStringLiteral("t.max")) == QStringLiteral("40.25"));
    BOOST_TEST(props.value(QStringLiteral("dut_serial")).isEmpty());
}

BOOST_AUTO_TEST_CASE(faults_and_expected_failures_round_trip) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("faults.db"));
    QString error;
    auto rec = hil::Recorder::open(path, &error);
    BOOST_REQUIRE(rec);
    rec->runStarted(sampleInfo());
    hil::FaultRecord f;
    f.id = 7;
    f.device = QStringLiteral("sensor");
    f.target = QStringLiteral("link");
    f.kind = QStringLiteral("blackout");
    f.direction = QStringLiteral("both");
    f.params = QStringLiteral("{at: 1s, for: 2s, on: sensor, link: blackout}");
    f.seed = 42;
    f.startNs = 1'000'000'000;
    rec->faultStarted(f);
    hil::StepResult r = reading(1, 0, hil::Verdict::Fail, {});
    r.measurements.clear();
    r.expected = true;
    r.faultId = 7;
    rec->stepFinished(r);
    f.endNs = 3'000'000'000;
    f.bytesDropped = 110;
    f.bytesCorrupted = 0;
    f.bytesDelayed = 0;
    rec->faultEnded(f);
    f.recoveryNs = 250'000'000;
    rec->faultRecovered(f);
    hil::RunSummary summary;
    summary.counts.expected = 1;
    rec->runFinished(summary);
    BOOST_TEST(rec->close());

    Db db(path);
    BOOST_TEST(
        db.scalar("SELECT device || ' ' || target || ' ' || kind || ' ' || direction || ' ' || seed || ' ' ||"
                  " manual FROM faults")
        == "sensor link blackout both 42 0");
    BOOST_TEST(
        db.scalar(
            "SELECT start_ns || ' ' || end_ns || ' ' || recovery_ns || ' ' || bytes_dropped FROM faults")
        == "1000000000 3000000000 250000000 110");
    BOOST_TEST(db.scalar("SELECT expected || ' ' || (fault_id = (SELECT id FROM faults)) FROM step_results")
               == "1 1");
    BOOST_TEST(db.scalar("SELECT n_expected FROM runs") == "1");
}

BOOST_AUTO_TEST_CASE(a_producer_faster_than_the_disk_waits_and_nothing_is_lost) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("results.db"));
    QString error;
    auto rec = hil::Recorder::open(path, &error);
    BOOST_REQUIRE_MESSAGE(rec, error.toStdString());
    rec->runStarted(sampleInfo());
    // Another connection holds the write lock (for less than the busy timeout): the writer cannot commit,
    // so a burst of results must fill the queue to its bound and the producer must wait there.
    sqlite3 *other = nullptr;
    BOOST_REQUIRE(sqlite3_open(path.toUtf8().constData(), &other) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    constexpr qint64 kBurst = 200'000;
    std::thread producer([&rec] {
        for (qint64 i = 0; i < kBurst; ++i)
            rec->stepFinished(reading(i, 20.0, hil::Verdict::Pass, "TEMP 20.0"));
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (rec->queueStats().producerWaits == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    const hil::Recorder::QueueStats whileLocked = rec->queueStats();
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    producer.join();
    hil::RunSummary summary;
    summary.counts.pass = kBurst;
    rec->runFinished(summary);
    BOOST_TEST(rec->close(), rec->error().toStdString());

    BOOST_TEST(whileLocked.producerWaits > 0);
    BOOST_TEST(whileLocked.highWater == hil::Recorder::kQueueCapacity);
    BOOST_TEST(rec->queueStats().highWater <= hil::Recorder::kQueueCapacity);
    BOOST_TEST(rec->lostStepResults() == 0);
    Db db(path);
    BOOST_TEST(db.scalar("SELECT count(*) FROM step_results") == std::to_string(kBurst));
    BOOST_TEST(db.scalar("SELECT count(DISTINCT iteration) FROM step_results") == std::to_string(kBurst));
    BOOST_TEST(db.scalar("SELECT count(*) FROM measurements") == std::to_string(kBurst));
}

BOOST_AUTO_TEST_CASE(a_version_2_database_is_migrated_and_its_open_runs_left_alone) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("results.db"));
    {
        // A version 2 file as an older build left it, with a run that never ended.
        sqlite3 *db = nullptr;
        BOOST_REQUIRE(sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK);
        QString why;
        BOOST_REQUIRE(hil::prepareDatabase(db, &why));
        for (const char *sql :
             {"DROP INDEX step_results_failed", "DROP INDEX step_results_retried",
              "DROP INDEX step_results_faulted", "DROP TABLE step_rollups", "DROP TABLE device_rollups",
              "DROP TABLE measurement_rollups", "DROP TABLE measurement_rollup_runs",
              "ALTER TABLE runs DROP COLUMN writer_pid", "ALTER TABLE runs DROP COLUMN writer_host",
              "ALTER TABLE runs DROP COLUMN heartbeat_at_ns", "ALTER TABLE step_results DROP COLUMN exchange",
              "ALTER TABLE step_results DROP COLUMN stall_ns", "ALTER TABLE step_results DROP COLUMN attempt",
              "ALTER TABLE step_results DROP COLUMN retried", "ALTER TABLE step_results DROP COLUMN bindings",
              "ALTER TABLE runs DROP COLUMN n_retried", "ALTER TABLE runs DROP COLUMN vars",
              "PRAGMA user_version = 2",
              "INSERT INTO runs (uuid, scenario, fixture, seed, started_at_ns)"
              " VALUES ('old', 's', 'f', 1, 1)"})
            BOOST_REQUIRE_MESSAGE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK, sql);
        sqlite3_close(db);
    }
    QString error;
    BOOST_REQUIRE_MESSAGE(hil::Recorder::open(path, &error) != nullptr, error.toStdString());
    Db db(path);
    BOOST_TEST(db.scalar("PRAGMA user_version") == "7");
    BOOST_TEST(db.scalar("SELECT count(*) FROM pragma_table_info('runs') WHERE name IN"
                         " ('writer_pid', 'writer_host', 'heartbeat_at_ns')")
               == "3");
    BOOST_TEST(db.scalar("SELECT count(*) FROM pragma_table_info('step_results') WHERE name IN"
                         " ('exchange', 'stall_ns')")
               == "2");
    // Nothing tells whether its writer lives: it stays as it was, and readers say they cannot tell.
    BOOST_TEST(db.scalar("SELECT verdict || coalesce(ended_at_ns, '-') FROM runs") == "RUNNING-");
    const auto runs = hil::listRuns(path, &error);
    BOOST_REQUIRE(runs);
    BOOST_TEST(!runs->first().live);
    BOOST_TEST(!runs->first().interrupted);
}

BOOST_AUTO_TEST_CASE(a_run_whose_writer_is_gone_reads_as_interrupted_and_the_next_writer_closes_it) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("results.db"));
    QString error;
    {
        auto rec = hil::Recorder::open(path, &error);
        BOOST_REQUIRE_MESSAGE(rec, error.toStdString());
        rec->runStarted(sampleInfo());
        rec->stepFinished(reading(0, 22.5, hil::Verdict::Pass, "TEMP 22.5"));
        rec->stepFinished(reading(1, 40.0, hil::Verdict::Fail, "TEMP 40"));
        BOOST_TEST(rec->close());
    }
    // Its writer stopped without closing the run: a pid that is gone (a reaped child), a stale heartbeat.
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    ::waitpid(child, nullptr, 0);
    {
        sqlite3 *db = nullptr;
        BOOST_REQUIRE(sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK);
        sqlite3_stmt *s = nullptr;
        sqlite3_prepare_v2(db, "UPDATE runs SET writer_pid = ?", -1, &s, nullptr);
        sqlite3_bind_int64(s, 1, child);
        BOOST_REQUIRE(sqlite3_step(s) == SQLITE_DONE);
        sqlite3_finalize(s);
        sqlite3_close(db);
    }
    const auto runs = hil::listRuns(path, &error);
    BOOST_REQUIRE(runs);
    const hil::RunHeader &r = runs->first();
    BOOST_TEST(r.interrupted);
    BOOST_TEST(r.verdict.toStdString() == "ERROR");
    BOOST_TEST(
        r.reason.startsWith(QStringLiteral("interrupted: the recording process (pid %1 on ").arg(child)),
        r.reason.toStdString());
    BOOST_TEST(r.reason.endsWith(QStringLiteral("; 2 step results recorded")), r.reason.toStdString());
    BOOST_TEST(r.pass == 1);
    BOOST_TEST(r.fail == 1);
    BOOST_TEST(Db(path).scalar("SELECT verdict FROM runs") == "RUNNING"); // readers never write
    BOOST_REQUIRE(hil::Recorder::open(path, &error) != nullptr);
    Db db(path);
    BOOST_TEST(db.scalar("SELECT verdict FROM runs") == "ERROR");
    BOOST_TEST(db.scalar("SELECT reason FROM runs") == r.reason.toStdString());
    BOOST_TEST(db.scalar("SELECT n_pass || '/' || n_fail FROM runs") == "1/1");
    BOOST_TEST(db.scalar("SELECT ended_at_ns = heartbeat_at_ns FROM runs") == "1");
}

namespace {

// A finished run of `steps` readings in a new database at path.
void recordRun(const QString &path, int steps) {
    QString error;
    auto rec = hil::Recorder::open(path, &error);
    BOOST_REQUIRE_MESSAGE(rec, error.toStdString());
    rec->runStarted(sampleInfo());
    for (int i = 0; i < steps; ++i)
        rec->stepFinished(reading(i, 20.0 + i * 0.001, hil::Verdict::Pass, "TEMP 20.0"));
    hil::RunSummary end;
    end.verdict = hil::Verdict::Pass;
    end.counts.pass = steps;
    rec->runFinished(end);
    BOOST_REQUIRE(rec->close());
}

QByteArray fileHash(const QString &path) {
    QFile f(path);
    BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

} // namespace

// A directory, a FIFO or a device as --db, or a file in a folder that does not exist, is bad input that
// front ends refuse before anything runs; a file that does not exist yet is fine (it is created).
BOOST_AUTO_TEST_CASE(a_path_that_cannot_hold_a_database_file_is_refused) {
    QTemporaryDir dir;
    const QString fifo = dir.filePath(QStringLiteral("pipe.db"));
    BOOST_REQUIRE(::mkfifo(fifo.toUtf8().constData(), 0600) == 0);
    const std::pair<QString, const char *> cases[] = {
        {dir.path(), "is a directory"},
        {fifo, "is a named pipe"},
        {QStringLiteral("/dev/null"), "is a device"},
        {dir.filePath(QStringLiteral("no-such-folder/results.db")), "does not exist"},
    };
    for (const auto &[path, why] : cases) {
        QString error;
        BOOST_TEST(!hil::Recorder::keepsResults(path, &error), path.toStdString());
        BOOST_TEST(error.contains(path), error.toStdString());
        BOOST_TEST(error.contains(QString::fromLatin1(why)), error.toStdString());
        BOOST_TEST(!hil::Recorder::open(path, &error));
        BOOST_TEST(error.contains(QString::fromLatin1(why)), error.toStdString());
    }
    QString error;
    BOOST_TEST(hil::Recorder::keepsResults(dir.filePath(QStringLiteral("new.db")), &error));
}

// PRAGMA quick_check runs before anything is written: a damaged file is refused with its path and what
// SQLite found, and left exactly as it was.
BOOST_AUTO_TEST_CASE(a_damaged_database_is_refused_and_left_as_it_was) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("damaged.db"));
    recordRun(path, 3000);
    {
        // Zero the pages after the schema's: b-tree pages of type 0 do not exist.
        QFile f(path);
        BOOST_REQUIRE(f.open(QIODevice::ReadWrite));
        const QByteArray header = f.read(100);
        const int pageSize =
            (static_cast<unsigned char>(header[16]) << 8) | static_cast<unsigned char>(header[17]);
        const qint64 pages = f.size() / pageSize;
        BOOST_REQUIRE(pages > 8);
        f.seek(qint64(pageSize) * (pages / 2));
        f.write(QByteArray(pageSize * 4, '\0'));
    }
    const QByteArray before = fileHash(path);
    QString error;
    BOOST_TEST(!hil::Recorder::open(path, &error));
    BOOST_TEST(error.startsWith(QStringLiteral("database %1 is damaged: ").arg(path)), error.toStdString());
    BOOST_TEST(fileHash(path) == before);
    // A sound file passes, and records.
    const QString sound = dir.filePath(QStringLiteral("sound.db"));
    recordRun(sound, 100);
    BOOST_TEST(hil::Recorder::open(sound, &error) != nullptr, error.toStdString());
}

namespace {

// Records into path, lets `act` do something to the files once 50 results are committed, and goes on
// recording until the recording stops (the writer looks before each commit, at least every heartbeat of
// 2 s). Returns the recorder's error, empty if it never stopped; *lost is its count of lost results.
QString recordingStopsWhen(const QString &path, const std::function<void()> &act, qint64 *lost) {
    QString error;
    auto rec = hil::Recorder::open(path, &error);
    BOOST_REQUIRE_MESSAGE(rec, error.toStdString());
    std::atomic<bool> failed{false};
    rec->setErrorHandler([&failed](const QString &) { failed = true; });
    rec->runStarted(sampleInfo());
    for (int i = 0; i < 50; ++i)
        rec->stepFinished(reading(i, 21.0, hil::Verdict::Pass, "TEMP 21.0"));
    const auto committed = [&] { return Db(path).scalar("SELECT count(*) FROM step_results") == "50"; };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!committed() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    BOOST_REQUIRE(committed());
    act();
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (int i = 50; !failed && std::chrono::steady_clock::now() < deadline; ++i) {
        rec->stepFinished(reading(i, 21.0, hil::Verdict::Pass, "TEMP 21.0"));
        std::this_thread::sleep_for(std::chrono::milliseconds(10)); // a result every 10 ms, as a run would
    }
    BOOST_TEST(rec->close() == !failed);
    *lost = rec->lostStepResults();
    return failed ? rec->error() : QString();
}

} // namespace

// A database replaced under a run (mv, a restore) takes the results with it: the recording stops with a
// sentence naming the file, every step result counts as lost, and the file now at the path is untouched.
BOOST_AUTO_TEST_CASE(a_database_replaced_during_the_run_stops_the_recording) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("results.db"));
    const QString other = dir.filePath(QStringLiteral("other.db"));
    recordRun(other, 5);
    const QByteArray otherHash = fileHash(other);
    qint64 lost = 0;
    const QString why = recordingStopsWhen(
        path, [&] { BOOST_REQUIRE(::rename(other.toUtf8().constData(), path.toUtf8().constData()) == 0); },
        &lost);
    BOOST_TEST(why.startsWith(QStringLiteral("database %1 was deleted or replaced during the run").arg(path)),
               why.toStdString());
    BOOST_TEST(why.contains(QStringLiteral("another file has taken its name")), why.toStdString());
    BOOST_TEST(why.contains(QStringLiteral("step results could not be recorded")), why.toStdString());
    BOOST_TEST(lost >= 50);
    BOOST_TEST(fileHash(path) == otherHash);
}

// Without its write-ahead log the file no longer holds the commits a reader would look for.
BOOST_AUTO_TEST_CASE(a_write_ahead_log_deleted_during_the_run_stops_the_recording) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("results.db"));
    const QString wal = path + QStringLiteral("-wal");
    qint64 lost = 0;
    const QString why = recordingStopsWhen(
        path, [&] { BOOST_REQUIRE(QFile::remove(wal)); }, &lost);
    BOOST_TEST(why.contains(QStringLiteral("its write-ahead log %1 was deleted").arg(wal)),
               why.toStdString());
    BOOST_TEST(lost >= 50);
}

// The cause of a failure is never SQLite's "not an error", which it reports for whatever call came last.
BOOST_AUTO_TEST_CASE(an_sqlite_failure_never_reads_not_an_error) {
    sqlite3 *db = nullptr;
    BOOST_REQUIRE(sqlite3_open(":memory:", &db) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_exec(db, "SELECT 1", nullptr, nullptr, nullptr) == SQLITE_OK);
    const QString readOnly = hil::describeSqliteError(db, SQLITE_READONLY);
    BOOST_TEST(readOnly.contains(QStringLiteral("read-only")), readOnly.toStdString());
    BOOST_TEST(readOnly.contains(QStringLiteral("attempt to write a readonly database")),
               readOnly.toStdString());
    for (const QString &m :
         {readOnly, hil::describeSqliteError(db, SQLITE_OK), hil::describeSqliteError(nullptr, SQLITE_OK),
          hil::describeSqliteError(db, SQLITE_IOERR_WRITE)})
        BOOST_TEST(!m.contains(QStringLiteral("not an error")), m.toStdString());
    // A failure the connection does report is described with SQLite's own words.
    BOOST_TEST(sqlite3_exec(db, "SELECT * FROM nowhere", nullptr, nullptr, nullptr) == SQLITE_ERROR);
    BOOST_TEST(hil::describeSqliteError(db, SQLITE_ERROR).contains(QStringLiteral("no such table")));
    sqlite3_close(db);
}

// Schema 5: a swept step's values keep their types and order, a retried try is recorded as what it was
// with its try number, and the run counts it apart from pass and fail.
BOOST_AUTO_TEST_CASE(sweep_values_and_retried_tries_round_trip) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("results.db"));
    QString error;
    auto rec = hil::Recorder::open(path, &error);
    BOOST_REQUIRE_MESSAGE(rec, error.toStdString());
    rec->runStarted(sampleInfo());
    hil::StepResult first = reading(0, 40.0, hil::Verdict::Fail, "TEMP 40");
    first.step = QStringLiteral("read temperature [V=3.3, mode=fast]");
    first.bindings = {{QStringLiteral("V"), QVariant(3.3)},
                      {QStringLiteral("mode"), QVariant(QStringLiteral("fast \"quoted\""))},
                      {QStringLiteral("on"), QVariant(true)}};
    first.attempt = 1;
    first.retried = true;
    hil::StepResult last = first;
    last.attempt = 2;
    last.retried = false;
    last.verdict = hil::Verdict::Pass;
    rec->stepFinished(first);
    rec->stepFinished(last);
    rec->stepFinished(reading(1, 22.0, hil::Verdict::Pass, "TEMP 22")); // outside a sweep
    hil::RunSummary summary;
    summary.counts.add(first);
    summary.counts.add(last);
    BOOST_TEST(summary.counts.retried == 1);
    BOOST_TEST(summary.counts.pass == 1);
    BOOST_TEST(summary.counts.fail == 0);
    rec->runFinished(summary);
    BOOST_TEST(rec->close());

    Db db(path);
    BOOST_TEST(db.scalar("SELECT group_concat(attempt || ':' || retried || ':' || verdict, ',') FROM"
                         " (SELECT * FROM step_results ORDER BY id)")
               == "1:1:FAIL,2:0:PASS,1:0:PASS");
    BOOST_TEST(db.scalar("SELECT bindings FROM step_results WHERE id = 1")
               == R"({"V":3.3,"mode":"fast \"quoted\"","on":true})");
    BOOST_TEST(db.scalar("SELECT bindings IS NULL FROM step_results WHERE id = 3") == "1");
    BOOST_TEST(db.scalar("SELECT json_extract(bindings, '$.V') + 1 FROM step_results WHERE id = 2") == "4.3");
    BOOST_TEST(db.scalar("SELECT n_retried || ' ' || n_pass || ' ' || n_fail FROM runs") == "1 1 0");
    // Read back: the same values, types and order.
    const hil::Bindings back =
        hil::bindingsFromJson(QByteArray::fromStdString(db.scalar("SELECT bindings FROM step_results")));
    BOOST_TEST((back == first.bindings));
    BOOST_TEST(back.value(0).value.typeId() == QMetaType::Double);
    BOOST_TEST(back.value(2).value.typeId() == QMetaType::Bool);
}

// A version 4 file as the previous build left it opens for recording and gains the columns; its rows
// read as first tries outside any sweep.
BOOST_AUTO_TEST_CASE(a_version_4_database_gains_the_sweep_and_retry_columns) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("results.db"));
    {
        sqlite3 *db = nullptr;
        BOOST_REQUIRE(sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK);
        QString why;
        BOOST_REQUIRE(hil::prepareDatabase(db, &why));
        for (const char *sql :
             {"DROP INDEX step_results_failed", "DROP INDEX step_results_retried",
              "DROP INDEX step_results_faulted", "DROP TABLE step_rollups", "DROP TABLE device_rollups",
              "DROP TABLE measurement_rollups", "DROP TABLE measurement_rollup_runs",
              "ALTER TABLE step_results DROP COLUMN attempt", "ALTER TABLE step_results DROP COLUMN retried",
              "ALTER TABLE step_results DROP COLUMN bindings", "ALTER TABLE runs DROP COLUMN n_retried",
              "ALTER TABLE runs DROP COLUMN vars", "PRAGMA user_version = 4",
              "INSERT INTO runs (uuid, scenario, fixture, seed, started_at_ns, ended_at_ns, verdict, n_pass)"
              " VALUES ('old', 's', 'f', 1, 1, 2, 'PASS', 1)",
              "INSERT INTO step_results (run_id, phase, iteration, step_index, repetition, step, start_ns,"
              " end_ns, verdict, exchange) VALUES (1, 'steps', 0, 0, 0, 'ping', 0, 1, 'PASS', 'calc#1')"})
            BOOST_REQUIRE_MESSAGE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK, sql);
        sqlite3_close(db);
    }
    QString error;
    auto rec = hil::Recorder::open(path, &error);
    BOOST_REQUIRE_MESSAGE(rec, error.toStdString());
    rec->runStarted(sampleInfo());
    hil::StepResult r = reading(0, 22.0, hil::Verdict::Pass, "TEMP 22");
    r.bindings = {{QStringLiteral("N"), QVariant(2.0)}};
    rec->stepFinished(r);
    rec->runFinished(hil::RunSummary{});
    BOOST_TEST(rec->close());
    Db db(path);
    BOOST_TEST(db.scalar("PRAGMA user_version") == "7");
    BOOST_TEST(db.scalar("SELECT attempt || ' ' || retried || ' ' || coalesce(bindings, 'NULL') || ' ' ||"
                         " exchange FROM step_results WHERE run_id = 1")
               == "1 0 NULL calc#1");
    BOOST_TEST(db.scalar("SELECT n_retried FROM runs WHERE id = 1") == "0");
    BOOST_TEST(db.scalar("SELECT bindings FROM step_results WHERE run_id = 2") == R"({"N":2})");
}

// The recorder writes each step result's rollup cell (per step, device and 10 s bin) in the transaction of
// the row: whatever was committed, the cells account for exactly those rows, with the pass/fail order the
// report joins across bins; an un-excused fault (rows changed after the fact) drops the run's rollup.
BOOST_AUTO_TEST_CASE(the_rollup_is_written_with_the_rows) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("results.db"));
    QString error;
    auto rec = hil::Recorder::open(path, &error);
    BOOST_REQUIRE_MESSAGE(rec, error.toStdString());
    rec->runStarted(sampleInfo());
    // One result a second from 1 s to 35 s: bins 0..3; the fails at 9..12 s are a streak across bins 0 and 1.
    for (int i = 0; i < 35; ++i) {
        const bool fails = i >= 8 && i <= 11;
        rec->stepFinished(
            reading(i, fails ? 40.0 : 20.0, fails ? hil::Verdict::Fail : hil::Verdict::Pass, "TEMP 20.0"));
    }
    hil::RunSummary end;
    end.verdict = hil::Verdict::Fail;
    rec->runFinished(end);
    BOOST_REQUIRE(rec->close());
    Db db(path);
    BOOST_TEST(db.scalar("SELECT count(*) FROM step_results") == "35");
    BOOST_TEST(db.scalar("SELECT sum(results) || ' ' || sum(pass) || ' ' || sum(fail) || ' ' ||"
                         " sum(latency_count) FROM step_rollups")
               == "35 31 4 35");
    BOOST_TEST(db.scalar("SELECT group_concat(bin || ':' || results || ':' || lead || ':' || trail, ' ')"
                         " FROM (SELECT * FROM step_rollups ORDER BY id)")
               == "0:9:0:1 1:10:3:0 2:10:0:0 3:6:0:0");
    BOOST_TEST(db.scalar("SELECT min(first_id) || ' ' || max(last_id) FROM step_rollups") == "1 35");
    BOOST_TEST(db.scalar("SELECT sum(episodes) FROM device_rollups WHERE current") == "1");
    BOOST_TEST(db.scalar("SELECT sum(down_ns) FROM device_rollups") == "4000000000");
    // The samples' cells: one measurement, 35 samples over four bins, the four FAIL ones among them, the
    // extremes and the mean of the values.
    BOOST_TEST(db.scalar("SELECT count(*) FROM measurement_rollup_runs WHERE run_id = 1") == "1");
    BOOST_TEST(
        db.scalar("SELECT count(*) || ' ' || sum(samples) || ' ' || sum(fail) || ' ' || sum(count) || ' '"
                  " || min(min) || ' ' || max(max) || ' ' || round(sum(sum) / sum(count), 6)"
                  " FROM measurement_rollups")
        == "4 35 4 35 20.0 40.0 22.285714");
}
