#include "core/store/dbmerge.h"

#include "core/store/readonlydatabase.h"
#include "core/store/runliveness.h"
#include "core/store/schema.h"
#include "core/store/sqliteerror.h"
#include "core/store/sqlitestatement.h"
#include "core/store/steprollup.h"

#include <QFileInfo>
#include <tuple>

namespace hil {

namespace {

static_assert(kSchemaVersion == 7,
              "a new schema version may add columns or tables: copy them in dbmerge.cpp");
// Versions 6 and 7 added the rollups, which are derived from the rows: a merged run's are rebuilt from its
// rows (rebuildStepRollups, which rebuilds the sample rollups too), not copied, so that they agree with the
// rows whatever wrote the source.

// The runs of the target being recorded right now (runliveness.h: Live), as "run 12, pid 4242 on
// bench-3"; empty if none. Read in the caller's transaction.
QStringList liveRuns(sqlite3 *db) {
    QList<std::tuple<qint64, qint64, QString>> unfinished;
    {
        SqliteStatement q(db, "SELECT id, writer_pid, writer_host FROM main.runs"
                              " WHERE ended_at_ns IS NULL AND writer_pid IS NOT NULL");
        while (q.next())
            unfinished.append({q.int64(0), q.int64(1), q.text(2)});
    }
    QStringList live;
    for (const auto &[id, pid, host] : std::as_const(unfinished)) {
        const std::optional<UnfinishedRun> u = inspectUnfinishedRun(db, id);
        if (u && u->state == UnfinishedRun::State::Live)
            live.append(QStringLiteral("run %1, pid %2 on %3").arg(id).arg(pid).arg(host));
    }
    return live;
}

QString liveWriterMessage(const QString &target, const QStringList &live) {
    return QStringLiteral("%1 is being recorded to (%2): a merge into it would hold the write lock that "
                          "run needs for its commits and could stop it; merge once the run has ended, "
                          "or into another file")
        .arg(target, live.join(QStringLiteral("; ")));
}

class Merger {
public:
    Merger(sqlite3 *db, QString target, std::function<void(const QString &, const QString &)> progress)
        : m_db(db)
        , m_target(std::move(target))
        , m_progress(std::move(progress)) {}

    bool mergeSource(const QString &path, MergeSourceResult *result);
    QString error() const { return m_error; }
    bool badSource() const { return m_badSource; }
    bool targetLive() const { return m_targetLive; }

private:
    bool fail(const QString &why) {
        m_error = why;
        return false;
    }
    bool sqlFail(const QString &what) {
        return fail(what + QStringLiteral(": ") + describeSqliteError(m_db, sqlite3_extended_errcode(m_db)));
    }
    bool exec(const char *sql) { return sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }
    bool copyRun(qint64 sourceRun, const QString &uuid, bool hasFaults, bool hasWriter,
                 MergeSourceResult *result);
    bool deleteRun(qint64 targetRun);
    std::optional<qint64> scalar(const char *sql, std::initializer_list<qint64> args);

    sqlite3 *m_db;
    QString m_target;
    std::function<void(const QString &, const QString &)> m_progress;
    QString m_error;
    bool m_badSource = false;
    bool m_targetLive = false;
    qint64 m_sourceVersion = 0;
};

std::optional<qint64> Merger::scalar(const char *sql, std::initializer_list<qint64> args) {
    SqliteStatement q(m_db, sql);
    int i = 1;
    for (qint64 a : args)
        q.bind(i++, a);
    if (!q.ok() || !q.next())
        return std::nullopt;
    return q.isNull(0) ? std::optional<qint64>(0) : q.int64(0);
}

bool Merger::deleteRun(qint64 run) {
    // Child rows first, by their run_id index: cascading from step_results would look up measurements by
    // step_result_id, which has no index.
    for (const char *sql :
         {"DELETE FROM main.measurement_rollups WHERE run_id = ?",
          "DELETE FROM main.measurement_rollup_runs WHERE run_id = ?",
          "DELETE FROM main.step_rollups WHERE run_id = ?",
          "DELETE FROM main.device_rollups WHERE run_id = ?",
          "DELETE FROM main.measurements WHERE run_id = ?", "DELETE FROM main.step_results WHERE run_id = ?",
          "DELETE FROM main.events WHERE run_id = ?", "DELETE FROM main.exchanges WHERE run_id = ?",
          "DELETE FROM main.faults WHERE run_id = ?", "DELETE FROM main.runs WHERE id = ?"}) {
        SqliteStatement q(m_db, sql);
        q.bind(1, run);
        if (!q.ok() || !q.exec())
            return sqlFail(QStringLiteral("removing the unfinished copy of a run"));
    }
    return true;
}

// v2 sources (hasFaults): faults, expected failures and the fault each step result ran under; a v1 source
// has none of them. v3 sources (hasWriter): the writer of an unfinished run and its last heartbeat, so
// the merged copy of an interrupted run still reads as interrupted.
bool Merger::copyRun(qint64 src, const QString &uuid, bool hasFaults, bool hasWriter,
                     MergeSourceResult *result) {
    {
        SqliteStatement q(
            m_db,
            hasFaults
                ? "INSERT INTO main.runs (uuid, scenario, scenario_path, fixture, fixture_path, station,"
                  " dut_serial, firmware, host, seed, started_at_ns, ended_at_ns, duration_ns, verdict,"
                  " reason, iterations, n_pass, n_fail, n_error, n_abort, n_marginal, n_expected)"
                  " SELECT uuid, scenario, scenario_path, fixture, fixture_path, station, dut_serial,"
                  " firmware, host, seed, started_at_ns, ended_at_ns, duration_ns, verdict, reason,"
                  " iterations, n_pass, n_fail, n_error, n_abort, n_marginal, n_expected"
                  " FROM src.runs WHERE id = ?"
                : "INSERT INTO main.runs (uuid, scenario, scenario_path, fixture, fixture_path, station,"
                  " dut_serial, firmware, host, seed, started_at_ns, ended_at_ns, duration_ns, verdict,"
                  " reason, iterations, n_pass, n_fail, n_error, n_abort, n_marginal)"
                  " SELECT uuid, scenario, scenario_path, fixture, fixture_path, station, dut_serial,"
                  " firmware, host, seed, started_at_ns, ended_at_ns, duration_ns, verdict, reason,"
                  " iterations, n_pass, n_fail, n_error, n_abort, n_marginal FROM src.runs WHERE id = ?");
        q.bind(1, src);
        if (!q.ok() || !q.exec())
            return sqlFail(QStringLiteral("copying run %1").arg(uuid));
    }
    const qint64 run = sqlite3_last_insert_rowid(m_db);
    if (hasWriter) {
        SqliteStatement q(m_db,
                          "UPDATE main.runs SET (writer_pid, writer_host, heartbeat_at_ns) ="
                          " (SELECT writer_pid, writer_host, heartbeat_at_ns FROM src.runs WHERE id = ?)"
                          " WHERE id = ?");
        q.bind(1, src);
        q.bind(2, run);
        if (!q.ok() || !q.exec())
            return sqlFail(QStringLiteral("copying run %1").arg(uuid));
    }

    // New ids: the source's ids shifted past the target's largest, which keeps their order and makes
    // clashes impossible.
    const auto offset = [this, src](const char *targetMax, const char *sourceMin) -> std::optional<qint64> {
        const auto top = scalar(targetMax, {});
        const auto low = scalar(sourceMin, {src});
        if (!top || !low)
            return std::nullopt;
        return *top + 1 - *low;
    };
    const auto stepOffset = offset("SELECT max(id) FROM main.step_results",
                                   "SELECT min(id) FROM src.step_results WHERE run_id = ?");
    const auto measOffset = offset("SELECT max(id) FROM main.measurements",
                                   "SELECT min(id) FROM src.measurements WHERE run_id = ?");
    const auto faultOffset = hasFaults ? offset("SELECT max(id) FROM main.faults",
                                                "SELECT min(id) FROM src.faults WHERE run_id = ?")
                                       : std::optional<qint64>(0);
    if (!stepOffset || !measOffset || !faultOffset)
        return sqlFail(QStringLiteral("reading ids of run %1").arg(uuid));

    struct Copy {
        const char *insert;
        const char *count;
        qint64 *rows;
        bool needsFaults;
    };
    // Parameters: ?1 step result id offset, ?2 the new run id, ?3 the source run id, ?4 measurement id
    // offset, ?5 fault id offset. Faults come first so that step results can point at their new ids.
    const Copy copies[] = {
        {"INSERT INTO main.faults (id, run_id, device, target, kind, direction, params, seed, manual, "
         "start_ns, end_ns,"
         " recovery_ns, bytes_dropped, bytes_corrupted, bytes_delayed)"
         " SELECT id + ?5, ?2, device, target, kind, direction, params, seed, manual, start_ns, end_ns, "
         "recovery_ns,"
         " bytes_dropped, bytes_corrupted, bytes_delayed FROM src.faults WHERE run_id = ?3 ORDER BY id",
         "SELECT count(*) FROM src.faults WHERE run_id = ?", &result->faults, true},
        {hasFaults ? "INSERT INTO main.step_results (id, run_id, phase, iteration, step_index, repetition, "
                     "step, device,"
                     " start_ns, end_ns, latency_ns, lateness_ns, verdict, marginal, message, response, "
                     "expected, fault_id)"
                     " SELECT id + ?1, ?2, phase, iteration, step_index, repetition, step, device, start_ns, "
                     "end_ns,"
                     " latency_ns, lateness_ns, verdict, marginal, message, response, expected, fault_id + ?5"
                     " FROM src.step_results WHERE run_id = ?3 ORDER BY id"
                   : "INSERT INTO main.step_results (id, run_id, phase, iteration, step_index, repetition, "
                     "step, device,"
                     " start_ns, end_ns, latency_ns, lateness_ns, verdict, marginal, message, response)"
                     " SELECT id + ?1, ?2, phase, iteration, step_index, repetition, step, device, start_ns, "
                     "end_ns,"
                     " latency_ns, lateness_ns, verdict, marginal, message, response FROM src.step_results"
                     " WHERE run_id = ?3 ORDER BY id",
         "SELECT count(*) FROM src.step_results WHERE run_id = ?", &result->stepResults, false},
        {"INSERT INTO main.measurements (id, run_id, step_result_id, name, value, unit, low, high, "
         "marginal_low,"
         " marginal_high, verdict, marginal, t_ns)"
         " SELECT id + ?4, ?2, step_result_id + ?1, name, value, unit, low, high, marginal_low, "
         "marginal_high,"
         " verdict, marginal, t_ns FROM src.measurements WHERE run_id = ?3 ORDER BY id",
         "SELECT count(*) FROM src.measurements WHERE run_id = ?", &result->measurements, false},
        {"INSERT INTO main.events (run_id, t_ns, kind, device, detail)"
         " SELECT ?2, t_ns, kind, device, detail FROM src.events WHERE run_id = ?3 ORDER BY id",
         "SELECT count(*) FROM src.events WHERE run_id = ?", &result->events, false},
        {"INSERT INTO main.exchanges (run_id, t_ns, device, direction, data)"
         " SELECT ?2, t_ns, device, direction, data FROM src.exchanges WHERE run_id = ?3 ORDER BY id",
         "SELECT count(*) FROM src.exchanges WHERE run_id = ?", &result->exchanges, false},
    };
    for (const Copy &c : copies) {
        if (c.needsFaults && !hasFaults)
            continue;
        SqliteStatement q(m_db, c.insert);
        if (!q.ok())
            return sqlFail(QStringLiteral("copying run %1").arg(uuid));
        // Parameters a statement does not use are not bound (sqlite3_bind_* on them fails harmlessly).
        const qint64 values[] = {*stepOffset, run, src, *measOffset, *faultOffset};
        for (int i = 1; i <= sqlite3_bind_parameter_count(q.get()); ++i)
            sqlite3_bind_int64(q.get(), i, values[i - 1]);
        if (!q.exec())
            return sqlFail(QStringLiteral("copying run %1").arg(uuid));
        const qint64 copied = sqlite3_changes64(m_db);
        const auto expected = scalar(c.count, {src});
        if (!expected || *expected != copied)
            return fail(QStringLiteral("copying run %1: %2 rows copied where the source has %3")
                            .arg(uuid)
                            .arg(copied)
                            .arg(expected ? *expected : -1));
        *c.rows += copied;
    }
    if (m_sourceVersion >= 4) {
        // v4: the exchange each step result answered and the harness stall it overlapped.
        SqliteStatement q(m_db,
                          "UPDATE main.step_results SET (exchange, stall_ns) = (SELECT exchange, stall_ns"
                          " FROM src.step_results WHERE id = main.step_results.id - ?1) WHERE run_id = ?2");
        q.bind(1, *stepOffset);
        q.bind(2, run);
        if (!q.ok() || !q.exec())
            return sqlFail(QStringLiteral("copying run %1").arg(uuid));
    }
    if (m_sourceVersion >= 5) {
        // v5: sweeps and retries, the tries of each step result, the values it was swept with and the
        // run's count of retried tries.
        SqliteStatement q(m_db,
                          "UPDATE main.step_results SET (attempt, retried, bindings) = (SELECT attempt,"
                          " retried, bindings FROM src.step_results WHERE id = main.step_results.id - ?1)"
                          " WHERE run_id = ?2");
        q.bind(1, *stepOffset);
        q.bind(2, run);
        if (!q.ok() || !q.exec())
            return sqlFail(QStringLiteral("copying run %1").arg(uuid));
        SqliteStatement r(m_db,
                          "UPDATE main.runs SET (n_retried, vars) = (SELECT n_retried, vars FROM src.runs"
                          " WHERE id = ?)"
                          " WHERE id = ?");
        r.bind(1, src);
        r.bind(2, run);
        if (!r.ok() || !r.exec())
            return sqlFail(QStringLiteral("copying run %1").arg(uuid));
    }
    QString why;
    if (!rebuildStepRollups(m_db, run, &why))
        return sqlFail(QStringLiteral("building the rollups of run %1").arg(uuid));
    return true;
}

bool Merger::mergeSource(const QString &path, MergeSourceResult *result) {
    result->path = path;
    // Read-only, through a URI so that the file is never written, migrated or checkpointed; an archive in
    // a read-only folder is read as immutable (readonlydatabase.h).
    QString why;
    const QString uri = readOnlyUri(path, &why);
    if (uri.isEmpty()) {
        m_badSource = true;
        return fail(why);
    }
    {
        SqliteStatement attach(m_db, "ATTACH DATABASE ? AS src");
        attach.bind(1, uri);
        if (!attach.ok() || !attach.exec()) {
            m_badSource = true;
            return sqlFail(QStringLiteral("cannot open %1").arg(path));
        }
    }
    const auto detach = [this] { exec("DETACH DATABASE src"); };
    const auto version = scalar("PRAGMA src.user_version", {});
    const auto hasRuns =
        scalar("SELECT count(*) FROM src.sqlite_master WHERE type = 'table' AND name = 'runs'", {});
    const auto hasFaults =
        scalar("SELECT count(*) FROM src.sqlite_master WHERE type = 'table' AND name = 'faults'", {});
    if (!version || !hasRuns || *hasRuns == 0) {
        detach();
        m_badSource = true;
        return fail(QStringLiteral("%1 is not a results database").arg(path));
    }
    if (*version > kSchemaVersion) {
        detach();
        m_badSource = true;
        return fail(QStringLiteral("%1 has schema version %2, newer than this build's %3")
                        .arg(path)
                        .arg(*version)
                        .arg(kSchemaVersion));
    }
    struct SourceRun {
        qint64 id;
        QString uuid;
        bool finished;
    };
    QList<SourceRun> runs;
    {
        SqliteStatement q(
            m_db, "SELECT id, uuid, ended_at_ns IS NOT NULL FROM src.runs ORDER BY started_at_ns, id");
        if (!q.ok()) {
            detach();
            return sqlFail(QStringLiteral("reading the runs of %1").arg(path));
        }
        while (q.next())
            runs.append({q.int64(0), q.text(1), q.int64(2) != 0});
    }
    for (const SourceRun &r : std::as_const(runs)) {
        if (!exec("BEGIN IMMEDIATE")) {
            detach();
            return sqlFail(QStringLiteral("cannot lock the target %1").arg(m_target));
        }
        // A run that began recording into the target since the last look: stop before copying, so that
        // this transaction ends at once and the run's next commit does not wait for a whole run's copy.
        if (const QStringList live = liveRuns(m_db); !live.isEmpty()) {
            exec("ROLLBACK");
            detach();
            m_targetLive = true;
            return fail(liveWriterMessage(m_target, live));
        }
        bool ok = true;
        bool replaced = false;
        bool skip = false;
        {
            SqliteStatement q(m_db, "SELECT id, ended_at_ns IS NOT NULL FROM main.runs WHERE uuid = ?");
            q.bind(1, r.uuid);
            if (q.ok() && q.next()) {
                const bool targetFinished = q.int64(1) != 0;
                if (targetFinished || !r.finished)
                    skip = true;
                else
                    ok = replaced = deleteRun(q.int64(0));
            }
        }
        m_sourceVersion = *version;
        if (ok && !skip)
            ok = copyRun(r.id, r.uuid, *version >= 2 && *hasFaults > 0, *version >= 3, result);
        if (!ok || !exec("COMMIT")) {
            if (ok)
                sqlFail(QStringLiteral("committing run %1").arg(r.uuid));
            exec("ROLLBACK");
            detach();
            return false;
        }
        if (skip)
            ++result->runsSkipped;
        else if (replaced)
            ++result->runsReplaced;
        else
            ++result->runsMerged;
        if (m_progress)
            m_progress(path, r.uuid);
    }
    detach();
    return true;
}

} // namespace

MergeOutcome mergeDatabases(const QString &target, const QStringList &sources,
                            QList<MergeSourceResult> *results, QString *error,
                            const std::function<void(const QString &, const QString &)> &progress) {
    const auto fail = [error](const QString &why, MergeOutcome outcome = MergeOutcome::Failed) {
        if (error)
            *error = why;
        return outcome;
    };
    const QString targetCanonical = QFileInfo(target).canonicalFilePath();
    for (const QString &s : sources) {
        if (QString why; readOnlyUri(s, &why).isEmpty())
            return fail(why, MergeOutcome::BadSource);
        if (!targetCanonical.isEmpty() && QFileInfo(s).canonicalFilePath() == targetCanonical)
            return fail(QStringLiteral("%1 is the target itself").arg(s), MergeOutcome::BadSource);
    }
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(target.toUtf8().constData(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nullptr)
        != SQLITE_OK) {
        const QString why =
            db ? describeSqliteError(db, sqlite3_extended_errcode(db)) : QStringLiteral("out of memory");
        sqlite3_close(db);
        return fail(QStringLiteral("cannot open %1: %2").arg(target, why));
    }
    QString why;
    if (!prepareDatabase(db, &why)) {
        sqlite3_close(db);
        return fail(QStringLiteral("cannot use %1: %2").arg(target, why));
    }
    // A merge holds the target's write lock for the copy of a whole run, seconds for a long one: a run
    // recording into the target would wait for it at its next commit, beyond the busy timeout, and end
    // as ERROR with results lost. Refused instead (and checked again before each run's copy).
    if (const QStringList live = liveRuns(db); !live.isEmpty()) {
        sqlite3_close(db);
        return fail(liveWriterMessage(target, live), MergeOutcome::TargetLive);
    }
    // Rows are copied whole and checked by count; per-row foreign key lookups would only slow the copy.
    sqlite3_exec(db, "PRAGMA foreign_keys = OFF", nullptr, nullptr, nullptr);
    Merger m(db, target, progress);
    MergeOutcome outcome = MergeOutcome::Merged;
    for (const QString &s : sources) {
        MergeSourceResult r;
        const bool ok = m.mergeSource(s, &r);
        if (results)
            results->append(r);
        if (!ok) {
            outcome = fail(m.error(), m.badSource()    ? MergeOutcome::BadSource
                                      : m.targetLive() ? MergeOutcome::TargetLive
                                                       : MergeOutcome::Failed);
            break;
        }
    }
    sqlite3_close(db);
    return outcome;
}

} // namespace hil
