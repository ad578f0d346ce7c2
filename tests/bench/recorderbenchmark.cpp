#include "recorderbenchmark.h"

#include "core/base/clock.h"
#include "core/store/recorder.h"
#include "core/store/schema.h"
#include "machineinfo.h"

#include <QFile>
#include <QTemporaryDir>
#include <QUuid>
#include <sqlite3.h>

namespace hilbench {

namespace {

// One reading in the range a temperature sensor reports, varied so that the values are not all equal.
double sampleValue(int i) {
    return 20.0 + (i % 1000) * 0.001;
}

constexpr qint64 kStepPeriodNs = 1'000'000;
constexpr qint64 kLatencyNs = 60'000;
constexpr char kResponse[] = "TEMP 21.503";

class Database {
public:
    ~Database() { sqlite3_close(m_db); }
    Database() = default;
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    bool open(const QString &path, QString *error) {
        if (sqlite3_open_v2(path.toUtf8().constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr)
            != SQLITE_OK) {
            *error = QStringLiteral("cannot open %1: %2").arg(path, lastError());
            return false;
        }
        return true;
    }
    sqlite3 *handle() const { return m_db; }
    QString lastError() const {
        return m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QStringLiteral("out of memory");
    }

    // Step results plus measurements, or -1.
    qint64 countRows() const {
        sqlite3_stmt *s = nullptr;
        qint64 n = -1;
        if (sqlite3_prepare_v2(
                m_db, "SELECT (SELECT count(*) FROM step_results) + (SELECT count(*) FROM measurements)", -1,
                &s, nullptr)
                == SQLITE_OK
            && sqlite3_step(s) == SQLITE_ROW)
            n = sqlite3_column_int64(s, 0);
        sqlite3_finalize(s);
        return n;
    }

private:
    sqlite3 *m_db = nullptr;
};

class Statement {
public:
    Statement(sqlite3 *db, const char *sql) {
        m_ok = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) == SQLITE_OK;
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    bool ok() const { return m_ok; }
    sqlite3_stmt *get() const { return m_stmt; }
    // Runs the bound statement and makes it ready for the next row.
    bool run() {
        const int rc = sqlite3_step(m_stmt);
        sqlite3_reset(m_stmt);
        return rc == SQLITE_DONE;
    }

private:
    sqlite3_stmt *m_stmt = nullptr;
    bool m_ok = false;
};

bool checkRows(const QString &path, qint64 expected, const char *writer, QString *error) {
    Database db;
    if (!db.open(path, error))
        return false;
    const qint64 n = db.countRows();
    if (n != expected) {
        *error = QStringLiteral("%1 left %2 rows in %3, expected %4")
                     .arg(QString::fromLatin1(writer))
                     .arg(n)
                     .arg(path)
                     .arg(expected);
        return false;
    }
    return true;
}

bool runRecorder(const QString &path, int steps, RecorderRound *round, QString *error) {
    std::unique_ptr<hil::Recorder> recorder = hil::Recorder::open(path, error);
    if (!recorder)
        return false;

    hil::RunHeader info;
    info.uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    info.scenario = QStringLiteral("benchmark");
    info.fixture = QStringLiteral("benchmark");
    info.seed = 1;
    info.startedAtNs = hil::wallClockNs();

    hil::MeasurementResult m;
    m.name = QStringLiteral("t");
    m.unit = QStringLiteral("degC");
    m.limits = {15.0, 35.0};
    m.marginalBand = {18.0, 32.0};
    hil::StepResult templ;
    templ.phase = hil::Phase::Steps;
    templ.step = QStringLiteral("read temperature");
    templ.device = QStringLiteral("sensor");
    templ.latencyNs = kLatencyNs;
    templ.response = QByteArray(kResponse);
    templ.measurements = {m};

    const qint64 startNs = hil::monotonicNs();
    recorder->runStarted(info);
    for (int i = 0; i < steps; ++i) {
        hil::StepResult r = templ;
        r.iteration = i;
        r.startNs = i * kStepPeriodNs;
        r.endNs = r.startNs + kLatencyNs;
        r.measurements.first().value = sampleValue(i);
        recorder->stepFinished(r);
    }
    const qint64 callerEndNs = hil::monotonicNs();
    hil::RunSummary summary;
    summary.counts.pass = steps;
    summary.iterations = steps;
    summary.endedWallNs = hil::wallClockNs();
    summary.durationNs = steps * kStepPeriodNs;
    recorder->runFinished(summary);
    const bool ok = recorder->close();
    const qint64 endNs = hil::monotonicNs();
    if (!ok) {
        *error = recorder->error();
        return false;
    }
    round->recorderNs = endNs - startNs;
    round->recorderCallerNs = callerEndNs - startNs;
    return true;
}

// The same rows, bound from constants, with no thread, queue or string conversion in between.
bool runBaseline(const QString &path, int steps, RecorderRound *round, QString *error) {
    Database db;
    if (!db.open(path, error))
        return false;
    QString why;
    if (!hil::prepareDatabase(db.handle(), &why)) {
        *error = QStringLiteral("baseline: %1").arg(why);
        return false;
    }
    const auto fail = [&] {
        *error = QStringLiteral("baseline: %1").arg(db.lastError());
        sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
        return false;
    };
    const QByteArray uuid = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);

    const qint64 startNs = hil::monotonicNs();
    if (sqlite3_exec(db.handle(), "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail();
    Statement run(db.handle(),
                  "INSERT INTO runs (uuid, scenario, fixture, seed, started_at_ns) VALUES (?,?,?,?,?)");
    Statement step(db.handle(),
                   "INSERT INTO step_results (run_id, phase, iteration, step_index, repetition, step,"
                   " device, start_ns, end_ns, latency_ns, lateness_ns, verdict, marginal, response)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    Statement measurement(db.handle(),
                          "INSERT INTO measurements (run_id, step_result_id, name, value, unit, low,"
                          " high, marginal_low, marginal_high, verdict, marginal, t_ns)"
                          " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!run.ok() || !step.ok() || !measurement.ok())
        return fail();
    sqlite3_stmt *r = run.get();
    sqlite3_bind_text(r, 1, uuid.constData(), static_cast<int>(uuid.size()), SQLITE_STATIC);
    sqlite3_bind_text(r, 2, "benchmark", -1, SQLITE_STATIC);
    sqlite3_bind_text(r, 3, "benchmark", -1, SQLITE_STATIC);
    sqlite3_bind_int64(r, 4, 1);
    sqlite3_bind_int64(r, 5, hil::wallClockNs());
    if (!run.run())
        return fail();
    const sqlite3_int64 runId = sqlite3_last_insert_rowid(db.handle());

    sqlite3_stmt *s = step.get();
    sqlite3_stmt *ms = measurement.get();
    for (int i = 0; i < steps; ++i) {
        const qint64 stepStartNs = i * kStepPeriodNs;
        sqlite3_bind_int64(s, 1, runId);
        sqlite3_bind_text(s, 2, "steps", -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, i);
        sqlite3_bind_int(s, 4, 0);
        sqlite3_bind_int64(s, 5, 0);
        sqlite3_bind_text(s, 6, "read temperature", -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 7, "sensor", -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 8, stepStartNs);
        sqlite3_bind_int64(s, 9, stepStartNs + kLatencyNs);
        sqlite3_bind_int64(s, 10, kLatencyNs);
        sqlite3_bind_int64(s, 11, 0);
        sqlite3_bind_text(s, 12, "PASS", -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 13, 0);
        sqlite3_bind_blob(s, 14, kResponse, sizeof kResponse - 1, SQLITE_STATIC);
        if (!step.run())
            return fail();
        const sqlite3_int64 stepId = sqlite3_last_insert_rowid(db.handle());
        sqlite3_bind_int64(ms, 1, runId);
        sqlite3_bind_int64(ms, 2, stepId);
        sqlite3_bind_text(ms, 3, "t", -1, SQLITE_STATIC);
        sqlite3_bind_double(ms, 4, sampleValue(i));
        sqlite3_bind_text(ms, 5, "degC", -1, SQLITE_STATIC);
        sqlite3_bind_double(ms, 6, 15.0);
        sqlite3_bind_double(ms, 7, 35.0);
        sqlite3_bind_double(ms, 8, 18.0);
        sqlite3_bind_double(ms, 9, 32.0);
        sqlite3_bind_text(ms, 10, "PASS", -1, SQLITE_STATIC);
        sqlite3_bind_int(ms, 11, 0);
        sqlite3_bind_int64(ms, 12, stepStartNs + kLatencyNs);
        if (!measurement.run())
            return fail();
    }
    if (sqlite3_exec(db.handle(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail();
    round->baselineNs = hil::monotonicNs() - startNs;
    return true;
}

} // namespace

bool runRecorderBenchmark(const RecorderOptions &options, RecorderResult *result, QString *error) {
    QTemporaryDir dir;
    if (!dir.isValid()) {
        *error = QStringLiteral("cannot create a temporary directory: %1").arg(dir.errorString());
        return false;
    }
    result->rowsPerRun = 2 * static_cast<qint64>(options.steps);
    result->peakRssBeforeKiB = peakRssKiB();
    for (int i = 0; i < options.rounds; ++i) {
        RecorderRound round;
        const QString recorderPath = dir.filePath(QStringLiteral("recorder-%1.db").arg(i));
        const QString baselinePath = dir.filePath(QStringLiteral("baseline-%1.db").arg(i));
        const auto recorder = [&] {
            return runRecorder(recorderPath, options.steps, &round, error)
                   && checkRows(recorderPath, result->rowsPerRun, "hil::Recorder", error);
        };
        const auto baseline = [&] {
            return runBaseline(baselinePath, options.steps, &round, error)
                   && checkRows(baselinePath, result->rowsPerRun, "the baseline", error);
        };
        const bool ok = i % 2 == 0 ? recorder() && baseline() : baseline() && recorder();
        if (!ok)
            return false;
        result->rounds.push_back(round);
        // Each round starts on an empty disk budget: the files of the last round are not needed any more.
        for (const QString &path : {recorderPath, baselinePath})
            for (const char *suffix : {"", "-wal", "-shm"})
                QFile::remove(path + QString::fromLatin1(suffix));
    }
    result->peakRssAfterKiB = peakRssKiB();
    return true;
}

} // namespace hilbench
