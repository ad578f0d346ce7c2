#include "longrunbenchmark.h"

#include "core/analysis/runstatistics.h"
#include "core/base/seedmix.h"
#include "core/store/runquery.h"
#include "core/store/samplerollup.h"
#include "core/store/steprollup.h"
#include "machineinfo.h"
#include "reportbenchmark.h"
#include "sqlitebulk.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>
#include <chrono>
#include <cmath>
#include <malloc.h>
#include <vector>

namespace hilbench {

namespace {

using Clock = std::chrono::steady_clock;
constexpr qint64 kSecond = 1'000'000'000;
constexpr qint64 kFaultEvery = 6 * 3600 * kSecond;
constexpr qint64 kFaultFor = 60 * kSecond;
constexpr qint64 kTimeout = 200'000'000;

double since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Written {
    qint64 steps = 0, fails = 0, expected = 0, samples = 0, faults = 0;
};

// Device d's faults start at 1800 s + d·300 s (mod 6 h) and then every 6 hours: staggered, so at most one
// or two devices are in a fault at any moment, as on a bench where faults are injected in turn.
qint64 faultOffset(int d) {
    return (1800 + static_cast<qint64>(d) * 300) * kSecond % kFaultEvery;
}

bool generate(const QString &path, const LongRunOptions &o, Written *w, QString *error) {
    sqlite3 *db = openBulkDatabase(path, error);
    if (!db)
        return false;
    const auto fail = [&](const QString &what) {
        *error = QStringLiteral("%1: %2").arg(what, QString::fromUtf8(sqlite3_errmsg(db)));
        sqlite3_close_v2(db);
        return false;
    };
    const qint64 duration = static_cast<qint64>(o.hours * 3600.0 * static_cast<double>(kSecond));
    const qint64 period = static_cast<qint64>(static_cast<double>(kSecond) / o.rateHz);
    const qint64 ticks = duration / period;
    const int perSecond = std::max(1, static_cast<int>(std::lround(o.rateHz)));
    std::vector<QByteArray> names, steps;
    for (int d = 0; d < o.devices; ++d) {
        names.push_back(QStringLiteral("dut-%1").arg(d + 1, 2, 10, QLatin1Char('0')).toUtf8());
        steps.push_back("poll " + names.back());
    }
    {
        Statement run(
            db,
            "INSERT INTO runs (id, uuid, scenario, scenario_path, fixture, fixture_path, station, dut_serial,"
            " firmware, host, seed, started_at_ns, ended_at_ns, duration_ns, verdict, iterations, n_pass,"
            " n_fail) VALUES (1, '10a9e5ed-0000-4000-8000-000000000072', 'weekend-soak',"
            " 'scenarios/weekend-soak.yaml', 'rack', 'fixtures/rack.yaml', 'rack-01', 'SN72', '3.1.0',"
            " 'bench-host', 72, 1790000000000000000, 1790000000000000000 + ?, ?, 'FAIL', ?, 0, 0)");
        sqlite3_bind_int64(run.get(), 1, duration);
        sqlite3_bind_int64(run.get(), 2, duration);
        sqlite3_bind_int64(run.get(), 3, ticks);
        if (!run.ok() || !run.run())
            return fail(QStringLiteral("inserting the run"));
    }
    // Faults first, so that step results can name theirs; ids are 1 + index in this order.
    struct Window {
        qint64 start, end, id;
    };
    std::vector<std::vector<Window>> windows(static_cast<size_t>(o.devices));
    {
        Statement fault(db, "INSERT INTO faults (id, run_id, device, target, kind, direction, params, seed,"
                            " start_ns, end_ns, recovery_ns) VALUES (?, 1, ?, 'link', 'blackout', 'both',"
                            " '{for: 60s, recover: {within: 2s}}', 1, ?, ?, ?)");
        Statement event(
            db, "INSERT INTO events (run_id, t_ns, kind, device, detail) VALUES (1, ?, ?, ?, 'blackout')");
        if (!fault.ok() || !event.ok())
            return fail(QStringLiteral("preparing"));
        qint64 id = 0;
        for (qint64 cycle = 0; cycle * kFaultEvery < duration; ++cycle) {
            for (int d = 0; d < o.devices; ++d) {
                const qint64 start = cycle * kFaultEvery + faultOffset(d);
                if (start + kFaultFor + kSecond >= duration)
                    continue;
                windows[static_cast<size_t>(d)].push_back({start, start + kFaultFor, ++id});
                sqlite3_bind_int64(fault.get(), 1, id);
                sqlite3_bind_text(fault.get(), 2, names[static_cast<size_t>(d)].constData(), -1,
                                  SQLITE_STATIC);
                sqlite3_bind_int64(fault.get(), 3, start);
                sqlite3_bind_int64(fault.get(), 4, start + kFaultFor);
                sqlite3_bind_int64(fault.get(), 5, period + 2'000'000);
                for (int e = 0; e < 2; ++e) {
                    sqlite3_bind_int64(event.get(), 1, start + e * kFaultFor);
                    sqlite3_bind_text(event.get(), 2, e == 0 ? "fault-start" : "fault-end", -1,
                                      SQLITE_STATIC);
                    sqlite3_bind_text(event.get(), 3, names[static_cast<size_t>(d)].constData(), -1,
                                      SQLITE_STATIC);
                    if (!event.run())
                        return fail(QStringLiteral("inserting events"));
                }
                if (!fault.run())
                    return fail(QStringLiteral("inserting faults"));
            }
        }
        w->faults = id;
    }
    Statement step(db, "INSERT INTO step_results (run_id, phase, iteration, step_index, repetition, step,"
                       " device, start_ns, end_ns, latency_ns, lateness_ns, verdict, message, response,"
                       " expected, fault_id) VALUES (1, 'steps', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    Statement sample(db,
                     "INSERT INTO measurements (run_id, step_result_id, name, value, unit, low, high,"
                     " verdict, marginal, t_ns) VALUES (1, ?, 'temperature', ?, 'C', 0, 60, 'PASS', 0, ?)");
    if (!step.ok() || !sample.ok())
        return fail(QStringLiteral("preparing"));
    hil::Xoshiro256 rng(72);
    std::vector<size_t> nextWindow(static_cast<size_t>(o.devices), 0);
    const qint64 stagger = period / std::max(1, o.devices);
    char response[32];
    // The recorder's accumulator, written as the recorder writes it at each commit (here every 5 s of the
    // run's time, in the one transaction).
    hil::StepRollup rollup(1);
    hil::SampleRollup samples(1);
    const QByteArray phase = "steps";
    const qint64 writeEvery = std::max<qint64>(1, 5 * perSecond);
    QString why;
    for (qint64 t = 0; t < ticks; ++t) {
        if (t % writeEvery == 0 && t > 0 && !(rollup.write(db, &why) && samples.write(db, &why)))
            return fail(QStringLiteral("writing the rollup: %1").arg(why));
        for (int d = 0; d < o.devices; ++d) {
            const size_t di = static_cast<size_t>(d);
            const qint64 start = t * period + d * stagger;
            std::vector<Window> &ws = windows[di];
            while (nextWindow[di] < ws.size() && ws[nextWindow[di]].end <= start)
                ++nextWindow[di];
            const Window *in = nextWindow[di] < ws.size() && ws[nextWindow[di]].start <= start
                                   ? &ws[nextWindow[di]]
                                   : nullptr;
            const bool timeout = in != nullptr || rng.uniform() < 0.0002;
            const double u1 = rng.uniformPositive(), u2 = rng.uniform();
            const double normal = std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
            const qint64 latency = static_cast<qint64>(1.8e6 * std::exp(0.35 * normal)
                                                       + (rng.uniform() < 0.01 ? 30e6 * rng.uniform() : 0));
            sqlite3_stmt *s = step.get();
            sqlite3_bind_int64(s, 1, t);
            sqlite3_bind_int(s, 2, d);
            sqlite3_bind_text(s, 3, steps[di].constData(), -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 4, names[di].constData(), -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 5, start);
            sqlite3_bind_int64(s, 6, start + (timeout ? kTimeout : latency));
            if (timeout)
                sqlite3_bind_null(s, 7);
            else
                sqlite3_bind_int64(s, 7, latency);
            sqlite3_bind_int64(s, 8, static_cast<qint64>(rng.uniform() * 100'000));
            sqlite3_bind_text(s, 9, timeout ? "FAIL" : "PASS", -1, SQLITE_STATIC);
            if (timeout) {
                sqlite3_bind_text(s, 10, "no answer within 200ms", -1, SQLITE_STATIC);
                sqlite3_bind_null(s, 11);
            } else {
                sqlite3_bind_null(s, 10);
                const int n = std::snprintf(response, sizeof response, "OK %.2f", 21 + rng.uniform());
                sqlite3_bind_blob(s, 11, response, n, SQLITE_TRANSIENT);
            }
            sqlite3_bind_int(s, 12, in != nullptr);
            if (in)
                sqlite3_bind_int64(s, 13, in->id);
            else
                sqlite3_bind_null(s, 13);
            if (!step.run())
                return fail(QStringLiteral("inserting step results"));
            {
                hil::RollupInput r;
                r.phase = phase;
                r.stepIndex = d;
                r.step = steps[di];
                r.device = names[di];
                r.id = sqlite3_last_insert_rowid(db);
                r.startNs = start;
                r.endNs = start + (timeout ? kTimeout : latency);
                if (!timeout)
                    r.latencyNs = latency;
                r.verdict = timeout ? "FAIL" : "PASS";
                r.expected = r.inFault = in != nullptr;
                rollup.add(r);
            }
            ++w->steps;
            w->fails += timeout && !in;
            w->expected += in != nullptr;
            if (timeout || t % perSecond != 0)
                continue;
            const double drift = 0.8 * std::sin(static_cast<double>(start) / (7200.0 * kSecond) + d);
            const double value = 24 + drift + 0.1 * normal;
            sqlite3_bind_int64(sample.get(), 1, sqlite3_last_insert_rowid(db));
            sqlite3_bind_double(sample.get(), 2, value);
            sqlite3_bind_int64(sample.get(), 3, start + latency);
            if (!sample.run())
                return fail(QStringLiteral("inserting measurements"));
            {
                hil::SampleRollupInput m;
                m.phase = phase;
                m.stepIndex = d;
                m.step = steps[di];
                m.device = names[di];
                m.stepVerdict = "PASS";
                m.name = "temperature";
                m.value = value;
                m.unit = "C";
                m.low = 0;
                m.high = 60;
                m.verdict = "PASS";
                m.tNs = start + latency;
                samples.add(m);
            }
            ++w->samples;
        }
    }
    if (!rollup.write(db, &why) || !samples.write(db, &why))
        return fail(QStringLiteral("writing the rollup: %1").arg(why));
    {
        Statement counts(db, "UPDATE runs SET n_pass = ?, n_fail = ?, n_expected = ? WHERE id = 1");
        sqlite3_bind_int64(counts.get(), 1, w->steps - w->fails - w->expected);
        sqlite3_bind_int64(counts.get(), 2, w->fails + w->expected);
        sqlite3_bind_int64(counts.get(), 3, w->expected);
        counts.run();
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail(QStringLiteral("COMMIT"));
    sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    sqlite3_close_v2(db);
    return true;
}

QString mib(qint64 kib) {
    return QString::number(static_cast<double>(kib) / 1024.0, 'f', 1);
}

} // namespace

bool runLongRunBenchmark(const LongRunOptions &o, QTextStream &out, QString *error) {
    const QString hil = qEnvironmentVariableIsSet("HIL")
                            ? qEnvironmentVariable("HIL")
                            : QCoreApplication::applicationDirPath() + QStringLiteral("/hil");
    if (!QFileInfo(hil).isExecutable()) {
        *error = QStringLiteral("%1 is not an executable (build the hil target, or set HIL)").arg(hil);
        return false;
    }
    QTemporaryDir dir(qEnvironmentVariableIsSet("HIL_BENCH_DIR")
                          ? qEnvironmentVariable("HIL_BENCH_DIR") + QStringLiteral("/longrun-XXXXXX")
                          : QDir::tempPath() + QStringLiteral("/longrun-XXXXXX"));
    if (!dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary directory: %1").arg(dir.errorString());
        return false;
    }
    dir.setAutoRemove(!o.keep);
    const QString db = dir.filePath(QStringLiteral("weekend.db"));
    out << "A long soak's report: " << o.devices << " devices x " << o.rateHz << " Hz x " << o.hours
        << " h, a 60 s blackout per device every 6 h, 1 measurement per device per second\n";
    out.flush();
    Written w;
    const auto generateStart = Clock::now();
    if (!generate(db, o, &w, error))
        return false;
    const double generateSeconds = since(generateStart);
    const qint64 bytes = QFileInfo(db).size();
    out << "  database: " << w.steps << " step results (" << w.fails << " failed, " << w.expected
        << " expected), " << w.samples << " measurements, " << w.faults << " faults, " << mib(bytes / 1024)
        << " MiB, written in " << QString::number(generateSeconds, 'f', 1) << " s\n";
    if (o.keep)
        out << "  kept in " << dir.path() << '\n';
    out.flush();
    malloc_trim(0);

    std::vector<ReportTiming> timings;
    const QString html = dir.filePath(QStringLiteral("r.html")), pdf = dir.filePath(QStringLiteral("r.pdf"));
    const QStringList base{QStringLiteral("report"), QStringLiteral("--db"), db, QStringLiteral("--quiet")};
    timings.push_back(measureProcess(QStringLiteral("hil report (summary)"), hil, base));
    timings.push_back(measureProcess(QStringLiteral("hil report --html"), hil,
                                     base + QStringList{QStringLiteral("--html"), html}));
    timings.push_back(measureProcess(QStringLiteral("hil report --pdf"), hil,
                                     base + QStringList{QStringLiteral("--pdf"), pdf}));
    const auto execOn = [&db, error](const char *sql) {
        sqlite3 *handle = nullptr;
        const bool ok = sqlite3_open(db.toUtf8().constData(), &handle) == SQLITE_OK
                        && sqlite3_exec(handle, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
        if (!ok)
            *error = QStringLiteral("changing %1: %2").arg(db, QString::fromUtf8(sqlite3_errmsg(handle)));
        sqlite3_close_v2(handle);
        return ok;
    };
    if (o.rowPath) {
        // The step rollups without the sample rollups (a run of schema 6): the samples are read from rows.
        if (!execOn("DELETE FROM measurement_rollup_runs"))
            return false;
        timings.push_back(measureProcess(QStringLiteral("samples: hil report"), hil, base));
        // The same file without its rollups: the reports read every row (as for a file of schema 5).
        if (!execOn("DELETE FROM step_rollups; DELETE FROM device_rollups; DELETE FROM measurement_rollups"))
            return false;
        timings.push_back(measureProcess(QStringLiteral("rows: hil report"), hil, base));
        timings.push_back(measureProcess(QStringLiteral("rows: hil report --html"), hil,
                                         base + QStringList{QStringLiteral("--html"), html}));
        timings.push_back(measureProcess(QStringLiteral("rows: hil report --pdf"), hil,
                                         base + QStringList{QStringLiteral("--pdf"), pdf}));
    }
    out << "\n  " << QStringLiteral("output").leftJustified(22) << QStringLiteral("wall s").rightJustified(8)
        << QStringLiteral("peak RSS MiB").rightJustified(14) << QStringLiteral("ns/result").rightJustified(11)
        << "  detail\n";
    for (const ReportTiming &t : timings) {
        out << "  " << t.what.leftJustified(22) << QString::number(t.seconds, 'f', 1).rightJustified(8)
            << mib(t.peakRssKiB).rightJustified(14)
            << QString::number(t.seconds * 1e9 / static_cast<double>(std::max<qint64>(1, w.steps)), 'f', 0)
                   .rightJustified(11)
            << "  " << (t.ok ? QStringLiteral("ok") : t.detail) << '\n';
        if (!t.ok) {
            *error = QStringLiteral("%1: %2").arg(t.what, t.detail);
            return false;
        }
    }
    out << "  goal: 60 s and 300 MiB for 64 x 20 Hz x 72 h\n\n";
    return true;
}

} // namespace hilbench
