#define BOOST_TEST_MODULE crash
// Crash safety of the results database and clean handling of database errors, with the real `hil`:
// SIGKILL at many moments of a soak against a device this test serves itself (its answers are the
// ground truth), interrupted runs as readers and the next writer see them, no simulator left behind,
// and a full disk, a read-only database and a database locked by another program.
#include "core/base/clock.h"
#include "core/store/recorder.h"
#include "core/store/runcatalog.h"
#include "core/store/runquery.h"
#include "support/harness.h"

#include <QCryptographicHash>
#include <QDir>
#include <QHash>
#include <QSet>
#include <QSysInfo>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <csignal>
#include <random>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tuple>
#include <unistd.h>

using namespace hiltest;

namespace {

struct Setup {
    Setup() {
        // Orphans of the hil processes this test kills come to this process, where they can be found.
        ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    }
    QtApplicationFixture app;
};

// The device under test, served by this process: every request line is answered "SEQ <n>" (n counts
// up from 1, optionally padded), and the monotonic time at which each answer was handed to the kernel
// is kept. That is the ground truth the database is checked against.
class SeqDevice : public QObject {
public:
    SeqDevice() {
        BOOST_REQUIRE(m_server.listen(QHostAddress::LocalHost, 0));
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this);
                ++connections;
                connect(s, &QTcpSocket::readyRead, this, [this, s] { serve(s); });
            }
        });
    }
    quint16 port() const { return m_server.serverPort(); }
    void reset() {
        sentAt.clear();
        requests.clear();
        connections = 0;
        for (QTcpSocket *s : findChildren<QTcpSocket *>())
            s->deleteLater();
    }

    QByteArray padding;
    QHash<qint64, qint64> sentAt; // sequence number -> monotonic ns the answer went out
    QHash<QByteArray, int> requests;
    int connections = 0;
    std::function<void(const QByteArray &, int)> onRequest; // request, how many of it so far

private:
    void serve(QTcpSocket *s) {
        while (s->canReadLine()) {
            const QByteArray request = s->readLine().trimmed();
            const qint64 n = m_next++;
            s->write("SEQ " + QByteArray::number(n) + padding + '\n');
            s->flush();
            sentAt.insert(n, hil::monotonicNs());
            const int count = ++requests[request];
            if (onRequest)
                onRequest(request, count);
        }
    }
    QTcpServer m_server;
    qint64 m_next = 1;
};

QString fixtureYaml(quint16 port, bool withSim) {
    QString y = QStringLiteral("name: crash-bench\ndevices:\n  dut:\n    tcp: {host: 127.0.0.1, port: %1}\n"
                               "    timeout: 2s\n    max_line_length: 65536\n")
                    .arg(port);
    if (withSim)
        y +=
            QStringLiteral("  sim:\n    sim: {model: envsensor, transport: tcp, seed: 3}\n    timeout: 2s\n");
    return y;
}

QString scenarioYaml(int steps, int everyMs, bool withSim) {
    QString y = QStringLiteral("name: crash-soak\ndevices: [dut%1]\nsetup:\n"
                               "  - name: identify\n    send: {to: dut, line: \"IDN?\"}\n"
                               "    expect: {match: '^SEQ [0-9]+', within: 2s}\n")
                    .arg(withSim ? QStringLiteral(", sim") : QString());
    if (withSim)
        y += QStringLiteral("  - name: sim identify\n    send: {to: sim, line: \"*IDN?\"}\n"
                            "    expect: {match: '^ACME', within: 2s}\n");
    y += QStringLiteral(
             "steps:\n  - name: poll\n    send: {to: dut, line: \"READ?\"}\n"
             "    expect: {match: '^SEQ [0-9]+', within: 2s}\n"
             "repeat: {count: %1, every: %2ms}\n"
             "teardown:\n  - name: bye\n    repeat: {count: 20, every: 10ms}\n"
             "    send: {to: dut, line: \"BYE?\"}\n    expect: {match: '^SEQ [0-9]+', within: 2s}\n")
             .arg(steps)
             .arg(everyMs);
    return y;
}

// hil-sim processes whose parent is this process: orphans of a killed hil.
QList<pid_t> orphanSimulators() {
    QList<pid_t> out;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &e : entries) {
        bool isPid = false;
        const pid_t pid = e.toInt(&isPid);
        if (!isPid)
            continue;
        QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        const qsizetype open = stat.indexOf('('), close = stat.lastIndexOf(')');
        if (open < 0 || close < 0 || stat.mid(open + 1, close - open - 1) != "hil-sim")
            continue;
        const QList<QByteArray> rest = stat.mid(close + 2).split(' ');
        if (rest.size() > 1 && rest[1].toInt() == ::getpid()) {
            if (rest[0] == "Z")
                ::waitpid(pid, nullptr, WNOHANG); // gone: reap it
            else
                out.append(pid);
        }
    }
    return out;
}

// Waits for the orphaned simulators to go; those still there after the wait are killed and returned.
QList<pid_t> simulatorsLeftBehind() {
    QList<pid_t> left;
    waitUntil(
        [&left] {
            left = orphanSimulators();
            return left.isEmpty();
        },
        5000, 20);
    for (const pid_t pid : std::as_const(left)) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }
    return left;
}

QString integrity(const QString &db) {
    return Database(db).value("PRAGMA integrity_check").toString();
}

qint64 runOfPid(const Database &db, qint64 pid) {
    const QVariant v = db.value("SELECT id FROM runs WHERE writer_pid = ? ORDER BY id DESC LIMIT 1", {pid});
    return v.isValid() ? v.toLongLong() : 0;
}

QSet<qint64> recordedSequence(const Database &db, qint64 runId) {
    QSet<qint64> seqs;
    for (const QString &r :
         db.strings("SELECT CAST(response AS TEXT) FROM step_results WHERE run_id = ?", {runId})) {
        if (r.startsWith(u"SEQ "))
            seqs.insert(r.section(u' ', 1, 1).toLongLong());
    }
    return seqs;
}

void write(const QString &path, const QString &text) {
    QFile f(path);
    BOOST_REQUIRE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text.toUtf8());
}

} // namespace

BOOST_TEST_GLOBAL_FIXTURE(Setup);

BOOST_AUTO_TEST_CASE(sigkill_at_any_moment_keeps_every_result_older_than_200_ms) {
    Workspace ws;
    SeqDevice device;
    write(ws.path("fixture.yaml"), fixtureYaml(device.port(), true));
    write(ws.path("soak.yaml"), scenarioYaml(300, 5, true));
    const QString walPath = ws.db() + QStringLiteral("-wal");

    const quint64 seed = qEnvironmentVariableIsSet("HIL_CRASH_SEED")
                             ? qEnvironmentVariable("HIL_CRASH_SEED").toULongLong()
                             : 20240611ULL;
    BOOST_TEST_MESSAGE("kill schedule seed " << seed << " (set HIL_CRASH_SEED to replay another)");
    std::mt19937_64 rng(seed);
    const auto uniform = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };

    enum Moment { Connect, Setup, Steps, AfterCommit, Teardown };
    const char *const names[] = {"connect", "setup", "steps", "after-commit", "teardown"};
    const Moment plan[] = {Connect,     Setup,       Steps, AfterCommit, Teardown, Steps,
                           AfterCommit, Connect,     Steps, AfterCommit, Setup,    Teardown,
                           Steps,       AfterCommit, Steps, Teardown};
    struct Killed {
        qint64 pid;
        qint64 runId;
    };
    QList<Killed> killed;
    qint64 worstUnrecordedAgeNs = 0;
    int kills = 0;

    for (const Moment moment : plan) {
        device.reset();
        qint64 killNs = 0;
        std::unique_ptr<Child> hil;
        QTimer walWatch;
        walWatch.setTimerType(Qt::PreciseTimer);
        const auto killNow = [&] {
            if (killNs || !hil || !hil->running())
                return;
            killNs = hil::monotonicNs();
            ::kill(static_cast<pid_t>(hil->pid()), SIGKILL);
            walWatch.stop();
        };
        const auto killIn = [&](int ms) {
            if (ms == 0)
                killNow();
            else
                QTimer::singleShot(ms, Qt::PreciseTimer, &device, killNow);
        };
        const int at = uniform(1, 250), delay = uniform(0, 8);
        device.onRequest = [&](const QByteArray &request, int count) {
            if (moment == Setup && request == "IDN?")
                killIn(uniform(0, 15));
            else if (moment == Steps && request == "READ?" && count == at)
                killIn(delay);
            else if (moment == Teardown && request == "BYE?" && count == std::min(at, 15))
                killIn(delay);
            else if (moment == AfterCommit && request == "READ?" && count == at) {
                // Kill the moment the WAL grows: just after a commit reached the file.
                // Size and mtime: after a checkpoint SQLite rewrites the WAL from its start without
                // growing it, so a commit shows in the mtime only.
                const auto signature = [walPath] {
                    struct stat st {};
                    if (::stat(walPath.toLocal8Bit().constData(), &st) != 0)
                        return std::tuple<qint64, qint64, qint64>{-1, 0, 0};
                    return std::tuple<qint64, qint64, qint64>{st.st_size, st.st_mtim.tv_sec,
                                                              st.st_mtim.tv_nsec};
                };
                const auto size = signature();
                QObject::disconnect(&walWatch, nullptr, nullptr, nullptr);
                QObject::connect(&walWatch, &QTimer::timeout, &device, [&, size, signature] {
                    if (signature() != size)
                        killNow();
                });
                walWatch.start(1);
            }
        };
        hil = std::make_unique<Child>(hilPath(), QStringList{QStringLiteral("run"), ws.path("soak.yaml"),
                                                             QStringLiteral("--fixture"),
                                                             ws.path("fixture.yaml"), QStringLiteral("--db"),
                                                             ws.db(), QStringLiteral("--quiet")});
        const qint64 pid = hil->pid();
        if (moment == Connect)
            killIn(uniform(1, 300));
        BOOST_REQUIRE(hil->waitFinished(20000));
        device.onRequest = nullptr;
        walWatch.stop();
        BOOST_TEST_INFO("kill " << kills << " at " << names[moment] << ", hil pid " << pid);
        if (!killNs) {
            BOOST_TEST_MESSAGE("the run ended before its kill (" << names[moment]
                                                                 << "): " << str(hil->stderrText()));
            continue;
        }
        ++kills;
        BOOST_TEST(simulatorsLeftBehind().isEmpty(), "a hil-sim outlived the killed hil");
        if (!QFileInfo::exists(ws.db())) {
            // Killed before it created the database: then no answer can have been sent yet.
            BOOST_TEST(device.sentAt.isEmpty());
            continue;
        }
        BOOST_TEST(str(integrity(ws.db())) == "ok");

        const Database db(ws.db());
        const qint64 runId = runOfPid(db, pid);
        const QSet<qint64> recorded = runId ? recordedSequence(db, runId) : QSet<qint64>();
        int mustHave = 0;
        for (auto it = device.sentAt.cbegin(); it != device.sentAt.cend(); ++it) {
            const qint64 age = killNs - it.value();
            if (recorded.contains(it.key()))
                continue;
            worstUnrecordedAgeNs = std::max(worstUnrecordedAgeNs, age);
            if (age > 200'000'000) {
                ++mustHave;
                BOOST_TEST_MESSAGE("answer SEQ " << it.key() << " sent " << age / 1'000'000
                                                 << " ms before the kill is not in the database");
            }
        }
        BOOST_TEST(mustHave == 0);
        BOOST_TEST_MESSAGE("kill " << kills << " at " << names[moment] << ": " << device.sentAt.size()
                                   << " answers sent, " << recorded.size() << " recorded, run " << runId);
        if (!runId)
            continue;
        killed.append({pid, runId});
        // Readers show the run as interrupted at once, before any writer has touched it.
        const HilResult runs =
            runHil({QStringLiteral("runs"), QStringLiteral("--db"), ws.db()}, ws.dir.path());
        BOOST_TEST(runs.exitCode == 0);
        BOOST_TEST(
            runs.out.contains(QStringLiteral("interrupted: the recording process (pid %1 on %2) stopped "
                                             "without closing the run")
                                  .arg(pid)
                                  .arg(QSysInfo::machineHostName())),
            str(runs.out));
        BOOST_TEST(str(db.value("SELECT verdict FROM runs WHERE id = ?", {runId})) == "RUNNING",
                   "a reader wrote");
    }
    BOOST_TEST(kills >= 15);
    BOOST_TEST_MESSAGE(
        "oldest answer missing from the database at a kill: " << worstUnrecordedAgeNs / 1'000'000 << " ms");

    // The next writer closes every interrupted run, with the truth about it.
    QString error;
    BOOST_REQUIRE(hil::Recorder::open(ws.db(), &error) != nullptr);
    const Database db(ws.db());
    for (const Killed &k : std::as_const(killed)) {
        const auto row =
            db.rows("SELECT verdict, reason, ended_at_ns IS NOT NULL FROM runs WHERE id = ?", {k.runId});
        BOOST_REQUIRE(row && row->size() == 1);
        const qint64 steps = db.count("SELECT count(*) FROM step_results WHERE run_id = ?", {k.runId});
        BOOST_TEST(str(row->first()[0]) == "ERROR");
        const QString reason = row->first()[1].toString();
        BOOST_TEST(
            reason.startsWith(QStringLiteral("interrupted: the recording process (pid %1 on ").arg(k.pid)),
            str(reason));
        BOOST_TEST(reason.endsWith(QStringLiteral("; %1 step results recorded").arg(steps)), str(reason));
        BOOST_TEST(row->first()[2].toLongLong() == 1);
    }
}

BOOST_AUTO_TEST_CASE(a_run_being_recorded_is_not_shown_as_interrupted) {
    Workspace ws;
    SeqDevice device;
    write(ws.path("fixture.yaml"), fixtureYaml(device.port(), false));
    write(ws.path("soak.yaml"), scenarioYaml(400, 5, false));
    Child hil(hilPath(),
              {QStringLiteral("run"), ws.path("soak.yaml"), QStringLiteral("--fixture"),
               ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")});
    BOOST_REQUIRE(
        waitUntil([&] { return countNow(ws.db(), "SELECT count(*) FROM step_results") >= 20; }, 20000, 10));
    const HilResult runs = runHil({QStringLiteral("runs"), QStringLiteral("--db"), ws.db()}, ws.dir.path());
    BOOST_TEST(runs.out.contains(QStringLiteral("RUNNING ")), str(runs.out));
    BOOST_TEST(!runs.out.contains(QStringLiteral("interrupted")));
    BOOST_TEST(!runs.out.contains(QStringLiteral("RUNNING?")));
    QString error;
    const auto rows = hil::listRuns(ws.db(), &error);
    BOOST_REQUIRE(rows && rows->size() == 1);
    BOOST_TEST(rows->first().live);
    BOOST_TEST(!rows->first().interrupted);
    const auto query = hil::RunQuery::open(ws.db(), &error);
    BOOST_REQUIRE(query);
    const auto header = query->header(rows->first().id, &error);
    BOOST_REQUIRE(header);
    BOOST_TEST(header->live);
    BOOST_TEST(header->unfinished());
    BOOST_TEST(hil.waitFinished(30000));
    BOOST_TEST(hil.process().exitCode() == 0);
}

BOOST_AUTO_TEST_CASE(a_database_locked_before_the_run_stops_it_before_anything_runs) {
    Workspace ws;
    SeqDevice device;
    write(ws.path("fixture.yaml"), fixtureYaml(device.port(), false));
    write(ws.path("soak.yaml"), scenarioYaml(10, 5, false));
    QString error;
    BOOST_REQUIRE(hil::Recorder::open(ws.db(), &error) != nullptr); // creates the schema
    sqlite3 *other = nullptr;
    BOOST_REQUIRE(sqlite3_open(ws.db().toUtf8().constData(), &other) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
    const HilResult r = runHil({QStringLiteral("run"), ws.path("soak.yaml"), QStringLiteral("--fixture"),
                                ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db()},
                               ws.dir.path());
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    BOOST_TEST(r.finished);
    BOOST_TEST(r.exitCode == 3);
    BOOST_TEST(r.err.contains(ws.db()), str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("another program holds a lock on the database")), str(r.err));
    BOOST_TEST(device.connections == 0);
    BOOST_TEST(Database(ws.db()).count("SELECT count(*) FROM runs") == 0);
}

BOOST_AUTO_TEST_CASE(a_database_locked_during_the_run_stops_it_cleanly_as_error) {
    Workspace ws;
    SeqDevice device;
    write(ws.path("fixture.yaml"), fixtureYaml(device.port(), false));
    write(ws.path("soak.yaml"), scenarioYaml(6000, 5, false));
    Child hil(hilPath(),
              {QStringLiteral("run"), ws.path("soak.yaml"), QStringLiteral("--fixture"),
               ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")});
    BOOST_REQUIRE(
        waitUntil([&] { return countNow(ws.db(), "SELECT count(*) FROM step_results") >= 50; }, 20000, 10));
    // Another program takes the write lock and keeps it for longer than the busy timeout (5 s).
    sqlite3 *other = nullptr;
    BOOST_REQUIRE(sqlite3_open(ws.db().toUtf8().constData(), &other) == SQLITE_OK);
    sqlite3_busy_timeout(other, 5000);
    BOOST_REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
    const qint64 committed = [&] {
        sqlite3_stmt *s = nullptr;
        sqlite3_prepare_v2(other, "SELECT count(*) FROM step_results", -1, &s, nullptr);
        sqlite3_step(s);
        const qint64 n = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        return n;
    }();
    QTimer::singleShot(7000, &device, [&] {
        sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(other);
        other = nullptr;
    });
    BOOST_REQUIRE(hil.waitFinished(30000));
    BOOST_TEST(waitUntil([&] { return other == nullptr; }, 10000));
    const QString err = hil.stderrText();
    BOOST_TEST(hil.process().exitStatus() == QProcess::NormalExit);
    BOOST_TEST(hil.process().exitCode() == 3, str(err));
    BOOST_TEST(err.contains(ws.db()), str(err));
    BOOST_TEST(err.contains(QStringLiteral("another program holds a lock on the database")), str(err));
    BOOST_TEST(err.contains(QStringLiteral("step results could not be recorded")), str(err));
    BOOST_TEST(str(integrity(ws.db())) == "ok");
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM step_results") >= committed);
    // The run's end was written once the lock went away (close() tries again, within the busy timeout).
    const auto row = db.rows("SELECT verdict, reason FROM runs");
    BOOST_REQUIRE(row && row->size() == 1);
    BOOST_TEST(str(row->first()[0]) == "ERROR");
    BOOST_TEST(row->first()[1].toString().contains(QStringLiteral("another program holds a lock")),
               str(row->first()[1]));
}

BOOST_AUTO_TEST_CASE(a_full_disk_stops_the_run_cleanly_as_error) {
    Workspace ws;
    SeqDevice device;
    device.padding = " " + QByteArray(2000, 'x');
    write(ws.path("fixture.yaml"), fixtureYaml(device.port(), false));
    write(ws.path("soak.yaml"), scenarioYaml(20000, 2, false));
    // A real small filesystem when this process may mount one; otherwise a file size limit (ulimit -f).
    const QString mountPoint = ws.path("small");
    QDir().mkpath(mountPoint);
    const bool mounted =
        ::geteuid() == 0 && ::mount("tmpfs", mountPoint.toUtf8().constData(), "tmpfs", 0, "size=1m") == 0;
    BOOST_TEST_MESSAGE("full disk through " << (mounted ? "a 1 MiB tmpfs" : "ulimit -f 1024"));
    const QString dbPath = mountPoint + QStringLiteral("/results.db");
    const QStringList args{QStringLiteral("run"),
                           ws.path("soak.yaml"),
                           QStringLiteral("--fixture"),
                           ws.path("fixture.yaml"),
                           QStringLiteral("--db"),
                           dbPath,
                           QStringLiteral("--record-exchanges"),
                           QStringLiteral("--quiet")};
    std::unique_ptr<Child> hil;
    if (mounted)
        hil = std::make_unique<Child>(hilPath(), args);
    else
        hil = std::make_unique<Child>(
            QStringLiteral("/bin/sh"),
            QStringList{QStringLiteral("-c"),
                        QStringLiteral("ulimit -f 1024; trap '' XFSZ; exec \"$0\" \"$@\""), hilPath()}
                + args);
    BOOST_REQUIRE(hil->waitFinished(60000));
    const QString err = hil->stderrText();
    BOOST_TEST(hil->process().exitStatus() == QProcess::NormalExit);
    BOOST_TEST(hil->process().exitCode() == 3, str(err));
    BOOST_TEST(err.contains(dbPath), str(err));
    BOOST_TEST((err.contains(QStringLiteral("is full")) || err.contains(QStringLiteral("largest file size"))),
               str(err));
    BOOST_TEST(err.contains(QStringLiteral("step results could not be recorded")), str(err));
    BOOST_TEST(str(integrity(dbPath)) == "ok");
    BOOST_TEST(Database(dbPath).count("SELECT count(*) FROM step_results") > 0);
    if (mounted)
        ::umount2(mountPoint.toUtf8().constData(), MNT_DETACH);
}

BOOST_AUTO_TEST_CASE(a_read_only_database_is_refused_before_the_run) {
    Workspace ws;
    SeqDevice device;
    write(ws.path("fixture.yaml"), fixtureYaml(device.port(), false));
    write(ws.path("soak.yaml"), scenarioYaml(10, 5, false));
    QString error;
    BOOST_REQUIRE(hil::Recorder::open(ws.db(), &error) != nullptr);
    // Root may write any file: run hil as nobody then, in a folder and database nobody may only read.
    ::chmod(ws.dir.path().toUtf8().constData(), 0755);
    for (const char *f : {"fixture.yaml", "soak.yaml", "results.db"})
        ::chmod(ws.path(f).toUtf8().constData(), 0644);
    const bool root = ::geteuid() == 0;
    if (!root)
        ::chmod(ws.db().toUtf8().constData(), 0444);
    const QStringList args{QStringLiteral("run"),   ws.path("soak.yaml"),   QStringLiteral("--fixture"),
                           ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db()};
    const HilResult r =
        root ? runHil(QStringList{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                  QStringLiteral("--clear-groups"), hilPath()}
                          + args,
                      ws.dir.path(), QProcessEnvironment::systemEnvironment(), 60000,
                      QStringLiteral("setpriv"))
             : runHil(args, ws.dir.path());
    BOOST_TEST(r.finished);
    BOOST_TEST(r.exitCode == 3, str(r.err));
    BOOST_TEST(r.err.contains(ws.db()), str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("read-only")), str(r.err));
    BOOST_TEST(!r.err.contains(QStringLiteral("not an error")), str(r.err));
    BOOST_TEST(device.connections == 0);
    BOOST_TEST(Database(ws.db()).count("SELECT count(*) FROM runs") == 0);
}

namespace {

QByteArray fileHash(const QString &path) {
    QFile f(path);
    BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

QStringList hilArgs(const Workspace &ws, const QString &db) {
    return {QStringLiteral("run"),    ws.path("soak.yaml"),   QStringLiteral("--fixture"),
            ws.path("fixture.yaml"),  QStringLiteral("--db"), db,
            QStringLiteral("--quiet")};
}

} // namespace

// rm of the database (and its -wal and -shm) under a running run: SQLite would go on writing into the
// unlinked files and the run would PASS with nothing on disk. The writer notices at its next commit: the
// run ends as ERROR, exit 3, and says what happened to which file.
BOOST_AUTO_TEST_CASE(a_database_deleted_during_the_run_ends_it_as_error) {
    Workspace ws;
    SeqDevice device;
    write(ws.path("fixture.yaml"), fixtureYaml(device.port(), false));
    write(ws.path("soak.yaml"), scenarioYaml(6000, 5, false));
    Child hil(hilPath(), hilArgs(ws, ws.db()));
    BOOST_REQUIRE(
        waitUntil([&] { return countNow(ws.db(), "SELECT count(*) FROM step_results") >= 50; }, 20000, 10));
    for (const char *suffix : {"", "-wal", "-shm"})
        QFile::remove(ws.db() + QString::fromLatin1(suffix));
    BOOST_REQUIRE(hil.waitFinished(30000));
    const QString err = hil.stderrText();
    BOOST_TEST(hil.process().exitStatus() == QProcess::NormalExit);
    BOOST_TEST(hil.process().exitCode() == 3, str(err));
    BOOST_TEST(
        err.contains(QStringLiteral("database %1 was deleted or replaced during the run").arg(ws.db())),
        str(err));
    BOOST_TEST(err.contains(QStringLiteral("step results could not be recorded")), str(err));
    // The run stopped there: far fewer requests than the 6000 steps of the scenario.
    BOOST_TEST(device.requests.value("READ?") < 6000);
}

// PRAGMA quick_check before anything runs: a damaged database is refused with exit 3, the device is
// never contacted and the file is left as it was.
BOOST_AUTO_TEST_CASE(a_damaged_database_is_refused_before_the_run) {
    Workspace ws;
    SeqDevice device;
    write(ws.path("fixture.yaml"), fixtureYaml(device.port(), false));
    write(ws.path("soak.yaml"), scenarioYaml(1000, 1, false));
    const HilResult first = runHil(hilArgs(ws, ws.db()), ws.dir.path());
    BOOST_REQUIRE(first.exitCode == 0);
    {
        QFile f(ws.db());
        BOOST_REQUIRE(f.open(QIODevice::ReadWrite));
        const QByteArray header = f.read(100);
        const int pageSize =
            (static_cast<unsigned char>(header[16]) << 8) | static_cast<unsigned char>(header[17]);
        const qint64 pages = f.size() / pageSize;
        BOOST_REQUIRE(pages > 8);
        f.seek(qint64(pageSize) * (pages / 2));
        f.write(QByteArray(pageSize * 4, '\0'));
    }
    const QByteArray before = fileHash(ws.db());
    device.reset();
    const HilResult r = runHil(hilArgs(ws, ws.db()), ws.dir.path());
    BOOST_TEST(r.finished);
    BOOST_TEST(r.exitCode == 3, str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("database %1 is damaged: ").arg(ws.db())), str(r.err));
    BOOST_TEST(device.connections == 0);
    BOOST_TEST(fileHash(ws.db()) == before);
}

// An archived database in a folder nobody may write, read by another user: SQLite cannot create the
// -shm file a WAL database is read through, so the file alone is read (immutable). `hil runs` and
// `hil report` work; a file that user may not read is named with the cause, not "no such database".
BOOST_AUTO_TEST_CASE(an_archive_in_a_read_only_folder_is_read_by_another_user) {
    Workspace ws;
    SeqDevice device;
    write(ws.path("fixture.yaml"), fixtureYaml(device.port(), false));
    write(ws.path("soak.yaml"), scenarioYaml(20, 5, false));
    const QString archive = ws.path("archive");
    const QString out = ws.path("out");
    QDir().mkpath(archive);
    QDir().mkpath(out);
    const QString db = archive + QStringLiteral("/nightly.db");
    BOOST_REQUIRE(runHil(hilArgs(ws, db), ws.dir.path()).exitCode == 0);
    BOOST_REQUIRE(!QFileInfo::exists(db + QStringLiteral("-wal")));
    const QString locked = archive + QStringLiteral("/private.db");
    BOOST_REQUIRE(QFile::copy(db, locked));
    ::chmod(ws.dir.path().toUtf8().constData(), 0755);
    ::chmod(out.toUtf8().constData(), 0777);
    ::chmod(db.toUtf8().constData(), 0644);
    ::chmod(locked.toUtf8().constData(), 0600);
    ::chmod(archive.toUtf8().constData(), 0555);
    // Root may write anywhere: read as nobody then. As another user, this user's own read-only folder
    // shows the same thing (the -shm cannot be created).
    const bool root = ::geteuid() == 0;
    BOOST_TEST_MESSAGE("reading as " << (root ? "nobody (setpriv)" : "this user"));
    const auto asReader = [&](const QStringList &args) {
        return root ? runHil(QStringList{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                                         QStringLiteral("--clear-groups"), hilPath()}
                                 + args,
                             ws.dir.path(), QProcessEnvironment::systemEnvironment(), 60000,
                             QStringLiteral("setpriv"))
                    : runHil(args, ws.dir.path());
    };
    const HilResult runs = asReader({QStringLiteral("runs"), QStringLiteral("--db"), db});
    BOOST_TEST(runs.exitCode == 0, str(runs.err));
    BOOST_TEST(runs.out.contains(QStringLiteral("PASS")), str(runs.out));
    BOOST_TEST(runs.out.contains(QStringLiteral("crash-soak")), str(runs.out));
    const QString json = out + QStringLiteral("/summary.json");
    const HilResult report = asReader({QStringLiteral("report"), QStringLiteral("--db"), db,
                                       QStringLiteral("--json"), json, QStringLiteral("--quiet")});
    BOOST_TEST(report.exitCode == 0, str(report.err));
    QFile summary(json);
    BOOST_REQUIRE(summary.open(QIODevice::ReadOnly));
    const QByteArray text = summary.readAll();
    BOOST_TEST(text.contains("\"PASS\""), text.toStdString());
    // The archive as a source of a merge, read the same way.
    const QString fleet = out + QStringLiteral("/fleet.db");
    const HilResult merge = asReader({QStringLiteral("merge"), QStringLiteral("--into"), fleet, db});
    BOOST_TEST(merge.exitCode == 0, str(merge.err));
    BOOST_TEST(Database(fleet).count("SELECT count(*) FROM runs") == 1);
    BOOST_TEST(!QFileInfo::exists(db + QStringLiteral("-shm")));
    if (root) {
        const HilResult denied = asReader({QStringLiteral("runs"), QStringLiteral("--db"), locked});
        BOOST_TEST(denied.exitCode == 2);
        BOOST_TEST(denied.err.contains(QStringLiteral("cannot read %1").arg(locked)), str(denied.err));
        BOOST_TEST(!denied.err.contains(QStringLiteral("no such database")), str(denied.err));
    }
    ::chmod(archive.toUtf8().constData(), 0755); // so that the workspace can be removed
}

// `hil merge --into` a database a run is recording into would hold its write lock for whole runs: it is
// refused (exit 3, with the run it found), and the run, on a bench with a simulator, ends PASS with every
// result recorded.
BOOST_AUTO_TEST_CASE(merging_into_a_database_being_recorded_is_refused_and_the_run_keeps_every_result) {
    Workspace ws;
    SeqDevice device;
    write(ws.path("fixture.yaml"), fixtureYaml(device.port(), true));
    write(ws.path("soak.yaml"), scenarioYaml(20, 5, true));
    const QString source = ws.path("bench-b.db");
    BOOST_REQUIRE(runHil(hilArgs(ws, source), ws.dir.path()).exitCode == 0);
    const int steps = 1500;
    write(ws.path("soak.yaml"), scenarioYaml(steps, 5, true));
    Child hil(hilPath(), hilArgs(ws, ws.db()));
    BOOST_REQUIRE(
        waitUntil([&] { return countNow(ws.db(), "SELECT count(*) FROM step_results") >= 50; }, 20000, 10));
    const HilResult merge =
        runHil({QStringLiteral("merge"), QStringLiteral("--into"), ws.db(), source}, ws.dir.path());
    BOOST_TEST(merge.exitCode == 3, str(merge.err));
    BOOST_TEST(merge.err.contains(
                   QStringLiteral("%1 is being recorded to (run 1, pid %2 on ").arg(ws.db()).arg(hil.pid())),
               str(merge.err));
    BOOST_TEST(hil.running(), "the merge ended before the run");
    BOOST_REQUIRE(hil.waitFinished(60000));
    BOOST_TEST(hil.process().exitCode() == 0, str(hil.stderrText()));
    const Database db(ws.db());
    const auto row = db.rows("SELECT verdict, n_pass + n_fail + n_error + n_abort FROM runs");
    BOOST_REQUIRE(row && row->size() == 1);
    BOOST_TEST(str(row->first()[0]) == "PASS");
    const qint64 expected = 2 + steps + 20; // setup (two devices), steps, teardown
    BOOST_TEST(row->first()[1].toLongLong() == expected);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results") == expected);
    // Merging after the run has ended goes through.
    const HilResult after =
        runHil({QStringLiteral("merge"), QStringLiteral("--into"), ws.db(), source}, ws.dir.path());
    BOOST_TEST(after.exitCode == 0, str(after.err));
    BOOST_TEST(Database(ws.db()).count("SELECT count(*) FROM runs") == 2);
}
