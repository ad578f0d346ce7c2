#define BOOST_TEST_MODULE cli
#include <QByteArray>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <poll.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

const char *const kHil = HIL_BIN_DIR "/hil";
const QString kFixture = QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml");
const QString kScenario = QStringLiteral(HIL_TEST_DATA_DIR "/cli/progress.yaml");

struct Result {
    int exitCode = -1;
    QByteArray output;
};

// Runs hil with its stdout and stderr on a real terminal (the slave side of a PTY), as a person at a
// bench would, and collects everything it printed until it exits.
Result runOnTerminal(const QStringList &args, QByteArray waitFor = {}, const QByteArray &type = {}) {
    int master = -1;
    winsize ws{};
    ws.ws_col = 160;
    ws.ws_row = 40;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        std::vector<QByteArray> storage{QByteArray(kHil)};
        for (const QString &a : args)
            storage.push_back(a.toLocal8Bit());
        std::vector<char *> argv;
        for (QByteArray &s : storage)
            argv.push_back(s.data());
        argv.push_back(nullptr);
        ::execv(kHil, argv.data());
        ::_exit(127);
    }
    Result r;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
        pollfd p{master, POLLIN, 0};
        const int left = static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
                .count());
        if (left <= 0 || ::poll(&p, 1, left) <= 0)
            break;
        char buf[4096];
        const ssize_t n = ::read(master, buf, sizeof buf);
        if (n <= 0)
            break; // EIO: the child closed the terminal
        r.output.append(buf, n);
        if (!waitFor.isEmpty() && r.output.contains(waitFor) && !type.isEmpty()) {
            BOOST_REQUIRE(::write(master, type.constData(), static_cast<size_t>(type.size())) == type.size());
            r.output.append("<typed>");
            waitFor.clear();
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(master);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_terminal_gets_a_live_progress_line_and_a_summary) {
    QTemporaryDir dir;
    const Result r = runOnTerminal({QStringLiteral("run"), kScenario, QStringLiteral("--fixture"), kFixture,
                                    QStringLiteral("--db"), dir.filePath(QStringLiteral("p.db"))});
    BOOST_TEST(r.exitCode == 0, r.output.toStdString());
    // Redrawn in place: carriage return and erase-line, several times, with the counters.
    BOOST_TEST(r.output.count("\r\033[K") >= 4, r.output.toStdString());
    BOOST_TEST(r.output.contains("iter "));
    BOOST_TEST(r.output.contains(" pass "));
    BOOST_TEST(r.output.contains(" fail 0"));
    BOOST_TEST(r.output.contains(" error 0"));
    BOOST_TEST(r.output.contains("ETA "), "a timed loop shows its ETA");
    BOOST_TEST(r.output.contains("PASS  progress"), "one-line summary at the end");
}

BOOST_AUTO_TEST_CASE(a_pipe_gets_no_progress_line) {
    QTemporaryDir dir;
    QProcess hil;
    hil.start(QString::fromLocal8Bit(kHil),
              {QStringLiteral("run"), kScenario, QStringLiteral("--fixture"), kFixture,
               QStringLiteral("--db"), dir.filePath(QStringLiteral("p.db"))});
    BOOST_REQUIRE(hil.waitForFinished(60000));
    const QByteArray out = hil.readAllStandardOutput();
    BOOST_TEST(hil.exitCode() == 0);
    BOOST_TEST(!out.contains('\r'), out.toStdString());
    BOOST_TEST(out.startsWith("PASS  progress"), out.toStdString());
    BOOST_TEST(out.contains("database: "));
}

BOOST_AUTO_TEST_CASE(usage_errors_exit_2) {
    for (const QStringList &args : {QStringList{}, QStringList{QStringLiteral("frobnicate")},
                                    QStringList{QStringLiteral("run"), kScenario},
                                    QStringList{QStringLiteral("run"), kScenario, QStringLiteral("--fixture"),
                                                kFixture, QStringLiteral("--seed"), QStringLiteral("-3")},
                                    QStringList{QStringLiteral("runs")}}) {
        QProcess hil;
        hil.start(QString::fromLocal8Bit(kHil), args);
        BOOST_REQUIRE(hil.waitForFinished(30000));
        BOOST_TEST(hil.exitCode() == 2, args.join(u' ').toStdString());
        BOOST_TEST(!hil.readAllStandardError().isEmpty());
    }
}

// An unset shell variable (`--db "$DB"`) or an in-memory database would record nothing: refused as bad
// input before anything runs, never a PASS with no results on disk.
BOOST_AUTO_TEST_CASE(a_database_that_keeps_nothing_is_refused_before_the_run) {
    QTemporaryDir dir;
    for (const QString &db :
         {QString(), QStringLiteral("  "), QStringLiteral(":memory:"),
          QStringLiteral("file::memory:?cache=shared"), QStringLiteral("file:x.db?mode=memory")}) {
        QProcess hil;
        hil.setWorkingDirectory(dir.path());
        hil.start(QString::fromLocal8Bit(kHil),
                  {QStringLiteral("run"), kScenario, QStringLiteral("--fixture"), kFixture,
                   QStringLiteral("--db"), db});
        BOOST_REQUIRE(hil.waitForFinished(30000));
        const QByteArray err = hil.readAllStandardError();
        BOOST_TEST(hil.exitCode() == 2, "--db '" << db.toStdString() << "': " << err.toStdString());
        BOOST_TEST(err.contains("would not be kept"), err.toStdString());
        BOOST_TEST(hil.readAllStandardOutput().isEmpty());
    }
    BOOST_TEST(QDir(dir.path()).entryList(QDir::Files).isEmpty(), "nothing written");
}

// A directory, a FIFO or a device as --db, or a file in a folder that does not exist: bad input, refused
// with the path and what it is before anything runs (no simulator, no output, nothing created).
BOOST_AUTO_TEST_CASE(a_database_path_that_is_not_a_file_is_bad_input) {
    QTemporaryDir dir;
    const QString fifo = dir.filePath(QStringLiteral("fifo.db"));
    BOOST_REQUIRE(::mkfifo(fifo.toUtf8().constData(), 0600) == 0);
    const std::pair<QString, QByteArray> cases[] = {
        {dir.path(), "is a directory"},
        {fifo, "is a named pipe"},
        {QStringLiteral("/dev/null"), "is a device"},
        {dir.filePath(QStringLiteral("missing/results.db")), "does not exist"},
    };
    for (const auto &[db, what] : cases) {
        QProcess hil;
        hil.setWorkingDirectory(dir.path());
        hil.start(QString::fromLocal8Bit(kHil),
                  {QStringLiteral("run"), kScenario, QStringLiteral("--fixture"), kFixture,
                   QStringLiteral("--db"), db});
        BOOST_REQUIRE(hil.waitForFinished(30000));
        const QByteArray err = hil.readAllStandardError();
        BOOST_TEST(hil.exitCode() == 2, "--db '" << db.toStdString() << "': " << err.toStdString());
        BOOST_TEST(err.contains(db.toUtf8()), err.toStdString());
        BOOST_TEST(err.contains(what), err.toStdString());
        BOOST_TEST(hil.readAllStandardOutput().isEmpty());
    }
    BOOST_TEST(QDir(dir.path()).entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)
                   == QStringList{QStringLiteral("fifo.db")},
               "nothing created");
}

// A reader that goes away (`hil run ... | true`, `| head`) costs neither the run nor its reports: the exit
// code is the verdict's, not 141 (SIGPIPE), and the reports are on disk.
BOOST_AUTO_TEST_CASE(a_closed_stdout_does_not_stop_a_run_or_its_reports) {
    QTemporaryDir dir;
    QProcess sh;
    sh.setWorkingDirectory(dir.path());
    sh.start(
        QStringLiteral("/bin/bash"),
        {QStringLiteral("-o"), QStringLiteral("pipefail"), QStringLiteral("-c"),
         QStringLiteral("\"$0\" run \"$1\" --fixture \"$2\" --db r.db --json s.json --junit j.xml | true"),
         QString::fromLocal8Bit(kHil), kScenario, kFixture});
    BOOST_REQUIRE(sh.waitForFinished(60000));
    BOOST_TEST(sh.exitCode() == 0, sh.readAllStandardError().toStdString());
    BOOST_TEST(QFileInfo(dir.filePath(QStringLiteral("s.json"))).size() > 0);
    BOOST_TEST(QFileInfo(dir.filePath(QStringLiteral("j.xml"))).size() > 0);
    BOOST_TEST(QFileInfo(dir.filePath(QStringLiteral("r.db"))).size() > 0);
}

// A scenario that could only pass (no steps, or none that checks anything) is bad input: refused with
// file:line:col before the database or a simulator exists.
BOOST_AUTO_TEST_CASE(a_scenario_that_checks_nothing_is_refused) {
    QTemporaryDir dir;
    QFile scenario(dir.filePath(QStringLiteral("empty.yaml")));
    BOOST_REQUIRE(scenario.open(QIODevice::WriteOnly));
    scenario.write("name: empty\ndevices: [sensor]\nsteps: []\n");
    scenario.close();
    QProcess hil;
    hil.setWorkingDirectory(dir.path());
    hil.start(QString::fromLocal8Bit(kHil),
              {QStringLiteral("run"), scenario.fileName(), QStringLiteral("--fixture"), kFixture,
               QStringLiteral("--db"), QStringLiteral("r.db")});
    BOOST_REQUIRE(hil.waitForFinished(30000));
    const QByteArray err = hil.readAllStandardError();
    BOOST_TEST(hil.exitCode() == 2, err.toStdString());
    const QByteArray where = scenario.fileName().toLocal8Bit() + QByteArray(":3:8: steps is empty");
    BOOST_TEST(err.contains(where), err.toStdString());
    BOOST_TEST(!QFileInfo::exists(dir.filePath(QStringLiteral("r.db"))));
}

// --nice: the bench's scheduling priority, inherited by its simulators. A bad value is bad input before
// anything runs; a value the system refuses (raising priority without the right) is an error with the
// reason, also before anything runs; an allowed one runs as usual, at that priority.
BOOST_AUTO_TEST_CASE(nice_sets_the_bench_priority_or_says_why_not) {
    QTemporaryDir dir;
    const auto run = [&](const QStringList &extra, const QString &as = QString()) {
        QProcess hil;
        hil.setWorkingDirectory(dir.path());
        QStringList args{QStringLiteral("run"),       kScenario,
                         QStringLiteral("--fixture"), kFixture,
                         QStringLiteral("--db"),      dir.filePath(QStringLiteral("r.db"))};
        args << extra;
        if (as.isEmpty()) {
            hil.start(QString::fromLocal8Bit(kHil), args);
        } else {
            args.prepend(QString::fromLocal8Bit(kHil));
            args = QStringList{QStringLiteral("--reuid=") + as, QStringLiteral("--regid=") + as,
                               QStringLiteral("--clear-groups"), QStringLiteral("--")}
                   + args;
            hil.start(QStringLiteral("setpriv"), args);
        }
        BOOST_REQUIRE(hil.waitForFinished(60000));
        return std::make_pair(hil.exitCode(), hil.readAllStandardError());
    };
    const auto [badCode, badErr] = run({QStringLiteral("--nice"), QStringLiteral("30")});
    BOOST_TEST(badCode == 2, badErr.toStdString());
    BOOST_TEST(badErr.contains("--nice"), badErr.toStdString());
    BOOST_TEST(!QFileInfo::exists(dir.filePath(QStringLiteral("r.db"))),
               "refused before the database exists");

    {
        // An allowed value: the run goes as usual (its verdict is the device's business: a loaded machine
        // may fail a step) and the bench runs at that priority, read from /proc while it runs.
        QProcess hil;
        hil.setWorkingDirectory(dir.path());
        hil.start(QString::fromLocal8Bit(kHil),
                  {QStringLiteral("run"), kScenario, QStringLiteral("--fixture"), kFixture,
                   QStringLiteral("--db"), dir.filePath(QStringLiteral("r.db")), QStringLiteral("--nice"),
                   QStringLiteral("5")});
        BOOST_REQUIRE(hil.waitForStarted(10000));
        int seen = 0;
        while (hil.state() == QProcess::Running && seen != 5) {
            QFile stat(QStringLiteral("/proc/%1/stat").arg(hil.processId()));
            if (stat.open(QIODevice::ReadOnly)) {
                // Field 19 is the nice value; fields are counted after the ")" that ends the name.
                const QByteArray line = stat.readAll();
                const QList<QByteArray> f = line.mid(line.lastIndexOf(')') + 2).split(' ');
                if (f.size() > 16)
                    seen = f[16].toInt();
            }
            hil.waitForFinished(20);
        }
        BOOST_REQUIRE(hil.waitForFinished(60000));
        const QByteArray okErr = hil.readAllStandardError();
        BOOST_TEST((hil.exitCode() == 0 || hil.exitCode() == 1), okErr.toStdString());
        BOOST_TEST(seen == 5, "nice seen in /proc: " << seen);
    }

    if (::geteuid() == 0 && !QStandardPaths::findExecutable(QStringLiteral("setpriv")).isEmpty()) {
        ::chmod(dir.path().toUtf8().constData(), 0777);
        const auto [deniedCode, deniedErr] =
            run({QStringLiteral("--nice"), QStringLiteral("-5")}, QStringLiteral("65534"));
        BOOST_TEST(deniedCode == 3, deniedErr.toStdString());
        BOOST_TEST(deniedErr.contains("CAP_SYS_NICE"), deniedErr.toStdString());
    } else {
        BOOST_TEST_MESSAGE("not root or no setpriv: the refused raise is not tried");
    }
}

namespace {

QProcess *runPromptScenario(QProcess &hil, const QString &db, const QStringList &answers) {
    QStringList args{
        QStringLiteral("run"),       QStringLiteral(HIL_SOURCE_DIR "/scenarios/operator-prompt.yaml"),
        QStringLiteral("--fixture"), kFixture,
        QStringLiteral("--db"),      db};
    for (const QString &a : answers)
        args << QStringLiteral("--answer") << a;
    hil.setStandardInputFile(QProcess::nullDevice()); // not a terminal: nobody to ask
    hil.start(QString::fromLocal8Bit(kHil), args);
    return &hil;
}

} // namespace

BOOST_AUTO_TEST_CASE(prompts_are_answered_by_answer_options) {
    QTemporaryDir dir;
    QProcess hil;
    runPromptScenario(hil, dir.filePath(QStringLiteral("p.db")),
                      {QStringLiteral("connected=yes"), QStringLiteral("dut_serial=SN0001")});
    BOOST_REQUIRE(hil.waitForFinished(60000));
    const QByteArray out = hil.readAllStandardOutput();
    BOOST_TEST(hil.exitCode() == 0, out.toStdString() + hil.readAllStandardError().toStdString());
    BOOST_TEST(out.contains("4 pass"), out.toStdString());
}

BOOST_AUTO_TEST_CASE(an_unanswered_prompt_without_a_terminal_is_an_error_naming_it) {
    QTemporaryDir dir;
    QProcess hil;
    runPromptScenario(hil, dir.filePath(QStringLiteral("p.db")), {QStringLiteral("connected=yes")});
    BOOST_REQUIRE(hil.waitForFinished(60000)); // never a hang
    const QByteArray out = hil.readAllStandardOutput();
    BOOST_TEST(hil.exitCode() == 3, out.toStdString());
    BOOST_TEST(out.contains("prompt dut_serial"), out.toStdString());
}

BOOST_AUTO_TEST_CASE(invalid_answer_options_exit_2_before_the_run) {
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("p.db"));
    for (const auto &[answer, message] :
         {std::pair{QStringLiteral("connected=maybe"), QByteArray("'maybe' is not yes or no")},
          std::pair{QStringLiteral("nope=1"), QByteArray("no prompt named 'nope'")},
          std::pair{QStringLiteral("dut_serial"), QByteArray("expected NAME=VALUE")}}) {
        QProcess hil;
        runPromptScenario(hil, db, {answer});
        BOOST_REQUIRE(hil.waitForFinished(60000));
        const QByteArray err = hil.readAllStandardError();
        BOOST_TEST(hil.exitCode() == 2, err.toStdString());
        BOOST_TEST(err.contains(message), err.toStdString());
    }
    BOOST_TEST(!QFileInfo::exists(db), "nothing ran");
}

BOOST_AUTO_TEST_CASE(a_prompt_is_answered_on_the_terminal) {
    QTemporaryDir dir;
    const Result r = runOnTerminal(
        {QStringLiteral("run"), QStringLiteral(HIL_SOURCE_DIR "/scenarios/operator-prompt.yaml"),
         QStringLiteral("--fixture"), kFixture, QStringLiteral("--db"), dir.filePath(QStringLiteral("p.db")),
         QStringLiteral("--answer"), QStringLiteral("connected=yes")},
        "[dut_serial]", "SN0001\n");
    BOOST_TEST(r.exitCode == 0, r.output.toStdString());
    BOOST_TEST(r.output.contains("<typed>"), r.output.toStdString());
    BOOST_TEST(r.output.contains("4 pass"), r.output.toStdString());
}

// Every executable answers --help and --version on a machine without a display (a headless bench, a CI
// job, a package check); the desktop app without a display says what to do instead of aborting in Qt.
BOOST_AUTO_TEST_CASE(help_and_version_need_no_display) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *var : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
        env.remove(QString::fromLatin1(var));
    const auto run = [&env](const QString &exe, const QStringList &args, QByteArray *out) {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(HIL_BIN_DIR "/") + exe, args);
        BOOST_REQUIRE(p.waitForFinished(20000));
        *out = p.readAllStandardOutput() + p.readAllStandardError();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    };
    for (const QString &exe : {QStringLiteral("hil"), QStringLiteral("hil-sim"), QStringLiteral("hil-bench"),
                               QStringLiteral("hil-benchmark")}) {
        if (!QFileInfo::exists(QStringLiteral(HIL_BIN_DIR "/") + exe))
            continue; // hil-bench and hil-benchmark are optional build targets
        QByteArray out;
        BOOST_TEST(run(exe, {QStringLiteral("--help")}, &out) == 0, exe.toStdString()
                                                                        << ": " << out.toStdString());
        BOOST_TEST(out.contains("Usage:"), exe.toStdString());
        BOOST_TEST(run(exe, {QStringLiteral("--version")}, &out) == 0, exe.toStdString()
                                                                           << ": " << out.toStdString());
        BOOST_TEST(out.contains("0."), exe.toStdString() << ": " << out.toStdString());
    }
    if (QFileInfo::exists(QStringLiteral(HIL_BIN_DIR "/hil-bench"))) {
        QByteArray out;
        BOOST_TEST(run(QStringLiteral("hil-bench"), {}, &out) == 3);
        BOOST_TEST(out.contains("no display"), out.toStdString());
    }
}
