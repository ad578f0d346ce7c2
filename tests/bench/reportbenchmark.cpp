#include "reportbenchmark.h"

#include "core/analysis/runstatistics.h"
#include "core/store/runquery.h"
#include "machineinfo.h"
#include "sqlitebulk.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>
#include <chrono>
#include <cmath>
#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char **environ;

namespace hilbench {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Deterministic pseudo-random numbers (splitmix64), so every run of the benchmark writes the same rows.
class Random {
public:
    explicit Random(quint64 seed)
        : m_state(seed) {}
    quint64 next() {
        quint64 z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double normal() {
        return std::sqrt(-2 * std::log(uniform() + 1e-300)) * std::cos(6.283185307179586 * uniform());
    }

private:
    quint64 m_state;
};

constexpr qint64 kSecond = 1'000'000'000;
constexpr qint64 kDay = 86'400 * kSecond;
constexpr int kFaults = 24; // one 60 s blackout an hour, alternating between the devices

bool generate(const QString &path, const ReportOptions &o, ReportResult *result, QString *error) {
    sqlite3 *db = openBulkDatabase(path, error);
    if (!db)
        return false;
    const auto fail = [&](const QString &what) {
        *error = QStringLiteral("%1: %2").arg(what, QString::fromUtf8(sqlite3_errmsg(db)));
        sqlite3_close_v2(db);
        return false;
    };
    // A throwaway file: no journal, no syncs, a large cache while writing.
    const qint64 period = kDay / o.steps;
    {
        Statement run(
            db,
            "INSERT INTO runs (id, uuid, scenario, scenario_path, fixture, fixture_path, station, dut_serial,"
            " firmware, host, seed, started_at_ns, ended_at_ns, duration_ns, verdict, iterations, n_pass,"
            " n_fail) VALUES (1, '0b5e55ed-0000-4000-8000-000000000001', 'soak-benchmark',"
            " 'scenarios/soak-benchmark.yaml', 'bench', 'fixtures/bench.yaml', 'bench-01', 'SN1', '2.0.0',"
            " 'bench-host', 1, 1790000000000000000, 1790086400000000000, ?, 'FAIL', ?, 0, 0)");
        sqlite3_bind_int64(run.get(), 1, kDay);
        sqlite3_bind_int64(run.get(), 2, o.steps / 2);
        if (!run.ok() || !run.run())
            return fail(QStringLiteral("inserting the run"));
    }
    Statement fault(
        db, "INSERT INTO faults (run_id, device, target, kind, direction, params, seed, start_ns, end_ns)"
            " VALUES (1, ?, 'link', 'blackout', 'both', '{for: 60s}', 1, ?, ?)");
    Statement event(
        db, "INSERT INTO events (run_id, t_ns, kind, device, detail) VALUES (1, ?, ?, ?, 'blackout')");
    if (!fault.ok() || !event.ok())
        return fail(QStringLiteral("preparing"));
    for (int f = 0; f < kFaults; ++f) {
        const qint64 start = (f * 3600 + 1800) * kSecond;
        const char *device = f % 2 == 0 ? "dut-a" : "dut-b";
        sqlite3_bind_text(fault.get(), 1, device, -1, SQLITE_STATIC);
        sqlite3_bind_int64(fault.get(), 2, start);
        sqlite3_bind_int64(fault.get(), 3, start + 60 * kSecond);
        for (int e = 0; e < 2; ++e) {
            sqlite3_bind_int64(event.get(), 1, start + e * 60 * kSecond);
            sqlite3_bind_text(event.get(), 2, e == 0 ? "fault-start" : "fault-end", -1, SQLITE_STATIC);
            sqlite3_bind_text(event.get(), 3, device, -1, SQLITE_STATIC);
            if (!event.run())
                return fail(QStringLiteral("inserting events"));
        }
        if (!fault.run())
            return fail(QStringLiteral("inserting faults"));
    }

    Statement step(
        db, "INSERT INTO step_results (id, run_id, phase, iteration, step_index, repetition, step, device,"
            " start_ns, end_ns, latency_ns, lateness_ns, verdict, marginal, message, response)"
            " VALUES (?, 1, 'steps', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)");
    Statement sample(
        db, "INSERT INTO measurements (run_id, step_result_id, name, value, unit, low, high, marginal_low,"
            " marginal_high, verdict, marginal, t_ns) VALUES (1, ?, ?, ?, 'V', 0, 60, 5, 55, ?, ?, ?)");
    if (!step.ok() || !sample.ok())
        return fail(QStringLiteral("preparing"));
    static const char *const names[2][10] = {{"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"},
                                             {"b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9"}};
    Random rng(42);
    qint64 fails = 0;
    char response[96];
    for (qint64 i = 0; i < o.steps; ++i) {
        const int k = static_cast<int>(i % 2);
        const qint64 start = i * period;
        const qint64 hourPos = start % (3600 * kSecond);
        const bool inFault =
            hourPos >= 1800 * kSecond && hourPos < 1860 * kSecond && (start / (3600 * kSecond)) % 2 == k;
        const bool timeout = inFault || rng.uniform() < 0.002;
        const qint64 latency = static_cast<qint64>(1.8e6 * std::exp(0.35 * rng.normal())
                                                   + (rng.uniform() < 0.01 ? 40e6 * rng.uniform() : 0));
        const bool pass = !timeout;
        fails += !pass;
        sqlite3_stmt *s = step.get();
        sqlite3_bind_int64(s, 1, i + 1);
        sqlite3_bind_int64(s, 2, i / 2);
        sqlite3_bind_int(s, 3, k);
        sqlite3_bind_text(s, 4, k == 0 ? "read bank A" : "read bank B", -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 5, k == 0 ? "dut-a" : "dut-b", -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 6, start);
        sqlite3_bind_int64(s, 7, start + (timeout ? 200'000'000 : latency));
        if (timeout)
            sqlite3_bind_null(s, 8);
        else
            sqlite3_bind_int64(s, 8, latency);
        sqlite3_bind_int64(s, 9, static_cast<qint64>(rng.uniform() * 200'000));
        sqlite3_bind_text(s, 10, pass ? "PASS" : "FAIL", -1, SQLITE_STATIC);
        if (pass) {
            sqlite3_bind_null(s, 11);
            const int n = std::snprintf(response, sizeof response, "BANK %c OK %.3f", k == 0 ? 'A' : 'B',
                                        20 + rng.uniform());
            sqlite3_bind_blob(s, 12, response, n, SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_text(s, 11, "no answer within 200ms", -1, SQLITE_STATIC);
            sqlite3_bind_null(s, 12);
        }
        if (!step.run())
            return fail(QStringLiteral("inserting step results"));
        if (!pass)
            continue;
        const double drift = 0.5 * std::sin(static_cast<double>(start) / (3600.0 * kSecond));
        for (int c = 0; c < o.samplesPerStep; ++c) {
            sqlite3_stmt *m = sample.get();
            const double value = 20 + 3 * (c % 10) + drift + 0.2 * rng.normal();
            sqlite3_bind_int64(m, 1, i + 1);
            sqlite3_bind_text(m, 2, names[k][c % 10], -1, SQLITE_STATIC);
            sqlite3_bind_double(m, 3, value);
            sqlite3_bind_text(m, 4, "PASS", -1, SQLITE_STATIC);
            sqlite3_bind_int(m, 5, value > 55 || value < 5);
            sqlite3_bind_int64(m, 6, start + latency);
            if (!sample.run())
                return fail(QStringLiteral("inserting samples"));
            ++result->samples;
        }
    }
    {
        Statement counts(db, "UPDATE runs SET n_pass = ?, n_fail = ? WHERE id = 1");
        sqlite3_bind_int64(counts.get(), 1, o.steps - fails);
        sqlite3_bind_int64(counts.get(), 2, fails);
        counts.run();
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail(QStringLiteral("COMMIT"));
    // Back to how the recorder leaves a file.
    sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    // _v2: the statements above are still alive here; the connection (and its large cache) goes as they do.
    sqlite3_close_v2(db);
    result->stepResults = o.steps;
    return true;
}

// Sets this process's peak RSS back to its current RSS (Linux: /proc/self/clear_refs, 5).
bool resetPeakRss() {
    QFile clear(QStringLiteral("/proc/self/clear_refs"));
    return clear.open(QIODevice::WriteOnly) && clear.write("5") == 1;
}

// Runs program with args, waits, and returns its wall time and peak RSS (wait4's ru_maxrss, KiB).
// Linux counts a spawned child's peak from the parent's peak at the time of its exec (the child starts
// in the parent's memory), so the parent's peak is reset to its (small) current RSS first: the figure is
// then the child's own peak unless that were below the parent's RSS, which the table prints beside it.
ReportTiming measureChild(const QString &what, const QString &program, const QStringList &args) {
    ReportTiming t;
    t.what = what;
    std::vector<QByteArray> storage{program.toLocal8Bit()};
    for (const QString &a : args)
        storage.push_back(a.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    resetPeakRss();
    const auto start = Clock::now();
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        t.detail = QStringLiteral("cannot start %1").arg(program);
        return t;
    }
    int status = 0;
    struct rusage usage = {};
    wait4(pid, &status, 0, &usage);
    t.seconds = since(start);
    t.peakRssKiB = usage.ru_maxrss;
    t.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!t.ok)
        t.detail = QStringLiteral("exit status %1").arg(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return t;
}

qint64 currentRssKiB() {
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

qint64 sizeOf(const QString &path) {
    QFileInfo info(path);
    if (!info.isDir())
        return info.size();
    qint64 n = 0;
    for (QDirIterator it(path, QDir::Files); it.hasNext();)
        n += QFileInfo(it.next()).size();
    return n;
}

QString megabytes(qint64 bytes) {
    return QString::number(static_cast<double>(bytes) / (1024.0 * 1024.0), 'f', 1) + QStringLiteral(" MiB");
}

} // namespace

bool runReportBenchmark(const ReportOptions &o, ReportResult *result, QString *error) {
    const QString hil = qEnvironmentVariableIsSet("HIL")
                            ? qEnvironmentVariable("HIL")
                            : QCoreApplication::applicationDirPath() + QStringLiteral("/hil");
    if (!QFileInfo(hil).isExecutable()) {
        *error = QStringLiteral("%1 is not an executable (build the hil target, or set HIL)").arg(hil);
        return false;
    }
    result->hil = hil;
    QTemporaryDir dir;
    if (!dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary directory: %1").arg(dir.errorString());
        return false;
    }
    // HIL_BENCH_REPORT_KEEP=1 keeps the database and the reports, to look at.
    dir.setAutoRemove(!qEnvironmentVariableIsSet("HIL_BENCH_REPORT_KEEP"));
    result->directory = dir.path();
    const QString db = dir.filePath(QStringLiteral("soak.db"));
    const auto generateStart = Clock::now();
    if (!generate(db, o, result, error))
        return false;
    result->generateSeconds = since(generateStart);
    result->databaseBytes = QFileInfo(db).size();
    malloc_trim(0); // give the writer's cache back, so that the figures below start from a small process

    {
        // The statistics alone, in this process: its peak RSS is reset first (Linux: clear_refs 5).
        ReportTiming t;
        t.what = QStringLiteral("statistics in-process (hil::computeRunStatistics)");
        const bool reset = resetPeakRss();
        const qint64 before = peakRssKiB();
        const auto start = Clock::now();
        QString why;
        const auto q = hil::RunQuery::open(db, &why);
        const auto stats = q ? hil::computeRunStatistics(*q, 1, {}, &why) : std::nullopt;
        t.seconds = since(start);
        t.ok = stats.has_value();
        t.peakRssKiB = peakRssKiB();
        t.detail =
            t.ok ? QStringLiteral("%1 steps, %2 measurements, exact percentiles: %3; RSS before %4 MiB%5")
                       .arg(stats->steps.size())
                       .arg(stats->measurements.size())
                       .arg(stats->latency.exact ? QStringLiteral("yes") : QStringLiteral("no"))
                       .arg(QString::number(static_cast<double>(before) / 1024.0, 'f', 1),
                            reset ? QString() : QStringLiteral(" (peak not reset: clear_refs refused)"))
                 : why;
        result->timings.push_back(t);
    }
    struct Case {
        const char *what;
        QStringList args;
        QString output;
    };
    const QString html = dir.filePath(QStringLiteral("r.html")), pdf = dir.filePath(QStringLiteral("r.pdf")),
                  json = dir.filePath(QStringLiteral("r.json")),
                  junit = dir.filePath(QStringLiteral("junit.xml")),
                  csv = dir.filePath(QStringLiteral("csv"));
    const QStringList base{QStringLiteral("report"), QStringLiteral("--db"), db, QStringLiteral("--quiet")};
    const Case cases[] = {
        {"hil report (summary on stdout)", base, QString()},
        {"hil report --json", base + QStringList{QStringLiteral("--json"), json}, json},
        {"hil report --junit", base + QStringList{QStringLiteral("--junit"), junit}, junit},
        {"hil report --html", base + QStringList{QStringLiteral("--html"), html}, html},
        {"hil report --pdf", base + QStringList{QStringLiteral("--pdf"), pdf}, pdf},
        {"hil report --html --pdf --json --junit",
         base
             + QStringList{QStringLiteral("--html"), html, QStringLiteral("--pdf"), pdf,
                           QStringLiteral("--json"), json, QStringLiteral("--junit"), junit},
         QString()},
        {"hil report --csv (every table)", base + QStringList{QStringLiteral("--csv"), csv}, csv},
    };
    malloc_trim(0);
    result->parentRssKiB = currentRssKiB();
    for (const Case &c : cases) {
        ReportTiming t = measureChild(QString::fromLatin1(c.what), hil, c.args);
        if (!t.ok) {
            *error = QStringLiteral("%1: %2").arg(t.what, t.detail);
            return false;
        }
        if (!c.output.isEmpty())
            t.detail = megabytes(sizeOf(c.output));
        result->timings.push_back(t);
    }
    return true;
}

bool printReportBenchmark(QTextStream &out, QString *error) {
    ReportOptions o;
    if (QCoreApplication::arguments().contains(QStringLiteral("--quick")))
        o.steps = 20'000;
    if (qEnvironmentVariableIsSet("HIL_BENCH_REPORT_STEPS"))
        o.steps = qEnvironmentVariableIntValue("HIL_BENCH_REPORT_STEPS");
    if (o.steps <= 0)
        return true;
    out << "Reports of one run: " << o.steps << " step results on 2 devices, " << o.samplesPerStep
        << " samples per passing step, 24 faults, a 24-hour soak; hil report as a child process per output\n";
    out.flush();
    ReportResult r;
    if (!runReportBenchmark(o, &r, error))
        return false;
    out << "  database: " << r.stepResults << " step results, " << r.samples << " samples, "
        << megabytes(r.databaseBytes) << ", written in " << QString::number(r.generateSeconds, 'f', 1)
        << " s\n"
        << (qEnvironmentVariableIsSet("HIL_BENCH_REPORT_KEEP")
                ? QStringLiteral("  kept in %1\n").arg(r.directory)
                : QString())
        << "  hil: " << r.hil << " (peak RSS of each: its own; this process had "
        << megabytes(r.parentRssKiB * 1024) << " resident when it started them)\n\n";
    qsizetype width = 0;
    for (const ReportTiming &t : r.timings)
        width = std::max(width, t.what.size());
    out << "  " << QStringLiteral("output").leftJustified(width) << "  "
        << QStringLiteral("wall s").rightJustified(7) << "  "
        << QStringLiteral("peak RSS MiB").rightJustified(12) << "  size / detail\n";
    for (const ReportTiming &t : r.timings)
        out << "  " << t.what.leftJustified(width) << "  "
            << QString::number(t.seconds, 'f', 1).rightJustified(7) << "  "
            << QString::number(static_cast<double>(t.peakRssKiB) / 1024.0, 'f', 1).rightJustified(12) << "  "
            << t.detail << '\n';
    out << "\n";
    return true;
}

bool generateSoakDatabase(const QString &path, const ReportOptions &options, ReportResult *result,
                          QString *error) {
    return generate(path, options, result, error);
}

ReportTiming measureProcess(const QString &what, const QString &program, const QStringList &args) {
    return measureChild(what, program, args);
}

} // namespace hilbench
