#define BOOST_TEST_MODULE merge
#include "core/analysis/runstatistics.h"
#include "core/store/dbmerge.h"
#include "core/store/recorder.h"
#include "core/store/rollupscan.h"
#include "core/store/runquery.h"
#include "core/store/schema.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <boost/test/unit_test.hpp>
#include <sqlite3.h>
#include <unistd.h>

// hil merge: bench databases with clashing ids merge into one without losing or duplicating a row, runs
// are identified by uuid, measurements follow their step results to their new ids, and the merged runs
// report exactly as their sources did.

namespace {

class Db {
public:
    explicit Db(const QString &path, bool create = true)
        : m_path(path) {
        BOOST_REQUIRE(sqlite3_open(path.toUtf8().constData(), &m_db) == SQLITE_OK);
        if (create) {
            QString error;
            BOOST_REQUIRE_MESSAGE(hil::prepareDatabase(m_db, &error), error.toStdString());
        }
    }
    ~Db() { sqlite3_close(m_db); }
    void exec(const QByteArray &sql) {
        char *msg = nullptr;
        BOOST_REQUIRE_MESSAGE(sqlite3_exec(m_db, sql.constData(), nullptr, nullptr, &msg) == SQLITE_OK,
                              (msg ? msg : "?"));
    }
    void load(const QString &file) {
        QFile f(file);
        BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
        exec(f.readAll());
    }
    qint64 count(const char *sql) const {
        sqlite3_stmt *s = nullptr;
        BOOST_REQUIRE_MESSAGE(sqlite3_prepare_v2(m_db, sql, -1, &s, nullptr) == SQLITE_OK,
                              sqlite3_errmsg(m_db));
        qint64 n = -1;
        if (sqlite3_step(s) == SQLITE_ROW)
            n = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        return n;
    }
    // Every row of every table as text, identified by run uuid and times rather than ids, sorted: two
    // databases with the same runs give the same dump whatever their ids.
    QStringList dump() const {
        QStringList rows;
        const char *queries[] = {
            "SELECT 'run', uuid, scenario, fixture, station, dut_serial, firmware, seed, started_at_ns, "
            "ended_at_ns,"
            " duration_ns, verdict, reason, iterations, n_pass, n_fail, n_error, n_abort, n_marginal,"
            " n_retried FROM runs",
            "SELECT 'step', r.uuid, s.phase, s.iteration, s.step_index, s.repetition, s.step, s.device, "
            "s.start_ns,"
            " s.end_ns, s.latency_ns, s.lateness_ns, s.verdict, s.marginal, s.message, hex(s.response), "
            "s.expected,"
            " (SELECT f.kind || '@' || f.start_ns FROM faults f WHERE f.id = s.fault_id AND f.run_id = "
            "s.run_id), s.attempt, s.retried, s.bindings"
            " FROM step_results s JOIN runs r ON r.id = s.run_id",
            // A measurement names its step result by that row's content: a wrong remap shows here.
            "SELECT 'sample', r.uuid, s.step, s.start_ns, m.name, m.value, m.unit, m.low, m.high, m.verdict, "
            "m.t_ns"
            " FROM measurements m JOIN step_results s ON s.id = m.step_result_id AND s.run_id = m.run_id"
            " JOIN runs r ON r.id = m.run_id",
            "SELECT 'event', r.uuid, t_ns, kind, device, hex(detail) FROM events e JOIN runs r ON r.id = "
            "e.run_id",
            "SELECT 'fault', r.uuid, device, target, kind, start_ns, end_ns, recovery_ns FROM faults f"
            " JOIN runs r ON r.id = f.run_id",
            "SELECT 'exchange', r.uuid, t_ns, device, direction, hex(data) FROM exchanges x JOIN runs r ON "
            "r.id = x.run_id",
        };
        for (const char *sql : queries) {
            sqlite3_stmt *s = nullptr;
            BOOST_REQUIRE_MESSAGE(sqlite3_prepare_v2(m_db, sql, -1, &s, nullptr) == SQLITE_OK,
                                  sqlite3_errmsg(m_db));
            while (sqlite3_step(s) == SQLITE_ROW) {
                QStringList cells;
                for (int c = 0; c < sqlite3_column_count(s); ++c) {
                    const auto *t = sqlite3_column_text(s, c);
                    cells << (t ? QString::fromUtf8(reinterpret_cast<const char *>(t))
                                : QStringLiteral("NULL"));
                }
                rows << cells.join(u'|');
            }
            sqlite3_finalize(s);
        }
        rows.sort();
        return rows;
    }

private:
    QString m_path;
    sqlite3 *m_db = nullptr;
};

const QString kFixed = QStringLiteral(HIL_TEST_DATA_DIR "/report/fixed-runs.sql");

// Bench A holds the two fixed runs; bench B the same rows under other uuids: every id clashes with A's.
struct Benches {
    QTemporaryDir dir;
    QString a, b;
    Benches() {
        BOOST_REQUIRE(dir.isValid());
        a = dir.filePath(QStringLiteral("bench-a.db"));
        b = dir.filePath(QStringLiteral("bench-b.db"));
        {
            Db db(a);
            db.load(kFixed);
            // Failures during faults point at their fault: the merge must carry that to the fault's new id.
            db.exec("UPDATE step_results SET expected = 1, fault_id = 1 WHERE id IN (5, 6)");
            // Sweeps and retries (schema 5): the merge carries the tries and the swept values.
            db.exec("UPDATE step_results SET attempt = 1, retried = 1 WHERE id = 2;"
                    "UPDATE step_results SET attempt = 2, bindings = '{\"V\":3.3,\"mode\":\"fast\"}'"
                    " WHERE id = 3; UPDATE runs SET n_retried = 1 WHERE id = 1");
            db.exec("INSERT INTO exchanges (run_id, t_ns, device, direction, data) VALUES"
                    " (1, 2999000000, 'sensor', 'tx', CAST('READ?' AS BLOB)), (1, 3003000000, 'sensor', "
                    "'rx', X'4552522034320a')");
        }
        Db db(b);
        db.load(kFixed);
        db.exec("UPDATE runs SET uuid = replace(uuid, substr(uuid, 1, 8), 'dddddddd') WHERE id = 1;"
                "UPDATE runs SET uuid = replace(uuid, substr(uuid, 1, 8), 'eeeeeeee') WHERE id = 2;"
                "UPDATE step_results SET latency_ns = latency_ns * 2 WHERE run_id = 1;"
                "UPDATE step_results SET expected = 1, fault_id = 2 WHERE id = 10; UPDATE runs SET "
                "n_expected = 1;");
    }
    QString path(const char *name) const { return dir.filePath(QString::fromLatin1(name)); }
};

hil::RunStatistics stats(const QString &path, const QString &run) {
    QString error;
    const auto q = hil::RunQuery::open(path, &error);
    BOOST_REQUIRE_MESSAGE(q, error.toStdString());
    const auto id = q->resolveRun(run, &error);
    BOOST_REQUIRE_MESSAGE(id, error.toStdString());
    const auto s = hil::computeRunStatistics(*q, *id, {}, &error);
    BOOST_REQUIRE_MESSAGE(s, error.toStdString());
    return *s;
}

} // namespace

BOOST_AUTO_TEST_CASE(clashing_ids_are_remapped_and_no_row_is_lost) {
    Benches b;
    const QString fleet = b.path("fleet.db");
    QList<hil::MergeSourceResult> results;
    QString error;
    BOOST_REQUIRE_MESSAGE(hil::mergeDatabases(fleet, {b.a, b.b}, &results, &error)
                              == hil::MergeOutcome::Merged,
                          error.toStdString());
    BOOST_REQUIRE_EQUAL(results.size(), 2);
    BOOST_CHECK_EQUAL(results[0].runsMerged, 2);
    BOOST_CHECK_EQUAL(results[0].stepResults, 14);
    BOOST_CHECK_EQUAL(results[0].measurements, 10);
    BOOST_CHECK_EQUAL(results[0].exchanges, 2);
    BOOST_CHECK_EQUAL(results[1].runsMerged, 2);
    BOOST_CHECK_EQUAL(results[1].faults, 4);

    Db f(fleet, false);
    BOOST_CHECK_EQUAL(f.count("SELECT count(*) FROM runs"), 4);
    BOOST_CHECK_EQUAL(f.count("SELECT count(*) FROM step_results"), 28);
    BOOST_CHECK_EQUAL(f.count("SELECT count(*) FROM measurements"), 20);
    BOOST_CHECK_EQUAL(f.count("SELECT count(*) FROM events"), 12);
    BOOST_CHECK_EQUAL(f.count("SELECT count(*) FROM faults"), 8);
    BOOST_CHECK_EQUAL(f.count("SELECT count(*) FROM exchanges"), 2);
    // Every sample points at a step result of its own run.
    BOOST_CHECK_EQUAL(
        f.count("SELECT count(*) FROM measurements m JOIN step_results s ON s.id = m.step_result_id"
                " AND s.run_id = m.run_id"),
        20);
    BOOST_CHECK_EQUAL(f.count("PRAGMA user_version"), hil::kSchemaVersion);
    BOOST_CHECK_EQUAL(f.count("SELECT count(*) FROM step_results s JOIN faults x ON x.id = s.fault_id"
                              " AND x.run_id = s.run_id"),
                      3);
    BOOST_CHECK_EQUAL(f.count("SELECT sum(n_expected) FROM runs"), 2);
    // The tries and swept values of bench A's first run, at their rows' new ids.
    BOOST_CHECK_EQUAL(f.count("SELECT sum(n_retried) FROM runs"), 1);
    BOOST_CHECK_EQUAL(f.count("SELECT count(*) FROM step_results s JOIN runs r ON r.id = s.run_id"
                              " WHERE r.uuid NOT LIKE 'dddddddd%' AND s.retried AND s.attempt = 1"),
                      1);
    BOOST_CHECK_EQUAL(
        f.count("SELECT count(*) FROM step_results WHERE attempt = 2 AND"
                " json_extract(bindings, '$.V') = 3.3 AND json_extract(bindings, '$.mode') = 'fast'"),
        1);

    // The fleet holds exactly the rows of both benches.
    QStringList both = Db(b.a, false).dump() + Db(b.b, false).dump();
    both.sort();
    const QStringList merged = f.dump();
    BOOST_CHECK_EQUAL(merged.size(), both.size());
    BOOST_CHECK(merged == both);

    // And its runs report as their sources did.
    const hil::RunStatistics src = stats(b.b, QStringLiteral("dddddddd"));
    const hil::RunStatistics dst = stats(fleet, QStringLiteral("dddddddd"));
    BOOST_CHECK_EQUAL(dst.steps.first().latency.p50Ns, 10'000'000); // the doubled latencies of bench B
    BOOST_CHECK_EQUAL(dst.steps.first().latency.p50Ns, src.steps.first().latency.p50Ns);
    BOOST_CHECK_EQUAL(*dst.availability, *src.availability);
    BOOST_CHECK_EQUAL(dst.measurements.first().mean, src.measurements.first().mean);
    BOOST_CHECK_EQUAL(*dst.faults[0].recoveryNs, 506'000'000);
    BOOST_CHECK_EQUAL(dst.findings.size(), src.findings.size());
}

BOOST_AUTO_TEST_CASE(merging_again_adds_nothing) {
    Benches b;
    const QString fleet = b.path("fleet.db");
    QString error;
    BOOST_REQUIRE(hil::mergeDatabases(fleet, {b.a}, nullptr, &error) == hil::MergeOutcome::Merged);
    const QStringList once = Db(fleet, false).dump();
    QList<hil::MergeSourceResult> results;
    BOOST_REQUIRE(hil::mergeDatabases(fleet, {b.a, b.a}, &results, &error) == hil::MergeOutcome::Merged);
    BOOST_CHECK_EQUAL(results[0].runsSkipped, 2);
    BOOST_CHECK_EQUAL(results[0].runsMerged, 0);
    BOOST_CHECK_EQUAL(results[1].runsSkipped, 2);
    BOOST_CHECK(Db(fleet, false).dump() == once);

    // A fleet merged into another fleet: the runs it shares are skipped, the new ones come across.
    const QString other = b.path("other.db");
    BOOST_REQUIRE(hil::mergeDatabases(other, {b.b, fleet}, &results, &error) == hil::MergeOutcome::Merged);
    Db o(other, false);
    BOOST_CHECK_EQUAL(o.count("SELECT count(*) FROM runs"), 4);
    BOOST_CHECK_EQUAL(o.count("SELECT count(*) FROM step_results"), 28);
}

BOOST_AUTO_TEST_CASE(a_run_merged_while_recording_is_replaced_when_finished) {
    Benches b;
    const QString recording = b.path("recording.db");
    QFile::copy(b.a, recording);
    {
        Db r(recording, false);
        r.exec("UPDATE runs SET ended_at_ns = NULL, duration_ns = NULL, verdict = 'RUNNING' WHERE id = 1;"
               "DELETE FROM measurements WHERE run_id = 1 AND step_result_id > 6;"
               "DELETE FROM step_results WHERE run_id = 1 AND id > 6;");
    }
    const QString fleet = b.path("fleet.db");
    QString error;
    QList<hil::MergeSourceResult> results;
    BOOST_REQUIRE(hil::mergeDatabases(fleet, {recording}, &results, &error) == hil::MergeOutcome::Merged);
    BOOST_CHECK_EQUAL(Db(fleet, false).count("SELECT count(*) FROM step_results WHERE run_id = 1"), 6);
    // The unfinished copy again: nothing to do.
    results.clear();
    BOOST_REQUIRE(hil::mergeDatabases(fleet, {recording}, &results, &error) == hil::MergeOutcome::Merged);
    BOOST_CHECK_EQUAL(results[0].runsSkipped, 2);
    // The finished run replaces it; the other run stays as it was.
    results.clear();
    BOOST_REQUIRE(hil::mergeDatabases(fleet, {b.a}, &results, &error) == hil::MergeOutcome::Merged);
    BOOST_CHECK_EQUAL(results[0].runsReplaced, 1);
    BOOST_CHECK_EQUAL(results[0].runsSkipped, 1);
    BOOST_CHECK(Db(fleet, false).dump() == Db(b.a, false).dump());
}

BOOST_AUTO_TEST_CASE(bad_sources_are_refused_and_left_alone) {
    Benches b;
    const QString fleet = b.path("fleet.db");
    QString error;
    const QString text = b.path("notes.txt");
    {
        QFile f(text);
        BOOST_REQUIRE(f.open(QIODevice::WriteOnly));
        f.write("not a database\n");
    }
    BOOST_CHECK(hil::mergeDatabases(fleet, {text}, nullptr, &error) == hil::MergeOutcome::BadSource);
    BOOST_CHECK(error.contains(QStringLiteral("notes.txt")));
    BOOST_CHECK(hil::mergeDatabases(fleet, {b.path("missing.db")}, nullptr, &error)
                == hil::MergeOutcome::BadSource);
    BOOST_CHECK(error.contains(QStringLiteral("no such database")));

    const QString newer = b.path("newer.db");
    QFile::copy(b.a, newer);
    Db(newer, false).exec("PRAGMA user_version = 99");
    BOOST_CHECK(hil::mergeDatabases(fleet, {newer}, nullptr, &error) == hil::MergeOutcome::BadSource);
    BOOST_CHECK(error.contains(QStringLiteral("newer than this build")));
    BOOST_CHECK_EQUAL(Db(newer, false).count("PRAGMA user_version"), 99); // not migrated

    BOOST_REQUIRE(hil::mergeDatabases(fleet, {b.a}, nullptr, &error) == hil::MergeOutcome::Merged);
    BOOST_CHECK(hil::mergeDatabases(fleet, {fleet}, nullptr, &error) == hil::MergeOutcome::BadSource);
    BOOST_CHECK(error.contains(QStringLiteral("target itself")));
    // A good source after a bad one in the same call is not reached: nothing half-done.
    BOOST_CHECK(hil::mergeDatabases(fleet, {text, b.b}, nullptr, &error) == hil::MergeOutcome::BadSource);
    BOOST_CHECK_EQUAL(Db(fleet, false).count("SELECT count(*) FROM runs"), 2);
}

BOOST_AUTO_TEST_CASE(hil_merge_command) {
    Benches b;
    const QString hil = QStringLiteral(HIL_BIN_DIR "/hil");
    const QString fleet = b.path("fleet.db");
    QProcess p;
    p.start(hil, {QStringLiteral("merge"), QStringLiteral("--into"), fleet, b.a, b.b});
    BOOST_REQUIRE(p.waitForFinished(60000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    BOOST_CHECK_MESSAGE(p.exitCode() == 0, out.toStdString() + p.readAllStandardError().toStdString());
    BOOST_CHECK(out.contains(
        QStringLiteral("bench-a.db: 2 runs merged, 0 already present; rows: 14 step results, 10 samples")));
    p.start(hil, {QStringLiteral("merge"), QStringLiteral("--into"), fleet, b.a});
    BOOST_REQUIRE(p.waitForFinished(60000));
    BOOST_CHECK_EQUAL(p.exitCode(), 0);
    BOOST_CHECK(QString::fromUtf8(p.readAllStandardOutput())
                    .contains(QStringLiteral("0 runs merged, 2 already present")));
    p.start(hil, {QStringLiteral("merge"), QStringLiteral("--into"), fleet, b.path("missing.db")});
    BOOST_REQUIRE(p.waitForFinished(60000));
    BOOST_CHECK_EQUAL(p.exitCode(), 2);
    p.start(hil, {QStringLiteral("merge"), b.a});
    BOOST_REQUIRE(p.waitForFinished(60000));
    BOOST_CHECK_EQUAL(p.exitCode(), 2);
    BOOST_CHECK_EQUAL(Db(fleet, false).count("SELECT count(*) FROM runs"), 4);
}

// A merge holds the target's write lock for a whole run's copy; a run recording into the target would wait
// for it beyond its busy timeout and end as ERROR. Such a target is refused, nothing is copied, and the run
// records on; once it has ended the same merge goes through.
BOOST_AUTO_TEST_CASE(a_target_a_run_is_recording_into_is_refused) {
    Benches b;
    const QString fleet = b.path("fleet.db");
    QString error;
    auto rec = hil::Recorder::open(fleet, &error);
    BOOST_REQUIRE_MESSAGE(rec, error.toStdString());
    hil::RunHeader live;
    live.uuid = QStringLiteral("0b5e55ed-0000-4000-8000-00000000beef");
    live.scenario = QStringLiteral("soak");
    live.fixture = QStringLiteral("bench-9");
    rec->runStarted(live);
    QList<hil::MergeSourceResult> results;
    BOOST_CHECK(hil::mergeDatabases(fleet, {b.a, b.b}, &results, &error) == hil::MergeOutcome::TargetLive);
    BOOST_CHECK_MESSAGE(error.contains(fleet + QStringLiteral(" is being recorded to (run ")),
                        error.toStdString());
    BOOST_CHECK_MESSAGE(error.contains(QStringLiteral("pid %1 on ").arg(::getpid())), error.toStdString());
    BOOST_CHECK(results.isEmpty());
    BOOST_CHECK_EQUAL(Db(fleet, false).count("SELECT count(*) FROM runs"), 1);

    hil::StepResult r;
    r.step = QStringLiteral("poll");
    r.verdict = hil::Verdict::Pass;
    rec->stepFinished(r);
    hil::RunSummary end;
    end.verdict = hil::Verdict::Pass;
    end.counts.pass = 1;
    rec->runFinished(end);
    BOOST_REQUIRE(rec->close());
    rec.reset();
    BOOST_CHECK_EQUAL(Db(fleet, false).count("SELECT count(*) FROM step_results"), 1);
    BOOST_CHECK(hil::mergeDatabases(fleet, {b.a, b.b}, &results, &error) == hil::MergeOutcome::Merged);
    BOOST_CHECK_EQUAL(Db(fleet, false).count("SELECT count(*) FROM runs"), 5);
}

// Rollups are derived from the rows: a merge does not copy them but builds each merged run's from its
// copied rows, so that they account for exactly those rows (and a report may read them).
BOOST_AUTO_TEST_CASE(a_merged_run_gets_rollups_built_from_its_rows) {
    Benches b;
    const QString fleet = b.path("fleet.db");
    QString error;
    BOOST_REQUIRE(hil::mergeDatabases(fleet, {b.a, b.b}, nullptr, &error) == hil::MergeOutcome::Merged);
    Db db(fleet, false);
    BOOST_TEST(db.count("SELECT count(*) FROM runs") == 4);
    BOOST_TEST(db.count("SELECT count(DISTINCT run_id) FROM step_rollups") == 4);
    BOOST_TEST(
        db.count("SELECT count(*) FROM runs r WHERE (SELECT count(*) FROM step_results WHERE run_id = r.id)"
                 " != (SELECT sum(results + retried) FROM step_rollups WHERE run_id = r.id)")
        == 0);
    BOOST_TEST(db.count("SELECT sum(retried) FROM step_rollups") == 1);
    const auto q = hil::RunQuery::open(fleet, &error);
    BOOST_REQUIRE_MESSAGE(q, error.toStdString());
    for (qint64 run = 1; run <= 4; ++run) {
        const std::optional<bool> complete = hil::RollupScan(*q, run).complete(&error);
        BOOST_REQUIRE_MESSAGE(complete, error.toStdString());
        BOOST_TEST(*complete, "run " << run);
    }
}
