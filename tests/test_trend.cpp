// `hil trend`: nights of a real recorded run (a fault run on the simulated bench, cloned to earlier UTC
// dates in its own SQLite file), grouped by night and firmware, compared with the nights before, as a
// table, CSV and HTML; a night made slow is flagged with exit 1, a steady series is not.

#define BOOST_TEST_MODULE trend
#include "support/harness.h"

#include <QDir>
#include <boost/test/unit_test.hpp>

using namespace hiltest;

BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

constexpr qint64 kDayNs = 86'400'000'000'000;

void exec(sqlite3 *db, const QString &sql) {
    char *msg = nullptr;
    const int rc = sqlite3_exec(db, sql.toUtf8().constData(), nullptr, nullptr, &msg);
    BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, sql.toStdString() << ": " << (msg ? msg : ""));
    sqlite3_free(msg);
}

// One real run, recorded once for the module.
struct Recorded {
    QTemporaryDir dir;
    QString db;
    Recorded() {
        db = dir.filePath(QStringLiteral("base.db"));
        const auto r = runHil(
            {QStringLiteral("run"), QStringLiteral(HIL_SOURCE_DIR "/scenarios/network-loss-recovery.yaml"),
             QStringLiteral("--fixture"), QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"),
             QStringLiteral("--for"), QStringLiteral("8s"), QStringLiteral("--db"), db,
             QStringLiteral("--quiet")},
            dir.path());
        BOOST_REQUIRE_MESSAGE(r.finished && r.exitCode <= 1, str(r.err));
    }
};
Recorded *recorded = nullptr;
struct RecordedFixture {
    RecordedFixture() { recorded = new Recorded; }
    ~RecordedFixture() { delete recorded; }
};
BOOST_TEST_GLOBAL_FIXTURE(RecordedFixture);

// A copy of the recorded file with the run cloned to `daysBack` earlier nights (run 1 stays on today);
// each clone keeps every step result and fault, with its own uuid and ids.
struct Nights {
    Workspace ws;
    QString db;
    sqlite3 *h = nullptr;
    explicit Nights(int daysBack) {
        db = ws.db();
        BOOST_REQUIRE(QFile::copy(recorded->db, db));
        BOOST_REQUIRE(sqlite3_open(db.toUtf8().constData(), &h) == SQLITE_OK);
        for (int d = 1; d <= daysBack; ++d)
            clone(1, -d * kDayNs, QString());
    }
    ~Nights() { sqlite3_close(h); }
    qint64 scalar(const char *sql) {
        sqlite3_stmt *st = nullptr;
        sqlite3_prepare_v2(h, sql, -1, &st, nullptr);
        sqlite3_step(st);
        const qint64 v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
    }
    // Clones run `from` shifted by `shiftNs`, optionally with another firmware; returns the new run's id.
    qint64 clone(qint64 from, qint64 shiftNs, const QString &firmware) {
        const qint64 id = scalar("SELECT max(id) + 1 FROM runs");
        const qint64 srOff = scalar("SELECT coalesce(max(id), 0) FROM step_results");
        const qint64 fOff = scalar("SELECT coalesce(max(id), 0) FROM faults");
        exec(h,
             QStringLiteral(
                 "CREATE TEMP TABLE r AS SELECT * FROM runs WHERE id = %1;"
                 "UPDATE r SET id = %2, uuid = uuid || '-%2', started_at_ns = started_at_ns + %3, "
                 "ended_at_ns = ended_at_ns + %3%4;"
                 "INSERT INTO runs SELECT * FROM r; DROP TABLE r;"
                 "CREATE TEMP TABLE f AS SELECT * FROM faults WHERE run_id = %1;"
                 "UPDATE f SET run_id = %2, id = id + %6; INSERT INTO faults SELECT * FROM f; DROP TABLE f;"
                 "CREATE TEMP TABLE s AS SELECT * FROM step_results WHERE run_id = %1;"
                 "UPDATE s SET run_id = %2, id = id + %5, fault_id = fault_id + %6;"
                 "INSERT INTO step_results SELECT * FROM s; DROP TABLE s;")
                 .arg(from)
                 .arg(id)
                 .arg(shiftNs)
                 .arg(firmware.isEmpty() ? QString() : QStringLiteral(", firmware = '%1'").arg(firmware))
                 .arg(srOff)
                 .arg(fOff));
        return id;
    }
    HilResult trend(const QStringList &more = {}) {
        return runHil(QStringList{QStringLiteral("trend"), QStringLiteral("--db"), db,
                                  QStringLiteral("--scenario"), QStringLiteral("network-loss-recovery")}
                          + more,
                      ws.dir.path());
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_steady_series_has_no_flag_and_nights_are_rows) {
    Nights n(6);
    const auto r = n.trend();
    BOOST_TEST(r.exitCode == 0, str(r.out) << str(r.err));
    const QStringList lines = r.out.trimmed().split(u'\n');
    BOOST_TEST(lines.size() == 8, str(r.out)); // header + 7 nights
    BOOST_TEST(lines[0].contains(QStringLiteral("MTTR:blackout")), str(lines[0]));
    BOOST_TEST(lines[1].contains(QStringLiteral("not enough history")));
    BOOST_TEST(!r.out.contains(QStringLiteral("vs ")), "no regression: " << str(r.out));
}

BOOST_AUTO_TEST_CASE(a_slow_last_night_is_flagged_with_exit_1_and_written_as_csv_and_html) {
    Nights n(6);
    exec(n.h, QStringLiteral("UPDATE step_results SET latency_ns = latency_ns * 20 WHERE run_id = 1"));
    const QString csv = n.ws.path("trend.csv"), html = n.ws.path("trend.html");
    const auto r = n.trend({QStringLiteral("--csv"), csv, QStringLiteral("--html"), html});
    BOOST_TEST(r.exitCode == 1, str(r.out) << str(r.err));
    BOOST_TEST(r.out.contains(QStringLiteral("p99 latency")), str(r.out));
    BOOST_TEST(r.out.contains(QStringLiteral("over the 6 nights before")), str(r.out));
    QFile c(csv);
    BOOST_TEST_REQUIRE(c.open(QIODevice::ReadOnly));
    const QList<QByteArray> rows = c.readAll().trimmed().split('\n');
    BOOST_TEST(rows.size() == 8);
    BOOST_TEST(rows[0].contains("mttr_blackout_ms"));
    BOOST_TEST(rows.last().contains("p99 latency"));
    BOOST_TEST(!rows[3].contains("p99 latency"));
    QFile h(html);
    BOOST_TEST_REQUIRE(h.open(QIODevice::ReadOnly));
    const QByteArray page = h.readAll();
    BOOST_TEST(page.count("<svg") == 4);
    BOOST_TEST(page.contains("class=\"reg\""), "the regressed night is ringed");
    BOOST_TEST(page.contains("1 regression(s)"));
    // --last narrows it: with only 3 nights there is not enough history to flag anything.
    const auto last = n.trend({QStringLiteral("--last"), QStringLiteral("3")});
    BOOST_TEST(last.exitCode == 0, str(last.out));
    BOOST_TEST(last.out.trimmed().split(u'\n').size() == 4);
}

BOOST_AUTO_TEST_CASE(firmwares_of_one_night_are_rows_of_their_own_and_a_failing_one_is_flagged) {
    Nights n(5);
    const qint64 other = n.clone(1, 60'000'000'000, QStringLiteral("2.0.0-rc1"));
    exec(n.h, QStringLiteral("UPDATE runs SET verdict = 'FAIL' WHERE id = %1").arg(other));
    const auto r = n.trend();
    BOOST_TEST(r.exitCode == 1, str(r.out));
    const QStringList lines = r.out.trimmed().split(u'\n');
    BOOST_TEST(lines.size() == 8, str(r.out)); // header + 5 earlier nights + today's two firmwares
    BOOST_TEST(lines.last().contains(QStringLiteral("2.0.0-rc1")));
    BOOST_TEST(lines.last().contains(QStringLiteral("pass rate 0.0 %")), str(lines.last()));
    const auto only = n.trend({QStringLiteral("--firmware"), QStringLiteral("2.0.0-rc1")});
    BOOST_TEST(only.out.trimmed().split(u'\n').size() == 2);
}

BOOST_AUTO_TEST_CASE(bad_input_names_what_is_there) {
    Nights n(0);
    const auto none = runHil({QStringLiteral("trend"), QStringLiteral("--db"), n.db,
                              QStringLiteral("--scenario"), QStringLiteral("nope")},
                             n.ws.dir.path());
    BOOST_TEST(none.exitCode == 2);
    BOOST_TEST(none.err.contains(QStringLiteral("scenarios there: network-loss-recovery")), str(none.err));
    const auto noScenario = runHil({QStringLiteral("trend"), QStringLiteral("--db"), n.db}, n.ws.dir.path());
    BOOST_TEST(noScenario.exitCode == 2);
    const auto badDir = n.trend({QStringLiteral("--html"), QStringLiteral("/nonexistent/dir/t.html")});
    BOOST_TEST(badDir.exitCode == 2, str(badDir.err));
    const auto badLast = n.trend({QStringLiteral("--last"), QStringLiteral("zero")});
    BOOST_TEST(badLast.exitCode == 2);
}
