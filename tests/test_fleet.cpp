// A fleet of benches on a real PostgreSQL server (initdb + pg_ctl in a temporary folder): `hil push`
// sends whole runs, idempotently, through COPY; cut-off pushes keep nothing partial; `hil runs`, `report`
// and `compare` read a central store with the same output as the file; bad URLs, refused logins, a
// server gone mid-push and a newer central schema are each a clear message and their exit code.

#define BOOST_TEST_MODULE fleet
#include "core/store/pgconnection.h"
#include "core/store/runfetch.h"
#include "support/harness.h"
#include "support/postgresserver.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRegularExpression>
#include <boost/test/unit_test.hpp>
#include <csignal>

using namespace hiltest;

BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

// One server and two real recorded runs for the whole module: a fault run (faults, measurements, events,
// expected failures) and a smoke run, recorded by `hil run` on the simulated bench.
struct Bench {
    PostgresServer pg;
    QTemporaryDir dir;
    QString faultDb, smokeDb;
    int databases = 0;

    Bench() {
        BOOST_REQUIRE_MESSAGE(pg.ready(), "PostgreSQL did not start: " << str(pg.why()));
        faultDb = dir.filePath(QStringLiteral("faults.db"));
        smokeDb = dir.filePath(QStringLiteral("smoke.db"));
        const auto f = runHil(
            {QStringLiteral("run"), QStringLiteral(HIL_SOURCE_DIR "/scenarios/network-loss-recovery.yaml"),
             QStringLiteral("--fixture"), QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"),
             QStringLiteral("--for"), QStringLiteral("8s"), QStringLiteral("--db"), faultDb,
             QStringLiteral("--record-exchanges"), QStringLiteral("--quiet")},
            dir.path(), QProcessEnvironment::systemEnvironment(), 60000);
        BOOST_REQUIRE_MESSAGE(f.finished && f.exitCode <= 1, str(f.err));
        const auto s =
            runHil({QStringLiteral("run"), QStringLiteral(HIL_SOURCE_DIR "/scenarios/smoke.yaml"),
                    QStringLiteral("--fixture"), QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"),
                    QStringLiteral("--for"), QStringLiteral("2s"), QStringLiteral("--db"), smokeDb,
                    QStringLiteral("--quiet")},
                   dir.path());
        BOOST_REQUIRE_MESSAGE(s.finished && s.exitCode == 0, str(s.err));
    }
    // A new, empty database on the server; its URL.
    QString freshStore() {
        const QString name = QStringLiteral("fleet%1").arg(++databases);
        BOOST_REQUIRE(pg.psql(QStringLiteral("CREATE DATABASE %1").arg(name)));
        return pg.url(name);
    }
    // A copy of a recorded file, to change without touching the others.
    QString copyOf(const QString &db, const QString &name) const {
        const QString to = dir.filePath(name);
        QFile::remove(to);
        BOOST_REQUIRE(QFile::copy(db, to));
        return to;
    }
};

Bench *bench = nullptr;
struct BenchFixture {
    BenchFixture() { bench = new Bench; }
    ~BenchFixture() { delete bench; }
};
BOOST_TEST_GLOBAL_FIXTURE(BenchFixture);

HilResult hilRun(const QStringList &args, int timeoutMs = 60000) {
    return runHil(args, bench->dir.path(), QProcessEnvironment::systemEnvironment(), timeoutMs);
}

QString scalar(const QString &sql, const QString &url) {
    QString out;
    const QString db = url.section(u'/', -1);
    BOOST_REQUIRE_MESSAGE(bench->pg.psql(sql, &out, db), str(out));
    return out.trimmed();
}

qint64 fileCount(const QString &db, const char *sql) {
    return countNow(db, sql);
}

QByteArray sha(const QString &path) {
    QFile f(path);
    BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

// A copy of a real run grown to about `rows` step results (its own rows repeated, ids new), for pushes
// that take long enough to be cut.
QString grownRun(const QString &name, int rows) {
    const QString db = bench->copyOf(bench->smokeDb, name);
    sqlite3 *h = nullptr;
    BOOST_REQUIRE(sqlite3_open(db.toUtf8().constData(), &h) == SQLITE_OK);
    // A run of its own: another uuid.
    const QByteArray relabel = "UPDATE runs SET uuid = uuid || '-" + name.toUtf8() + "'";
    BOOST_REQUIRE(sqlite3_exec(h, relabel.constData(), nullptr, nullptr, nullptr) == SQLITE_OK);
    while (true) {
        sqlite3_stmt *c = nullptr;
        sqlite3_prepare_v2(h, "SELECT count(*) FROM step_results", -1, &c, nullptr);
        sqlite3_step(c);
        const qint64 n = sqlite3_column_int64(c, 0);
        sqlite3_finalize(c);
        if (n >= rows)
            break;
        BOOST_REQUIRE(
            sqlite3_exec(h,
                         "INSERT INTO step_results (run_id, phase, iteration, step_index, repetition, step, "
                         "device, start_ns, end_ns, latency_ns, lateness_ns, verdict, marginal, message, "
                         "response) SELECT run_id, phase, iteration, step_index, repetition, step, device, "
                         "start_ns, end_ns, latency_ns, lateness_ns, verdict, marginal, message, response "
                         "FROM step_results",
                         nullptr, nullptr, nullptr)
            == SQLITE_OK);
    }
    sqlite3_close(h);
    return db;
}

} // namespace

BOOST_AUTO_TEST_CASE(push_sends_whole_runs_once_and_reads_back_the_same) {
    const QString url = bench->freshStore();
    const auto first =
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), bench->faultDb, QStringLiteral("--to"), url});
    BOOST_TEST_REQUIRE(first.exitCode == 0, str(first.err));
    BOOST_TEST(first.out.contains(QStringLiteral("1 run(s) pushed")), str(first.out));
    BOOST_TEST(!first.out.contains(QString::fromLatin1(PostgresServer::kPassword)),
               "the password is never printed");
    // Every table's rows arrived.
    for (const char *table : {"step_results", "measurements", "events", "faults", "exchanges"}) {
        const QString sql = QStringLiteral("SELECT count(*) FROM %1").arg(QString::fromLatin1(table));
        BOOST_TEST(scalar(sql, url).toLongLong() == fileCount(bench->faultDb, sql.toUtf8().constData()),
                   table);
    }
    BOOST_TEST(
        scalar(QStringLiteral("SELECT count(*) FROM step_results WHERE expected = 1"), url).toLongLong() > 0,
        "the fault run's expected failures are there");
    // Again: nothing added.
    const auto again =
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), bench->faultDb, QStringLiteral("--to"), url});
    BOOST_TEST(again.exitCode == 0);
    BOOST_TEST(again.out.contains(QStringLiteral("0 run(s) pushed")), str(again.out));
    BOOST_TEST(again.out.contains(QStringLiteral("1 already there")), str(again.out));
    BOOST_TEST(scalar(QStringLiteral("SELECT count(*) FROM runs"), url) == QStringLiteral("1"));

    // Reading it back: the same listing and the same report as from the file.
    const auto runsFile = hilRun({QStringLiteral("runs"), QStringLiteral("--db"), bench->faultDb});
    const auto runsStore = hilRun({QStringLiteral("runs"), QStringLiteral("--db"), url});
    BOOST_TEST(runsStore.exitCode == 0, str(runsStore.err));
    BOOST_TEST(runsStore.out == runsFile.out);
    const auto repFile = hilRun({QStringLiteral("report"), QStringLiteral("--db"), bench->faultDb});
    const auto repStore = hilRun({QStringLiteral("report"), QStringLiteral("--db"), url,
                                  QStringLiteral("--run"), QStringLiteral("latest")});
    BOOST_TEST(repStore.exitCode == 0, str(repStore.err));
    BOOST_TEST(repStore.out == repFile.out);
    BOOST_TEST(repStore.out.contains(QStringLiteral("network-loss-recovery")));
    // The CSV export of the steps is byte for byte the same.
    const QString csvA = bench->dir.filePath(QStringLiteral("csv-file")),
                  csvB = bench->dir.filePath(QStringLiteral("csv-store"));
    BOOST_TEST(hilRun({QStringLiteral("report"), QStringLiteral("--db"), bench->faultDb,
                       QStringLiteral("--csv"), csvA})
                   .exitCode
               == 0);
    BOOST_TEST(hilRun({QStringLiteral("report"), QStringLiteral("--db"), url, QStringLiteral("--csv"), csvB})
                   .exitCode
               == 0);
    const QStringList csvs = QDir(csvA).entryList(QDir::Files);
    BOOST_TEST(!csvs.isEmpty());
    for (const QString &f : csvs)
        BOOST_TEST(sha(csvA + u'/' + f) == sha(csvB + u'/' + f), str(f));
}

BOOST_AUTO_TEST_CASE(bytes_and_text_survive_the_round_trip) {
    const QString db = bench->copyOf(bench->smokeDb, QStringLiteral("odd.db"));
    {
        sqlite3 *h = nullptr;
        BOOST_REQUIRE(sqlite3_open(db.toUtf8().constData(), &h) == SQLITE_OK);
        QByteArray all;
        for (int i = 0; i < 256; ++i)
            all += static_cast<char>(i);
        sqlite3_stmt *st = nullptr;
        sqlite3_prepare_v2(h,
                           "UPDATE step_results SET response = ?1, message = ?2 WHERE id = (SELECT min(id) "
                           "FROM step_results)",
                           -1, &st, nullptr);
        sqlite3_bind_blob(st, 1, all.constData(), int(all.size()), SQLITE_TRANSIENT);
        const QByteArray text = "tab\there\\back\nnew\rline \\N 'q' \"dq\" \xc3\xa9";
        sqlite3_bind_text(st, 2, text.constData(), int(text.size()), SQLITE_TRANSIENT);
        BOOST_REQUIRE(sqlite3_step(st) == SQLITE_DONE);
        sqlite3_finalize(st);
        sqlite3_close(h);
    }
    const QString url = bench->freshStore();
    BOOST_TEST_REQUIRE(
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"), url}).exitCode
        == 0);
    QString error;
    const auto pg = hil::PgConnection::connect(url, std::chrono::seconds(20), &error);
    BOOST_TEST_REQUIRE(pg != nullptr, str(error));
    const QString back = bench->dir.filePath(QStringLiteral("back.db"));
    QFile::remove(back);
    hil::FetchRequest req;
    BOOST_TEST_REQUIRE(int(hil::fetchRuns(*pg, req, back, &error)) == int(hil::FetchStatus::Done),
                       str(error));
    const Database a(db), b(back);
    const char *sql = "SELECT hex(response), message, phase, step, start_ns, end_ns, latency_ns, verdict "
                      "FROM step_results ORDER BY id";
    const auto ra = a.rows(sql), rb = b.rows(sql);
    BOOST_TEST_REQUIRE((ra && rb));
    BOOST_TEST(ra->size() == rb->size());
    BOOST_TEST((*ra == *rb), "every step result reads back the same, bytes and escapes included");
    const char *msql = "SELECT name, value, unit, low, high, verdict, t_ns FROM measurements ORDER BY id";
    BOOST_TEST((*a.rows(msql) == *b.rows(msql)));
    // The central store keeps no rollups; the fetched file's, rebuilt from its rows, are the recorder's.
    for (const char *rollup :
         {"SELECT * FROM step_rollups ORDER BY phase, step_index, step, device, bin, first_id",
          "SELECT * FROM device_rollups ORDER BY device, bin, current, id",
          "SELECT * FROM measurement_rollups ORDER BY phase, step_index, step, device, name, bin",
          "SELECT * FROM measurement_rollup_runs"}) {
        auto x = a.rows(rollup), y = b.rows(rollup);
        BOOST_TEST_REQUIRE((x && y), rollup);
        BOOST_TEST(!x->isEmpty(), rollup);
        // Without the cells' own ids (column 0 but for the runs' list).
        const bool idFirst = !QByteArray(rollup).contains("rollup_runs");
        for (auto *rows : {&*x, &*y})
            for (QVariantList &row : *rows)
                if (idFirst && !row.isEmpty())
                    row.removeFirst();
        BOOST_TEST((*x == *y), rollup);
    }
}

BOOST_AUTO_TEST_CASE(a_push_cut_off_keeps_nothing_partial_and_the_next_completes_it) {
    const QString db = grownRun(QStringLiteral("big.db"), 20000);
    const qint64 rows = fileCount(db, "SELECT count(*) FROM step_results");
    const QString url = bench->freshStore();
    // The proxy passes about 300 kB/s and closes every connection 1.5 s after it opened: mid-COPY.
    Child proxy(hilPath(),
                {QStringLiteral("proxy"), QStringLiteral("--upstream"), bench->pg.address(),
                 QStringLiteral("--fault"), QStringLiteral("bandwidth:rate=300k"), QStringLiteral("--fault"),
                 QStringLiteral("close_after:after=1500ms"), QStringLiteral("--quiet")});
    const QString ready = proxy.firstLine(10000);
    BOOST_TEST_REQUIRE(ready.startsWith(QStringLiteral("READY proxy ")), str(ready));
    const QString via = bench->pg.urlVia(ready.section(u' ', 2), url.section(u'/', -1));
    // The schema goes first, through the same cut-off link: create it directly so the cut hits the COPY.
    BOOST_TEST_REQUIRE(
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), bench->smokeDb, QStringLiteral("--to"), url})
            .exitCode
        == 0);
    const auto cut =
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"), via});
    BOOST_TEST(cut.exitCode == 3, str(cut.err));
    BOOST_TEST(cut.err.contains(QStringLiteral("nothing of it was kept")), str(cut.err));
    BOOST_TEST(cut.err.contains(QStringLiteral("push again")), str(cut.err));
    const QString uuid = Database(db).rows("SELECT uuid FROM runs")->first().first().toString();
    BOOST_TEST(scalar(QStringLiteral("SELECT count(*) FROM runs WHERE uuid = '%1'").arg(uuid), url)
               == QStringLiteral("0"));
    BOOST_TEST(
        scalar(QStringLiteral(
                   "SELECT count(*) FROM step_results s JOIN runs r ON r.id = s.run_id WHERE r.uuid = '%1'")
                   .arg(uuid),
               url)
        == QStringLiteral("0"));
    // The next push, on a good link, completes it.
    const auto next =
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"), url});
    BOOST_TEST(next.exitCode == 0, str(next.err));
    BOOST_TEST(
        scalar(QStringLiteral(
                   "SELECT count(*) FROM step_results s JOIN runs r ON r.id = s.run_id WHERE r.uuid = '%1'")
                   .arg(uuid),
               url)
            .toLongLong()
        == rows);
}

BOOST_AUTO_TEST_CASE(a_server_that_goes_silent_mid_push_is_an_error_after_the_timeout) {
    const QString db = grownRun(QStringLiteral("big2.db"), 20000);
    const QString url = bench->freshStore();
    BOOST_TEST_REQUIRE(
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), bench->smokeDb, QStringLiteral("--to"), url})
            .exitCode
        == 0);
    // Slow, then silent from 1 s on for a minute: no bytes either way, the connection stays open.
    Child proxy(hilPath(),
                {QStringLiteral("proxy"), QStringLiteral("--upstream"), bench->pg.address(),
                 QStringLiteral("--fault"), QStringLiteral("bandwidth:rate=300k"), QStringLiteral("--fault"),
                 QStringLiteral("blackout:at=1s,for=60s"), QStringLiteral("--quiet")});
    const QString ready = proxy.firstLine(10000);
    BOOST_TEST_REQUIRE(ready.startsWith(QStringLiteral("READY proxy ")), str(ready));
    const QString via = bench->pg.urlVia(ready.section(u' ', 2), url.section(u'/', -1));
    const auto r = hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"), via,
                           QStringLiteral("--timeout"), QStringLiteral("2")});
    BOOST_TEST(r.exitCode == 3, str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("no answer from the server for 2 s")), str(r.err));
    BOOST_TEST(scalar(QStringLiteral("SELECT count(*) FROM runs"), url) == QStringLiteral("1"),
               "only the smoke run");
}

BOOST_AUTO_TEST_CASE(bad_urls_refused_logins_and_a_newer_schema) {
    const QString db = bench->copyOf(bench->smokeDb, QStringLiteral("bad.db"));
    const QByteArray before = sha(db);
    const auto notUrl = hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"),
                                QStringLiteral("mysql://x/y")});
    BOOST_TEST(notUrl.exitCode == 2);
    BOOST_TEST(notUrl.err.contains(QStringLiteral("is not a PostgreSQL URL")), str(notUrl.err));
    const auto badPort = hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"),
                                 QStringLiteral("postgresql://hil@127.0.0.1:port/x")});
    BOOST_TEST(badPort.exitCode == 2, str(badPort.err));
    const QString wrong = QStringLiteral("postgresql://hil:nope@%1/postgres").arg(bench->pg.address());
    const auto refused =
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"), wrong});
    BOOST_TEST(refused.exitCode == 3);
    BOOST_TEST(refused.err.contains(QStringLiteral("password authentication failed")), str(refused.err));
    BOOST_TEST(!refused.err.contains(QStringLiteral("nope")), "the password is not printed");
    const auto down =
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"),
                QStringLiteral("postgresql://hil:x@127.0.0.1:%1/postgres").arg(PostgresServer::freePort())});
    BOOST_TEST(down.exitCode == 3);
    BOOST_TEST(down.err.contains(QStringLiteral("cannot connect")), str(down.err));
    const auto noFile =
        hilRun({QStringLiteral("push"), QStringLiteral("--db"),
                bench->dir.filePath(QStringLiteral("none.db")), QStringLiteral("--to"), bench->pg.url()});
    BOOST_TEST(noFile.exitCode == 2, str(noFile.err));

    // A central schema of a later version: refused for writing and reading, nothing changed.
    const QString url = bench->freshStore();
    BOOST_TEST_REQUIRE(
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), bench->faultDb, QStringLiteral("--to"), url})
            .exitCode
        == 0);
    scalar(QStringLiteral("INSERT INTO hil_schema(version) VALUES (99)"), url);
    const auto newer =
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"), url});
    BOOST_TEST(newer.exitCode == 3);
    BOOST_TEST(newer.err.contains(QStringLiteral("version 99")), str(newer.err));
    BOOST_TEST(scalar(QStringLiteral("SELECT count(*) FROM runs"), url) == QStringLiteral("1"));
    const auto read = hilRun({QStringLiteral("runs"), QStringLiteral("--db"), url});
    BOOST_TEST(read.exitCode == 3, str(read.err));
    // A database where nothing was ever pushed is not a central store.
    const auto empty = hilRun({QStringLiteral("runs"), QStringLiteral("--db"), bench->freshStore()});
    BOOST_TEST(empty.exitCode == 2, str(empty.err));
    BOOST_TEST(empty.err.contains(QStringLiteral("hil push")), str(empty.err));
    // Nothing of the local file changed through any of it.
    BOOST_TEST(sha(db) == before);
}

BOOST_AUTO_TEST_CASE(run_push_never_fails_the_run_and_the_next_push_catches_up) {
    const QString db = bench->dir.filePath(QStringLiteral("pushed-run.db"));
    const QString deadUrl =
        QStringLiteral("postgresql://hil:x@127.0.0.1:%1/postgres").arg(PostgresServer::freePort());
    const QStringList run = {
        QStringLiteral("run"),       QStringLiteral(HIL_SOURCE_DIR "/scenarios/smoke.yaml"),
        QStringLiteral("--fixture"), QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"),
        QStringLiteral("--for"),     QStringLiteral("1s"),
        QStringLiteral("--db"),      db,
        QStringLiteral("--quiet"),   QStringLiteral("--push")};
    const auto offline = hilRun(run + QStringList{deadUrl});
    BOOST_TEST(offline.exitCode == 0, "the run's verdict stands: " << str(offline.err));
    BOOST_TEST(offline.err.contains(QStringLiteral("was not pushed")), str(offline.err));
    const QString url = bench->freshStore();
    const auto online = hilRun(run + QStringList{url});
    BOOST_TEST(online.exitCode == 0, str(online.err));
    BOOST_TEST(online.err.contains(QStringLiteral("2 run(s) pushed")),
               "the earlier run caught up: " << str(online.err));
    BOOST_TEST(scalar(QStringLiteral("SELECT count(*) FROM runs"), url) == QStringLiteral("2"));
    const auto malformed = hilRun(run + QStringList{QStringLiteral("http://x")});
    BOOST_TEST(malformed.exitCode == 2, "a malformed --push is bad input before the run");
}

BOOST_AUTO_TEST_CASE(live_runs_wait_and_interrupted_runs_go_as_readers_see_them) {
    const QString db = bench->dir.filePath(QStringLiteral("live.db"));
    const QString url = bench->freshStore();
    Child running(hilPath(),
                  {QStringLiteral("run"), QStringLiteral(HIL_SOURCE_DIR "/scenarios/smoke.yaml"),
                   QStringLiteral("--fixture"), QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"),
                   QStringLiteral("--for"), QStringLiteral("60s"), QStringLiteral("--db"), db,
                   QStringLiteral("--quiet")});
    BOOST_TEST_REQUIRE(
        waitUntil([&] { return countNow(db, "SELECT count(*) FROM step_results") > 3; }, 20000, 100));
    const auto during =
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"), url});
    BOOST_TEST(during.exitCode == 0, str(during.err));
    BOOST_TEST(during.out.contains(QStringLiteral("1 still being recorded")), str(during.out));
    BOOST_TEST(scalar(QStringLiteral("SELECT count(*) FROM runs"), url) == QStringLiteral("0"));
    ::kill(static_cast<pid_t>(running.pid()), SIGKILL);
    BOOST_TEST_REQUIRE(running.waitFinished(5000));
    const auto after =
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"), url});
    BOOST_TEST(after.exitCode == 0, str(after.err));
    BOOST_TEST(scalar(QStringLiteral("SELECT verdict FROM runs"), url) == QStringLiteral("ERROR"));
    BOOST_TEST(
        scalar(QStringLiteral("SELECT reason FROM runs"), url).startsWith(QStringLiteral("interrupted:")));
    BOOST_TEST(scalar(QStringLiteral("SELECT ended_at_ns IS NOT NULL FROM runs"), url)
               == QStringLiteral("t"));
}

BOOST_AUTO_TEST_CASE(many_benches_one_store_filters_and_compare) {
    const QString url = bench->freshStore();
    // Two benches: the same run files, one relabelled as another station.
    const QString other = bench->copyOf(bench->smokeDb, QStringLiteral("bench2.db"));
    {
        sqlite3 *h = nullptr;
        BOOST_REQUIRE(sqlite3_open(other.toUtf8().constData(), &h) == SQLITE_OK);
        BOOST_REQUIRE(sqlite3_exec(h,
                                   "UPDATE runs SET station = 'bench-2', uuid = uuid || '-b2', firmware = "
                                   "'9.9.9', started_at_ns = started_at_ns + 86400000000000",
                                   nullptr, nullptr, nullptr)
                      == SQLITE_OK);
        sqlite3_close(h);
    }
    for (const QString &db : {bench->smokeDb, other, bench->faultDb})
        BOOST_TEST_REQUIRE(
            hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"), url}).exitCode
            == 0);
    const auto all = hilRun({QStringLiteral("runs"), QStringLiteral("--db"), url});
    BOOST_TEST(all.out.count(QStringLiteral("smoke")) == 2, str(all.out));
    const auto b2 = hilRun({QStringLiteral("runs"), QStringLiteral("--db"), url, QStringLiteral("--station"),
                            QStringLiteral("bench-2")});
    BOOST_TEST(b2.exitCode == 0, str(b2.err));
    BOOST_TEST(b2.out.count(QStringLiteral("smoke")) == 1, str(b2.out));
    BOOST_TEST(b2.out.contains(QStringLiteral("9.9.9")));
    const auto fw = hilRun({QStringLiteral("runs"), QStringLiteral("--db"), url, QStringLiteral("--firmware"),
                            QStringLiteral("9.9.9"), QStringLiteral("--scenario"), QStringLiteral("smoke")});
    BOOST_TEST(fw.out.count(QStringLiteral("smoke")) == 1, str(fw.out));
    const auto since = hilRun({QStringLiteral("runs"), QStringLiteral("--db"), url, QStringLiteral("--since"),
                               QDateTime::currentDateTimeUtc().addSecs(3600).toString(Qt::ISODate)});
    BOOST_TEST(since.out.count(QStringLiteral("smoke")) == 1, "only the run a day later: " << str(since.out));
    const auto bad = hilRun({QStringLiteral("runs"), QStringLiteral("--db"), url, QStringLiteral("--since"),
                             QStringLiteral("yesterday")});
    BOOST_TEST(bad.exitCode == 2);
    // The two smoke runs, compared across benches by their store ids, as a file would compare them.
    const auto ids =
        scalar(
            QStringLiteral("SELECT string_agg(id::text, ' ' ORDER BY id) FROM runs WHERE scenario = 'smoke'"),
            url)
            .split(u' ');
    BOOST_TEST_REQUIRE(ids.size() == 2);
    const auto cmp = hilRun({QStringLiteral("compare"), QStringLiteral("--db"), url, ids[0], ids[1]});
    BOOST_TEST(cmp.exitCode <= 1, str(cmp.err));
    BOOST_TEST((cmp.out.contains(QStringLiteral("smoke")) || cmp.out.contains(ids[0])), str(cmp.out));
    const auto missing = hilRun({QStringLiteral("report"), QStringLiteral("--db"), url,
                                 QStringLiteral("--run"), QStringLiteral("999")});
    BOOST_TEST(missing.exitCode == 2);
    BOOST_TEST(missing.err.contains(QStringLiteral("has no run 999")), str(missing.err));
}

BOOST_AUTO_TEST_CASE(an_older_results_file_pushes_with_the_defaults_of_what_it_lacks) {
    // A version 4 file, as a bench not yet updated keeps it: no retries, sweeps or variables.
    const QString db = bench->copyOf(bench->faultDb, QStringLiteral("v4.db"));
    {
        sqlite3 *h = nullptr;
        BOOST_REQUIRE(sqlite3_open(db.toUtf8().constData(), &h) == SQLITE_OK);
        for (const char *sql :
             {"DROP INDEX step_results_failed", "DROP INDEX step_results_retried",
              "DROP INDEX step_results_faulted", "DROP TABLE step_rollups", "DROP TABLE device_rollups",
              "ALTER TABLE step_results DROP COLUMN attempt", "ALTER TABLE step_results DROP COLUMN retried",
              "ALTER TABLE step_results DROP COLUMN bindings", "ALTER TABLE runs DROP COLUMN n_retried",
              "ALTER TABLE runs DROP COLUMN vars", "PRAGMA user_version = 4"})
            BOOST_REQUIRE_MESSAGE(sqlite3_exec(h, sql, nullptr, nullptr, nullptr) == SQLITE_OK, sql);
        sqlite3_close(h);
    }
    const QString url = bench->freshStore();
    const auto r = hilRun({QStringLiteral("push"), QStringLiteral("--db"), db, QStringLiteral("--to"), url});
    BOOST_TEST_REQUIRE(r.exitCode == 0, str(r.err));
    BOOST_TEST(scalar(QStringLiteral("SELECT count(*) FROM step_results"), url).toLongLong()
               == fileCount(db, "SELECT count(*) FROM step_results"));
    BOOST_TEST(
        scalar(QStringLiteral("SELECT DISTINCT attempt::text || '/' || retried::text FROM step_results"), url)
        == QStringLiteral("1/0"));
    const auto fromStore = hilRun({QStringLiteral("report"), QStringLiteral("--db"), url});
    const auto fromFile = hilRun({QStringLiteral("report"), QStringLiteral("--db"), db});
    BOOST_TEST(fromStore.out == fromFile.out);
}

BOOST_AUTO_TEST_CASE(trend_reads_the_store_as_it_reads_the_file) {
    const QString url = bench->freshStore();
    BOOST_TEST_REQUIRE(
        hilRun({QStringLiteral("push"), QStringLiteral("--db"), bench->faultDb, QStringLiteral("--to"), url})
            .exitCode
        == 0);
    const QStringList args = {QStringLiteral("trend"), QStringLiteral("--scenario"),
                              QStringLiteral("network-loss-recovery"), QStringLiteral("--db")};
    const auto fromFile = hilRun(args + QStringList{bench->faultDb});
    const auto fromStore = hilRun(args + QStringList{url});
    BOOST_TEST(fromStore.exitCode == 0, str(fromStore.err));
    BOOST_TEST(fromStore.out == fromFile.out);
    BOOST_TEST(fromStore.out.contains(QStringLiteral("not enough history")), str(fromStore.out));
    const auto none = hilRun({QStringLiteral("trend"), QStringLiteral("--scenario"), QStringLiteral("nope"),
                              QStringLiteral("--db"), url});
    BOOST_TEST(none.exitCode == 2, str(none.err));
}
