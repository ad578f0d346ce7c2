#pragma once

#include "core/run/runheader.h"

#include <QString>
#include <memory>
#include <optional>

struct sqlite3;

namespace hil {

// A read-only connection to a results database, for reports, comparisons and exports. It never writes,
// so it is safe while a run records into the same file (WAL). Owns its connection; use it from one thread.
class RunQuery {
public:
    // Opens the file read-only (openResultsDatabase(): also another user's file, or one in a read-only
    // folder). Fails (nullptr, *error naming the file and the cause) if it is missing, cannot be read,
    // is not a results database, or is of a newer schema version than this build knows.
    static std::unique_ptr<RunQuery> open(const QString &path, QString *error);
    ~RunQuery();
    RunQuery(const RunQuery &) = delete;
    RunQuery &operator=(const RunQuery &) = delete;

    const QString &path() const { return m_path; }
    int schemaVersion() const { return m_version; }
    // Version 2 added the faults table and expected failures (step_results.expected, fault_id,
    // runs.n_expected); older files have none of them.
    bool hasFaultsTable() const { return m_version >= 2; }
    bool hasExpected() const { return m_version >= 2; }
    // Version 3 added the writer of a run and its heartbeat (interrupted runs are told from live ones).
    bool hasWriter() const { return m_version >= 3; }
    // Version 4 added correlation: step_results.exchange and stall_ns.
    bool hasCorrelation() const { return m_version >= 4; }
    // Version 5 added sweeps and retries: step_results.attempt, retried, bindings and runs.n_retried.
    bool hasSweeps() const { return m_version >= 5; }
    // Version 6 added the per-interval rollups of step results (steprollup.h).
    bool hasRollups() const { return m_version >= 6; }
    bool hasSampleRollups() const { return m_version >= 7; }

    // A run named on a command line: "latest" (the most recently started), a run id, or a run uuid (or a
    // prefix of one of at least 8 characters that names exactly one run). nullopt with *error otherwise.
    std::optional<qint64> resolveRun(const QString &spec, QString *error) const;
    std::optional<RunHeader> header(qint64 runId, QString *error) const;
    // The baseline a nightly run compares with: the latest finished run of the same scenario and fixture
    // that started before runId. nullopt with *error if there is none.
    std::optional<qint64> previousRun(qint64 runId, QString *error) const;

    // The smallest and largest row id of a run in step_results or measurements ({0, -1} when it has none).
    // Reports scan that id range in row order, which for a recorded or merged run is time order and
    // costs no sort; the run's rows are picked from it by run_id.
    enum class Table { StepResults, Measurements };
    std::pair<qint64, qint64> idRange(Table table, qint64 runId) const;

private:
    // The row scans share this connection; nothing outside the store sees it.
    friend class RunScan;
    friend class StepPages;
    friend class EventPages;
    friend class RollupScan;

    RunQuery(QString path, sqlite3 *db, int version);

    QString m_path;
    sqlite3 *m_db = nullptr;
    int m_version = 0;
};

} // namespace hil
