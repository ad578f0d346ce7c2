#include "core/store/recorder.h"

#include "core/base/clock.h"
#include "core/store/bindingsjson.h"
#include "core/store/runliveness.h"
#include "core/store/samplerollup.h"
#include "core/store/schema.h"
#include "core/store/sqliteerror.h"
#include "core/store/sqlitestatement.h"
#include "core/store/steprollup.h"
#include "core/store/storeguard.h"

#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QSysInfo>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace hil {

namespace {

constexpr auto kMaxQueueDelay = std::chrono::milliseconds(Recorder::kMaxQueueDelayMs);
constexpr auto kHeartbeatInterval = std::chrono::nanoseconds(kHeartbeatIntervalNs);
// WAL pages after which the checkpointer copies the WAL back into the database (SQLite's own default).
constexpr int kCheckpointPages = 1000;

int walHook(void *pages, sqlite3 *, const char *, int n) {
    *static_cast<int *>(pages) = n;
    return SQLITE_OK;
}

// A rough size of a queued item, for the queue's byte bound.
qint64 approximateBytes(const StepResult &r) {
    qint64 n = 256 + r.response.size() + 2 * (r.message.size() + r.step.size() + r.device.size())
               + 64 * r.bindings.size();
    for (const MeasurementResult &m : r.measurements)
        n += 128 + 2 * (m.name.size() + m.unit.size());
    return n;
}

void bindText(sqlite3_stmt *s, int i, const QString &v) {
    if (v.isNull()) {
        sqlite3_bind_null(s, i);
        return;
    }
    const QByteArray utf8 = v.toUtf8();
    sqlite3_bind_text(s, i, utf8.constData(), static_cast<int>(utf8.size()), SQLITE_TRANSIENT);
}

void bindBlob(sqlite3_stmt *s, int i, const QByteArray &v) {
    sqlite3_bind_blob(s, i, v.constData(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::optional<double> finite(const std::optional<double> &v) {
    return v && std::isfinite(*v) ? v : std::nullopt;
}

void bindOptional(sqlite3_stmt *s, int i, const std::optional<double> &v) {
    if (v && std::isfinite(*v))
        sqlite3_bind_double(s, i, *v);
    else
        sqlite3_bind_null(s, i);
}

} // namespace

// Prepared once per connection, on the writer thread.
class Recorder::Statements {
public:
    explicit Statements(sqlite3 *db)
        : m_db(db) {
        prepare(&info, "UPDATE runs SET station=?, dut_serial=?, firmware=? WHERE id=?");
        prepare(&step,
                "INSERT INTO step_results (run_id, phase, iteration, step_index, repetition, step, device,"
                " start_ns, end_ns, latency_ns, lateness_ns, verdict, marginal, message, response, expected, "
                "fault_id, exchange, stall_ns, attempt, retried, bindings)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        prepare(&measurement,
                "INSERT INTO measurements (run_id, step_result_id, name, value, unit, low, high,"
                " marginal_low, marginal_high, verdict, marginal, t_ns) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
        prepare(&event, "INSERT INTO events (run_id, t_ns, kind, device, detail) VALUES (?,?,?,?,?)");
        prepare(&faultStart,
                "INSERT INTO faults (run_id, device, target, kind, direction, params, seed, manual,"
                " start_ns) VALUES (?,?,?,?,?,?,?,?,?)");
        prepare(&faultEnd, "UPDATE faults SET end_ns=?, recovery_ns=?, bytes_dropped=?, bytes_corrupted=?,"
                           " bytes_delayed=? WHERE id=?");
        prepare(&exchange,
                "INSERT INTO exchanges (run_id, t_ns, device, direction, data) VALUES (?,?,?,?,?)");
        prepare(&finish,
                "UPDATE runs SET ended_at_ns=?, duration_ns=?, verdict=?, reason=?, iterations=?, n_pass=?,"
                " n_fail=?, n_error=?, n_abort=?, n_marginal=?, n_expected=?, n_retried=? WHERE id=?");
        prepare(&heartbeat, "UPDATE runs SET heartbeat_at_ns=? WHERE id=?");
    }
    ~Statements() {
        for (sqlite3_stmt *s :
             {info, step, measurement, event, exchange, finish, faultStart, faultEnd, heartbeat})
            sqlite3_finalize(s);
    }
    Statements(const Statements &) = delete;
    Statements &operator=(const Statements &) = delete;

    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }

    sqlite3_stmt *info = nullptr;
    sqlite3_stmt *step = nullptr;
    sqlite3_stmt *measurement = nullptr;
    sqlite3_stmt *event = nullptr;
    sqlite3_stmt *exchange = nullptr;
    sqlite3_stmt *finish = nullptr;
    sqlite3_stmt *faultStart = nullptr;
    sqlite3_stmt *faultEnd = nullptr;
    sqlite3_stmt *heartbeat = nullptr;

private:
    void prepare(sqlite3_stmt **s, const char *sql) {
        if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, nullptr) != SQLITE_OK
            && m_error.isEmpty())
            m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
    }
    sqlite3 *m_db;
    QString m_error;
};

namespace {

// Closes, as ERROR "interrupted: ...", the runs whose writer is provably gone (runliveness.h). Runs in
// the caller's write transaction.
bool closeInterruptedRuns(sqlite3 *db) {
    QList<qint64> unfinished;
    {
        SqliteStatement q(db, "SELECT id FROM runs WHERE ended_at_ns IS NULL AND writer_pid IS NOT NULL");
        while (q.next())
            unfinished.append(q.int64(0));
        if (!q.done())
            return false;
    }
    for (const qint64 id : std::as_const(unfinished)) {
        const std::optional<UnfinishedRun> u = inspectUnfinishedRun(db, id);
        if (!u || u->state != UnfinishedRun::State::Interrupted)
            continue;
        SqliteStatement q(db, "UPDATE runs SET ended_at_ns=?, duration_ns=?, verdict='ERROR', reason=?,"
                              " n_pass=?, n_fail=?, n_error=?, n_abort=?, n_marginal=?, n_expected=?,"
                              " n_retried=? WHERE id=? AND ended_at_ns IS NULL");
        q.bind(1, u->lastSignOfLifeNs);
        q.bind(2, u->recordedSpanNs);
        q.bind(3, u->reason);
        q.bind(4, u->counts.pass);
        q.bind(5, u->counts.fail);
        q.bind(6, u->counts.error);
        q.bind(7, u->counts.abort);
        q.bind(8, u->counts.marginal);
        q.bind(9, u->counts.expected);
        q.bind(10, u->counts.retried);
        q.bind(11, id);
        if (!q.exec())
            return false;
        for (const int fault : u->unexcusedFaults) {
            SqliteStatement unexcuse(db, "UPDATE step_results SET expected = 0 WHERE run_id = ? AND expected"
                                         " AND fault_id = ?");
            unexcuse.bind(1, id);
            unexcuse.bind(2, fault);
            if (!unexcuse.exec())
                return false;
        }
        if (!u->unexcusedFaults.isEmpty() && !dropRollups(db, id))
            return false;
    }
    return true;
}

// What a path names when it is not a regular file, for the message; empty for a regular file.
QString fileKind(const struct stat &st) {
    if (S_ISREG(st.st_mode))
        return {};
    if (S_ISDIR(st.st_mode))
        return QStringLiteral("a directory");
    if (S_ISFIFO(st.st_mode))
        return QStringLiteral("a named pipe (FIFO)");
    if (S_ISSOCK(st.st_mode))
        return QStringLiteral("a socket");
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        return QStringLiteral("a device");
    return QStringLiteral("not a regular file");
}

// Up to this size an existing database is read whole by PRAGMA quick_check before a run (about 11 ms per
// MB measured here, so at most about 3 s); a larger one (a fleet's merged archive) gets only its header
// and schema read, and damage elsewhere shows as an ERROR at the first write that meets it.
constexpr qint64 kFullCheckMaxBytes = 256LL * 1024 * 1024;

// PRAGMA quick_check on an existing database, before anything is written to it: empty if it is sound,
// otherwise what is wrong, in a sentence that names the file.
QString damageOf(sqlite3 *db, const QString &path, bool whole) {
    QStringList problems;
    int rc = SQLITE_OK;
    {
        SqliteStatement q(db, whole ? "PRAGMA quick_check(5)"
                                    : "SELECT 'ok' FROM (SELECT count(*) FROM sqlite_schema)");
        while (q.ok() && q.next())
            problems.append(q.text(0));
        if (!q.ok() || !q.done())
            rc = sqlite3_extended_errcode(db);
    }
    if (rc == SQLITE_OK && problems == QStringList{QStringLiteral("ok")})
        return {};
    switch (rc & 0xff) {
    case SQLITE_OK:
        return QStringLiteral("database %1 is damaged: %2").arg(path, problems.join(QStringLiteral("; ")));
    case SQLITE_NOTADB:
        return QStringLiteral("%1 is not a results database: %2").arg(path, describeSqliteError(db, rc));
    case SQLITE_CORRUPT:
        return QStringLiteral("database %1 is damaged: %2").arg(path, describeSqliteError(db, rc));
    default:
        return QStringLiteral("cannot record to %1: %2").arg(path, describeSqliteError(db, rc));
    }
}

} // namespace

bool Recorder::keepsResults(const QString &path, QString *why) {
    const QString p = path.trimmed();
    QString reason;
    if (p.isEmpty())
        reason = QStringLiteral("the database path is empty (an unset variable?)");
    else if (p == u":memory:" || p.startsWith(u"file::memory:")
             || (p.startsWith(u"file:") && p.contains(u"mode=memory")))
        reason = QStringLiteral("'%1' is an in-memory database").arg(path);
    if (!reason.isEmpty()) {
        if (why)
            *why = reason + QStringLiteral(": the results would not be kept; name a file");
        return false;
    }
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) == 0) {
        reason = fileKind(st);
        if (!reason.isEmpty())
            reason = QStringLiteral("'%1' is %2, not a database file").arg(path, reason);
    } else if (errno == ENOENT && !QFileInfo(QFileInfo(path).absolutePath()).isDir()) {
        reason = QStringLiteral("the folder of '%1' (%2) does not exist")
                     .arg(path, QFileInfo(path).absolutePath());
    }
    if (reason.isEmpty())
        return true;
    if (why)
        *why = reason + QStringLiteral("; name a database file (it is created if missing)");
    return false;
}

std::unique_ptr<Recorder> Recorder::open(const QString &path, QString *error) {
    if (QString why; !keepsResults(path, &why)) {
        if (error)
            *error = QStringLiteral("cannot record: %1").arg(why);
        return nullptr;
    }
    sqlite3 *db = nullptr;
    const auto failed = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("cannot record to %1: %2").arg(path, why);
        sqlite3_close(db);
        return nullptr;
    };
    const qint64 existingBytes = QFileInfo(path).size();
    const bool existed = existingBytes > 0;
    const int rc =
        sqlite3_open_v2(path.toUtf8().constData(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    if (rc != SQLITE_OK)
        return failed(describeSqliteError(db, rc));
    // SQLite quietly falls back to read-only when it may not write the file: that is no use here.
    if (sqlite3_db_readonly(db, "main") == 1)
        return failed(describeSqliteError(db, SQLITE_READONLY));
    // A damaged file is refused before anything is written to it or runs: results recorded into it
    // could be lost with it, and the next write could make the damage worse. Reads the whole file once.
    if (existed) {
        sqlite3_busy_timeout(db, kBusyTimeoutMs);
        if (const QString damage = damageOf(db, path, existingBytes <= kFullCheckMaxBytes);
            !damage.isEmpty()) {
            if (error)
                *error = damage;
            sqlite3_close(db);
            return nullptr;
        }
    }
    QString why;
    if (!prepareDatabase(db, &why))
        return failed(why);
    // Take the write lock once now: a database another program keeps locked is refused before the run
    // starts, after the busy timeout, rather than stopping the run at its first commit.
    int step = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (step == SQLITE_OK && !closeInterruptedRuns(db))
        step = sqlite3_extended_errcode(db);
    if (step == SQLITE_OK)
        step = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    if (step != SQLITE_OK) {
        why = describeSqliteError(db, step);
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return failed(why);
    }
    // The identity of the file and its log, now that both exist: the writer compares it at each commit.
    auto guard = std::make_unique<StoreGuard>(path);
    return std::unique_ptr<Recorder>(new Recorder(path, db, std::move(guard)));
}

Recorder::Recorder(QString path, sqlite3 *db, std::unique_ptr<StoreGuard> guard)
    : m_path(std::move(path))
    , m_db(db)
    , m_guard(std::move(guard)) {}

Recorder::~Recorder() {
    close();
    sqlite3_close(m_db);
}

void Recorder::setErrorHandler(std::function<void(const QString &)> handler) {
    std::lock_guard lock(m_mutex);
    m_errorHandler = std::move(handler);
}

QString Recorder::error() const {
    std::lock_guard lock(m_mutex);
    if (m_error.isEmpty() || m_lostSteps == 0)
        return m_error;
    return QStringLiteral("%1; %2 step results could not be recorded").arg(m_error).arg(m_lostSteps);
}

qint64 Recorder::lostStepResults() const {
    std::lock_guard lock(m_mutex);
    return m_lostSteps;
}

Recorder::QueueStats Recorder::queueStats() const {
    std::lock_guard lock(m_mutex);
    return m_stats;
}

void Recorder::fail(const QString &message, bool namesFile) {
    std::function<void(const QString &)> handler;
    {
        std::lock_guard lock(m_mutex);
        if (!m_error.isEmpty())
            return;
        m_error = namesFile ? message : QStringLiteral("recording to %1 stopped: %2").arg(m_path, message);
        handler = m_errorHandler;
    }
    // Producers waiting for room give up: nothing more will be written.
    m_space.notify_all();
    if (handler)
        handler(error());
}

void Recorder::runStarted(const RunHeader &info) {
    // Runs on the caller's thread before the writer starts: the run's id is needed at once.
    sqlite3_stmt *s = nullptr;
    const char *sql =
        "INSERT INTO runs (uuid, scenario, scenario_path, fixture, fixture_path, station, dut_serial,"
        " firmware, host, seed, started_at_ns, writer_pid, writer_host, heartbeat_at_ns, vars)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    int rc = sqlite3_prepare_v2(m_db, sql, -1, &s, nullptr);
    if (rc == SQLITE_OK) {
        bindText(s, 1, info.uuid);
        bindText(s, 2, info.scenario);
        bindText(s, 3, info.scenarioPath);
        bindText(s, 4, info.fixture);
        bindText(s, 5, info.fixturePath);
        bindText(s, 6, info.station);
        bindText(s, 7, info.dutSerial);
        bindText(s, 8, info.firmware);
        bindText(s, 9, info.host);
        sqlite3_bind_int64(s, 10, static_cast<sqlite3_int64>(info.seed));
        sqlite3_bind_int64(s, 11, info.startedAtNs);
        sqlite3_bind_int64(s, 12, ::getpid());
        bindText(s, 13, QSysInfo::machineHostName());
        sqlite3_bind_int64(s, 14, wallClockNs());
        bindText(s, 15, bindingsToJson(info.vars));
        rc = sqlite3_step(s);
    }
    if (rc != SQLITE_DONE)
        rc = sqlite3_extended_errcode(m_db);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        fail(describeSqliteError(m_db, rc));
        return;
    }
    m_runId = sqlite3_last_insert_rowid(m_db);
    // Checkpoints are the checkpointer's, so that no commit waits for one (see writerLoop).
    sqlite3_wal_hook(m_db, walHook, &m_walPages);
    m_thread = std::thread([this] { writerLoop(); });
    m_checkpointer = std::thread([this] { checkpointLoop(); });
}

void Recorder::runInfoChanged(const RunHeader &info) {
    enqueue(InfoUpdate{info}, 512);
}

void Recorder::stepFinished(const StepResult &result) {
    // Rows are built so that they never end before they start (devicelane.cpp); one that does is a bug
    // of the engine's, not a fact about the device.
    Q_ASSERT_X(result.endNs >= result.startNs, "Recorder::stepFinished",
               "a step result ends before it starts");
    enqueue(result, approximateBytes(result));
}

void Recorder::eventRecorded(const Event &event) {
    enqueue(event, 128 + 2 * (event.kind.size() + event.device.size() + event.detail.size()));
}

void Recorder::exchange(qint64 timeNs, const QString &device, Direction dir, const QByteArray &data) {
    enqueue(Exchange{timeNs, device, dir, data}, 96 + data.size() + 2 * device.size());
}

void Recorder::faultStarted(const FaultRecord &fault) {
    enqueue(FaultUpdate{fault, true}, 512 + 2 * fault.params.size());
}

void Recorder::faultEnded(const FaultRecord &fault) {
    enqueue(FaultUpdate{fault, false}, 512 + 2 * fault.params.size());
}

void Recorder::faultRecovered(const FaultRecord &fault) {
    enqueue(FaultUpdate{fault, false}, 512 + 2 * fault.params.size());
}

void Recorder::runFinished(const RunSummary &summary) {
    enqueue(summary, 512);
}

void Recorder::enqueue(Item item, qint64 bytes) {
    {
        std::unique_lock lock(m_mutex);
        const auto full = [this] { return m_queue.size() >= kQueueCapacity || m_queueBytes >= kQueueBytes; };
        if (m_thread.joinable() && m_error.isEmpty() && !m_stop && full()) {
            // Back-pressure: wait for the writer rather than grow without bound. The writer was told at
            // the item that filled the queue and commits at once.
            ++m_stats.producerWaits;
            m_space.wait(lock, [&] { return !full() || !m_error.isEmpty() || m_stop; });
        }
        if (!m_error.isEmpty()) {
            if (std::holds_alternative<StepResult>(item))
                ++m_lostSteps;
            else if (auto *summary = std::get_if<RunSummary>(&item))
                m_unwrittenSummary = *summary;
            return;
        }
        if (!m_thread.joinable() || m_stop)
            return;
        if (m_queue.empty())
            m_oldestQueued = std::chrono::steady_clock::now();
        m_queue.push_back(std::move(item));
        m_queueBytes += bytes;
        m_stats.highWater = std::max(m_stats.highWater, m_queue.size());
        if (m_queue.size() > 1 && !full())
            return; // the writer was woken by the first item of this batch
    }
    m_cv.notify_one();
}

bool Recorder::close() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_space.notify_all();
    m_checkpointCv.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    if (m_checkpointer.joinable())
        m_checkpointer.join();
    writeFinalSummary();
    return error().isEmpty();
}

bool Recorder::writeFinalSummary() {
    // The recording failed before the run's end was written: try once more, so that the row says how the
    // run ended and why rather than reading as interrupted. If this fails too (the disk is still full,
    // the lock still held), readers show the run as interrupted once this process is gone.
    std::optional<RunSummary> summary;
    QString reason;
    {
        std::lock_guard lock(m_mutex);
        summary = std::exchange(m_unwrittenSummary, std::nullopt);
    }
    // Nothing is written into a file that was deleted or replaced: nobody would read it.
    if (!summary || m_runId <= 0 || m_storeGone)
        return false;
    reason = error();
    if (!summary->reason.isEmpty() && !reason.contains(summary->reason))
        reason = summary->reason + QStringLiteral("; ") + reason;
    SqliteStatement q(m_db, "UPDATE runs SET ended_at_ns=?, duration_ns=?, verdict=?, reason=?, iterations=?,"
                            " n_pass=?, n_fail=?, n_error=?, n_abort=?, n_marginal=?, n_expected=?,"
                            " n_retried=?, heartbeat_at_ns=? WHERE id=?");
    q.bind(1, summary->endedWallNs);
    q.bind(2, summary->durationNs);
    q.bind(3, verdictName(combine(summary->verdict, Verdict::Error)));
    q.bind(4, reason);
    q.bind(5, summary->iterations);
    q.bind(6, summary->counts.pass);
    q.bind(7, summary->counts.fail);
    q.bind(8, summary->counts.error);
    q.bind(9, summary->counts.abort);
    q.bind(10, summary->counts.marginal);
    q.bind(11, summary->counts.expected);
    q.bind(12, summary->counts.retried);
    q.bind(13, wallClockNs());
    q.bind(14, m_runId);
    return q.ok() && q.exec();
}

void Recorder::checkpointLoop() {
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(sqlite3_db_filename(m_db, "main"), &db, SQLITE_OPEN_READWRITE, nullptr)
        != SQLITE_OK) {
        // Without a checkpointer the WAL only grows; SQLite checkpoints it when the last connection closes.
        sqlite3_close(db);
        return;
    }
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_checkpointCv.wait(lock, [this] { return m_stop || m_checkpointWanted; });
            if (m_stop)
                break;
            m_checkpointWanted = false;
        }
        // PASSIVE: copies what it can without waiting for or blocking the writer. A failure (a full disk)
        // loses nothing: the frames stay in the WAL, and the writer meets the cause itself.
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    sqlite3_close(db);
}

void Recorder::writerLoop() {
    const auto releaseRollup = qScopeGuard([this] {
        if (m_rollup)
            m_rollup->release();
        if (m_sampleRollup)
            m_sampleRollup->release();
    });
    Statements statements(m_db);
    if (!statements.ok()) {
        fail(statements.error());
        return;
    }
    auto lastCommit = std::chrono::steady_clock::now();
    std::vector<Item> batch;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait_until(lock, lastCommit + kHeartbeatInterval,
                            [this] { return m_stop || !m_queue.empty(); });
            // Gather for a moment so that a busy run commits a few times a second, not per row, but begin
            // the commit no later than kMaxQueueDelay after the oldest item was queued, or at once when the
            // queue is full. An empty batch after kHeartbeatInterval commits the heartbeat alone.
            if (!m_queue.empty())
                m_cv.wait_until(lock, m_oldestQueued + kMaxQueueDelay, [this] {
                    return m_stop || m_queue.size() >= kQueueCapacity || m_queueBytes >= kQueueBytes;
                });
            batch.swap(m_queue);
            m_queueBytes = 0;
            if (batch.empty() && m_stop)
                return;
        }
        m_space.notify_all();
        // A file deleted or replaced under the run takes every result with it, the committed ones too:
        // they are in a file nobody will find. Checked before each commit, so at least every heartbeat.
        if (const QString gone = m_guard->check(); !gone.isEmpty()) {
            m_storeGone = true;
            abandon(batch, gone, true);
            return;
        }
        m_lastRc = SQLITE_OK;
        int rc = sqlite3_exec(m_db, "BEGIN", nullptr, nullptr, nullptr);
        bool ok = rc == SQLITE_OK;
        for (const Item &item : batch) {
            if (!ok)
                break;
            ok = write(statements, item);
        }
        if (ok && m_rollup && !m_rollupDropped) {
            // The rollup's cells in the rows' transaction: a crash loses neither more nor less of them.
            QString why;
            ok = m_rollup->write(m_db, &why) && m_sampleRollup->write(m_db, &why);
            if (!ok)
                m_lastRc = sqlite3_extended_errcode(m_db);
        }
        if (ok) {
            sqlite3_bind_int64(statements.heartbeat, 1, wallClockNs());
            sqlite3_bind_int64(statements.heartbeat, 2, m_runId);
            rc = sqlite3_step(statements.heartbeat);
            ok = rc == SQLITE_DONE;
            if (!ok)
                m_lastRc = sqlite3_extended_errcode(m_db);
            sqlite3_reset(statements.heartbeat);
        }
        if (ok) {
            rc = sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr);
            ok = rc == SQLITE_OK;
            if (!ok)
                m_lastRc = rc;
        } else if (rc == SQLITE_OK || rc == SQLITE_DONE) {
            rc = m_lastRc;
        } else {
            m_lastRc = rc;
        }
        if (!ok) {
            const QString why = describeSqliteError(m_db, m_lastRc != SQLITE_OK ? m_lastRc : rc);
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
            abandon(batch, why, false);
            return;
        }
        for (const Item &item : batch)
            m_committedSteps += std::holds_alternative<StepResult>(item) ? 1 : 0;
        batch.clear();
        lastCommit = std::chrono::steady_clock::now();
        if (m_walPages >= kCheckpointPages) {
            m_walPages = 0;
            {
                std::lock_guard lock(m_mutex);
                m_checkpointWanted = true;
            }
            m_checkpointCv.notify_one();
        }
    }
}

void Recorder::abandon(std::vector<Item> &batch, const QString &why, bool namesFile) {
    {
        // The batch and everything still queued are lost; count their step results, and for a file that
        // is gone, the ones committed into it as well.
        std::lock_guard lock(m_mutex);
        if (m_storeGone)
            m_lostSteps += m_committedSteps;
        for (const std::vector<Item> *items : {&batch, &m_queue}) {
            for (const Item &item : *items) {
                if (std::holds_alternative<StepResult>(item))
                    ++m_lostSteps;
                else if (const auto *summary = std::get_if<RunSummary>(&item))
                    m_unwrittenSummary = *summary;
            }
        }
        m_queue.clear();
        m_queueBytes = 0;
    }
    batch.clear();
    fail(why, namesFile);
}

bool Recorder::write(Statements &st, const Item &item) {
    const auto run = [this](sqlite3_stmt *s) {
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE)
            m_lastRc = sqlite3_extended_errcode(m_db);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return rc == SQLITE_DONE;
    };
    if (const auto *u = std::get_if<InfoUpdate>(&item)) {
        bindText(st.info, 1, u->info.station);
        bindText(st.info, 2, u->info.dutSerial);
        bindText(st.info, 3, u->info.firmware);
        sqlite3_bind_int64(st.info, 4, m_runId);
        return run(st.info);
    }
    if (const auto *r = std::get_if<StepResult>(&item)) {
        sqlite3_stmt *s = st.step;
        sqlite3_bind_int64(s, 1, m_runId);
        bindText(s, 2, phaseName(r->phase));
        sqlite3_bind_int64(s, 3, r->iteration);
        sqlite3_bind_int(s, 4, r->stepIndex);
        sqlite3_bind_int64(s, 5, r->repetition);
        bindText(s, 6, r->step);
        bindText(s, 7, r->device);
        sqlite3_bind_int64(s, 8, r->startNs);
        sqlite3_bind_int64(s, 9, r->endNs);
        if (r->latencyNs >= 0)
            sqlite3_bind_int64(s, 10, r->latencyNs);
        sqlite3_bind_int64(s, 11, r->latenessNs);
        bindText(s, 12, verdictName(r->verdict));
        sqlite3_bind_int(s, 13, r->marginal ? 1 : 0);
        bindText(s, 14, r->message);
        if (!r->response.isNull())
            bindBlob(s, 15, r->response);
        sqlite3_bind_int(s, 16, r->expected ? 1 : 0);
        if (r->faultId >= 0 && m_faultRows.contains(r->faultId))
            sqlite3_bind_int64(s, 17, m_faultRows.value(r->faultId));
        if (!r->exchange.isEmpty())
            bindText(s, 18, r->exchange);
        if (r->stallNs > 0)
            sqlite3_bind_int64(s, 19, r->stallNs);
        sqlite3_bind_int(s, 20, std::max(1, r->attempt));
        sqlite3_bind_int(s, 21, r->retried ? 1 : 0);
        const QString bindings = bindingsToJson(r->bindings);
        bindText(s, 22, bindings);
        if (!run(s))
            return false;
        const sqlite3_int64 stepId = sqlite3_last_insert_rowid(m_db);
        if (!m_rollup) {
            m_rollup = std::make_unique<StepRollup>(m_runId);
            m_sampleRollup = std::make_unique<SampleRollup>(m_runId);
        }
        // The step's key and verdict once, for both rollups.
        const QByteArray phase = phaseName(r->phase).toUtf8(), step = r->step.toUtf8(),
                         device = r->device.toUtf8(), stepVerdict = verdictName(r->verdict).toUtf8();
        {
            RollupInput in;
            in.phase = phase;
            in.stepIndex = r->stepIndex;
            in.step = step;
            in.device = device;
            in.id = stepId;
            in.startNs = r->startNs;
            in.endNs = r->endNs;
            if (r->latencyNs >= 0)
                in.latencyNs = r->latencyNs;
            in.verdict = stepVerdict;
            in.marginal = r->marginal;
            in.expected = r->expected;
            in.stalled = r->stallNs > 0;
            in.retried = r->retried;
            in.swept = !bindings.isNull();
            in.inFault = r->faultId >= 0 && m_faultRows.contains(r->faultId);
            m_rollup->add(in);
        }
        SampleRollupInput sample;
        sample.phase = phase;
        sample.stepIndex = r->stepIndex;
        sample.step = step;
        sample.device = device;
        sample.stepVerdict = stepVerdict;
        sample.stepExpected = r->expected;
        sample.stepRetried = r->retried;
        sample.tNs = r->endNs;
        for (const MeasurementResult &m : r->measurements) {
            const QByteArray name = m.name.toUtf8(), unit = m.unit.toUtf8(),
                             verdict = verdictName(m.verdict).toUtf8();
            sample.name = name;
            // As the row stores them: a value or limit that is not finite is NULL.
            sample.value = finite(m.value);
            sample.unit = m.unit.isNull() ? QByteArrayView() : QByteArrayView(unit);
            sample.low = finite(m.limits.low);
            sample.high = finite(m.limits.high);
            sample.marginalLow = finite(m.marginalBand.low);
            sample.marginalHigh = finite(m.marginalBand.high);
            sample.verdict = verdict;
            sample.marginal = m.marginal;
            m_sampleRollup->add(sample);
            sqlite3_stmt *ms = st.measurement;
            sqlite3_bind_int64(ms, 1, m_runId);
            sqlite3_bind_int64(ms, 2, stepId);
            bindText(ms, 3, m.name);
            bindOptional(ms, 4, m.value);
            bindText(ms, 5, m.unit);
            bindOptional(ms, 6, m.limits.low);
            bindOptional(ms, 7, m.limits.high);
            bindOptional(ms, 8, m.marginalBand.low);
            bindOptional(ms, 9, m.marginalBand.high);
            bindText(ms, 10, verdictName(m.verdict));
            sqlite3_bind_int(ms, 11, m.marginal ? 1 : 0);
            sqlite3_bind_int64(ms, 12, r->endNs);
            if (!run(ms))
                return false;
        }
        return true;
    }
    if (const auto *e = std::get_if<Event>(&item)) {
        sqlite3_bind_int64(st.event, 1, m_runId);
        sqlite3_bind_int64(st.event, 2, e->timeNs);
        bindText(st.event, 3, e->kind);
        bindText(st.event, 4, e->device);
        bindText(st.event, 5, e->detail);
        return run(st.event);
    }
    if (const auto *x = std::get_if<Exchange>(&item)) {
        sqlite3_bind_int64(st.exchange, 1, m_runId);
        sqlite3_bind_int64(st.exchange, 2, x->timeNs);
        bindText(st.exchange, 3, x->device);
        bindText(st.exchange, 4, x->dir == Direction::ToDevice ? QStringLiteral("tx") : QStringLiteral("rx"));
        bindBlob(st.exchange, 5, x->data);
        return run(st.exchange);
    }
    if (const auto *u = std::get_if<FaultUpdate>(&item)) {
        const FaultRecord &f = u->fault;
        if (u->start) {
            sqlite3_stmt *fs = st.faultStart;
            sqlite3_bind_int64(fs, 1, m_runId);
            bindText(fs, 2, f.device);
            bindText(fs, 3, f.target);
            bindText(fs, 4, f.kind);
            bindText(fs, 5, f.direction.isEmpty() ? QString() : f.direction);
            bindText(fs, 6, f.params);
            sqlite3_bind_int64(fs, 7, static_cast<sqlite3_int64>(f.seed));
            sqlite3_bind_int(fs, 8, f.manual ? 1 : 0);
            sqlite3_bind_int64(fs, 9, f.startNs);
            if (!run(fs))
                return false;
            m_faultRows.insert(f.id, sqlite3_last_insert_rowid(m_db));
            return true;
        }
        if (!m_faultRows.contains(f.id))
            return true;
        sqlite3_stmt *fe = st.faultEnd;
        const auto optional = [fe](int i, qint64 v) {
            if (v >= 0)
                sqlite3_bind_int64(fe, i, v);
        };
        optional(1, f.endNs);
        optional(2, f.recoveryNs);
        optional(3, f.bytesDropped);
        optional(4, f.bytesCorrupted);
        optional(5, f.bytesDelayed);
        sqlite3_bind_int64(fe, 6, m_faultRows.value(f.id));
        return run(fe);
    }
    const auto &s = std::get<RunSummary>(item);
    // The rows excused by a fault whose device never proved it recovers count as the failures they are:
    // marked so here, every reader of the store counts them like the runner did (verdictrule.h).
    QStringList rows;
    for (const int fault : s.unexcusedFaults) {
        if (m_faultRows.contains(fault))
            rows.append(QString::number(m_faultRows.value(fault)));
    }
    if (!rows.isEmpty()) {
        // One pass over the run's rows, however many faults: the list holds row ids, numbers only.
        const QByteArray sql = QStringLiteral("UPDATE step_results SET expected = 0 WHERE run_id = ? AND "
                                              "expected AND fault_id IN (%1)")
                                   .arg(rows.join(u','))
                                   .toUtf8();
        SqliteStatement unexcuse(m_db, sql.constData());
        unexcuse.bind(1, m_runId);
        if (!unexcuse.ok() || !unexcuse.exec())
            return false;
        // The rollup counted those rows as excused: it no longer agrees with them, and the report reads
        // the rows instead.
        if (!dropRollups(m_db, m_runId))
            return false;
        m_rollupDropped = true;
    }
    sqlite3_stmt *f = st.finish;
    sqlite3_bind_int64(f, 1, s.endedWallNs);
    sqlite3_bind_int64(f, 2, s.durationNs);
    bindText(f, 3, verdictName(s.verdict));
    bindText(f, 4, s.reason);
    sqlite3_bind_int64(f, 5, s.iterations);
    sqlite3_bind_int64(f, 6, s.counts.pass);
    sqlite3_bind_int64(f, 7, s.counts.fail);
    sqlite3_bind_int64(f, 8, s.counts.error);
    sqlite3_bind_int64(f, 9, s.counts.abort);
    sqlite3_bind_int64(f, 10, s.counts.marginal);
    sqlite3_bind_int64(f, 11, s.counts.expected);
    sqlite3_bind_int64(f, 12, s.counts.retried);
    sqlite3_bind_int64(f, 13, m_runId);
    return run(f);
}

} // namespace hil
