#include "recorder.h"

#include "schema.h"

#include <chrono>
#include <cmath>
#include <sqlite3.h>

namespace hil {

namespace {

constexpr auto kMinCommitInterval = std::chrono::milliseconds(50);
constexpr auto kMaxCommitDelay = std::chrono::milliseconds(200);

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
                "fault_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
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
                " n_fail=?, n_error=?, n_abort=?, n_marginal=?, n_expected=? WHERE id=?");
    }
    ~Statements() {
        for (sqlite3_stmt *s : {info, step, measurement, event, exchange, finish, faultStart, faultEnd})
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

private:
    void prepare(sqlite3_stmt **s, const char *sql) {
        if (sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, nullptr) != SQLITE_OK
            && m_error.isEmpty())
            m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
    }
    sqlite3 *m_db;
    QString m_error;
};

std::unique_ptr<Recorder> Recorder::open(const QString &path, QString *error) {
    sqlite3 *db = nullptr;
    const int rc =
        sqlite3_open_v2(path.toUtf8().constData(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        if (error)
            *error = QStringLiteral("cannot open database %1: %2")
                         .arg(path, QString::fromUtf8(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
        sqlite3_close(db);
        return nullptr;
    }
    QString why;
    if (!prepareDatabase(db, &why)) {
        if (error)
            *error = QStringLiteral("cannot use database %1: %2").arg(path, why);
        sqlite3_close(db);
        return nullptr;
    }
    return std::unique_ptr<Recorder>(new Recorder(path, db));
}

Recorder::Recorder(QString path, sqlite3 *db)
    : m_path(std::move(path))
    , m_db(db) {}

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
    return m_error;
}

void Recorder::fail(const QString &message) {
    std::function<void(const QString &)> handler;
    {
        std::lock_guard lock(m_mutex);
        if (!m_error.isEmpty())
            return;
        m_error = QStringLiteral("recording to %1 failed: %2").arg(m_path, message);
        handler = m_errorHandler;
    }
    if (handler)
        handler(error());
}

void Recorder::runStarted(const RunInfo &info) {
    // Runs on the caller's thread before the writer starts: the run's id is needed at once.
    sqlite3_stmt *s = nullptr;
    const char *sql =
        "INSERT INTO runs (uuid, scenario, scenario_path, fixture, fixture_path, station, dut_serial,"
        " firmware, host, seed, started_at_ns) VALUES (?,?,?,?,?,?,?,?,?,?,?)";
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
        sqlite3_bind_int64(s, 11, info.startedWallNs);
        rc = sqlite3_step(s);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        fail(QString::fromUtf8(sqlite3_errmsg(m_db)));
        return;
    }
    m_runId = sqlite3_last_insert_rowid(m_db);
    m_thread = std::thread([this] { writerLoop(); });
}

void Recorder::runInfoChanged(const RunInfo &info) {
    enqueue(InfoUpdate{info});
}

void Recorder::stepFinished(const StepResult &result) {
    enqueue(result);
}

void Recorder::eventRecorded(const Event &event) {
    enqueue(event);
}

void Recorder::exchange(qint64 timeNs, const QString &device, Direction dir, const QByteArray &data) {
    enqueue(Exchange{timeNs, device, dir, data});
}

void Recorder::faultStarted(const FaultRecord &fault) {
    enqueue(FaultUpdate{fault, true});
}

void Recorder::faultEnded(const FaultRecord &fault) {
    enqueue(FaultUpdate{fault, false});
}

void Recorder::faultRecovered(const FaultRecord &fault) {
    enqueue(FaultUpdate{fault, false});
}

void Recorder::runFinished(const RunSummary &summary) {
    enqueue(summary);
}

void Recorder::enqueue(Item item) {
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable() || m_stop || !m_error.isEmpty())
            return;
        m_queue.push_back(std::move(item));
    }
    m_cv.notify_one();
}

bool Recorder::close() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_one();
    if (m_thread.joinable())
        m_thread.join();
    return error().isEmpty();
}

void Recorder::writerLoop() {
    Statements statements(m_db);
    if (!statements.ok()) {
        fail(statements.error());
        return;
    }
    auto lastCommit = std::chrono::steady_clock::now() - kMaxCommitDelay;
    std::vector<Item> batch;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || !m_queue.empty(); });
            // Gather for a moment so that a busy run commits a few times a second, not per row; the
            // wait never exceeds kMaxCommitDelay after the first queued item.
            m_cv.wait_until(lock, lastCommit + kMinCommitInterval, [this] { return m_stop; });
            batch.swap(m_queue);
            if (batch.empty() && m_stop)
                return;
        }
        if (!batch.empty()) {
            bool ok = sqlite3_exec(m_db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
            for (const Item &item : batch) {
                if (!ok)
                    break;
                ok = write(statements, item);
            }
            if (ok)
                ok = sqlite3_exec(m_db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
            if (!ok) {
                const QString why = QString::fromUtf8(sqlite3_errmsg(m_db));
                sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
                fail(why);
                std::lock_guard lock(m_mutex);
                m_queue.clear();
                return;
            }
            batch.clear();
            lastCommit = std::chrono::steady_clock::now();
        }
    }
}

bool Recorder::write(Statements &st, const Item &item) {
    const auto run = [this](sqlite3_stmt *s) {
        const int rc = sqlite3_step(s);
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
        if (!run(s))
            return false;
        const sqlite3_int64 stepId = sqlite3_last_insert_rowid(m_db);
        for (const MeasurementResult &m : r->measurements) {
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
    sqlite3_bind_int64(f, 12, m_runId);
    return run(f);
}

} // namespace hil
