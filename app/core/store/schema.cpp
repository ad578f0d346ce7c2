#include "core/store/schema.h"

#include "core/store/sqliteerror.h"

#include <sqlite3.h>

namespace hil {

namespace {

const char *const kSchemaV1 = R"sql(
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    scenario      TEXT NOT NULL,
    scenario_path TEXT,
    fixture       TEXT NOT NULL,
    fixture_path  TEXT,
    station       TEXT,
    dut_serial    TEXT,
    firmware      TEXT,
    host          TEXT,
    seed          INTEGER NOT NULL,
    started_at_ns INTEGER NOT NULL,      -- wall clock, ns since the Unix epoch
    ended_at_ns   INTEGER,               -- NULL while running or if the run was interrupted
    duration_ns   INTEGER,
    verdict       TEXT NOT NULL DEFAULT 'RUNNING',
    reason        TEXT,
    iterations    INTEGER NOT NULL DEFAULT 0,
    n_pass        INTEGER NOT NULL DEFAULT 0,
    n_fail        INTEGER NOT NULL DEFAULT 0,
    n_error       INTEGER NOT NULL DEFAULT 0,
    n_abort       INTEGER NOT NULL DEFAULT 0,
    n_marginal    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE step_results (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    phase       TEXT NOT NULL,           -- setup, steps, teardown
    iteration   INTEGER NOT NULL,
    step_index  INTEGER NOT NULL,
    repetition  INTEGER NOT NULL,
    step        TEXT NOT NULL,
    device      TEXT,
    start_ns    INTEGER NOT NULL,        -- monotonic, since the run started
    end_ns      INTEGER NOT NULL,
    latency_ns  INTEGER,                 -- send to answer; NULL without an answer
    lateness_ns INTEGER NOT NULL DEFAULT 0,
    verdict     TEXT NOT NULL,
    marginal    INTEGER NOT NULL DEFAULT 0,
    message     TEXT,
    response    BLOB                     -- the device's answer, bytes as received
);
CREATE INDEX step_results_run ON step_results(run_id, phase, step_index);
CREATE TABLE measurements (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step_result_id INTEGER NOT NULL REFERENCES step_results(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    value         REAL,                  -- NULL when the capture was not a number
    unit          TEXT,
    low           REAL,
    high          REAL,
    marginal_low  REAL,
    marginal_high REAL,
    verdict       TEXT NOT NULL,
    marginal      INTEGER NOT NULL DEFAULT 0,
    t_ns          INTEGER NOT NULL
);
CREATE INDEX measurements_run ON measurements(run_id, name);
CREATE TABLE events (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    t_ns    INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    device  TEXT,
    detail  TEXT
);
CREATE INDEX events_run ON events(run_id, t_ns);
CREATE TABLE exchanges (
    id        INTEGER PRIMARY KEY,
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    t_ns      INTEGER NOT NULL,
    device    TEXT NOT NULL,
    direction TEXT NOT NULL,             -- tx (to the device) or rx (from the device)
    data      BLOB NOT NULL
);
CREATE INDEX exchanges_run ON exchanges(run_id, t_ns);
)sql";

// Version 2: one row per injected fault, with its window, parameters, recovery time and link counters.
const char *const kMigrateTo2 = R"sql(
CREATE TABLE faults (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    device          TEXT,
    target          TEXT NOT NULL,          -- link, device, power, proxy
    kind            TEXT NOT NULL,          -- blackout, latency, drift, reboot, cycle, ...
    direction       TEXT,                   -- link faults: to-device, from-device, both
    params          TEXT,                   -- the fault's parameters as written
    seed            INTEGER,
    manual          INTEGER NOT NULL DEFAULT 0,
    start_ns        INTEGER NOT NULL,
    end_ns          INTEGER,                -- NULL while active (or if the run ended during it)
    recovery_ns     INTEGER,                -- end of the fault to the device's first good answer
    bytes_dropped   INTEGER,
    bytes_corrupted INTEGER,
    bytes_delayed   INTEGER
);
CREATE INDEX faults_run ON faults(run_id, start_ns);
ALTER TABLE step_results ADD COLUMN expected INTEGER NOT NULL DEFAULT 0; -- failure during a fault window
ALTER TABLE step_results ADD COLUMN fault_id INTEGER;                    -- the fault acting, -> faults.id
ALTER TABLE runs ADD COLUMN n_expected INTEGER NOT NULL DEFAULT 0;
)sql";

// Version 3: who is writing a run, and when it last committed, so that a run whose process died without
// closing it can be told from one still being recorded (docs/schema.md, runs).
const char *const kMigrateTo3 = R"sql(
ALTER TABLE runs ADD COLUMN writer_pid INTEGER;      -- process recording the run
ALTER TABLE runs ADD COLUMN writer_host TEXT;        -- host of that process
ALTER TABLE runs ADD COLUMN heartbeat_at_ns INTEGER; -- wall clock of the writer's last commit
)sql";

// Version 4: correlation and the harness watching itself: the exchange a step result answered (`calc#12`)
// and how long the harness was stalled while it was in flight (its latency is then NULL, not the device's).
const char *const kMigrateTo4 = R"sql(
ALTER TABLE step_results ADD COLUMN exchange TEXT;     -- the request answered, `device#seq`
ALTER TABLE step_results ADD COLUMN stall_ns INTEGER;  -- harness stall during the exchange; NULL if none
)sql";

// Version 5: sweeps and retries. The `for_each:` values a step ran with, as a JSON object that keeps their
// types ({"V": 3.3, "mode": "fast"}), and the tries of a step with `retry:`/`until:`: a try that another
// followed is `retried`, recorded but not counted for the verdict (runs.n_retried counts them).
const char *const kMigrateTo5 = R"sql(
ALTER TABLE step_results ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1; -- the try, 1-based
ALTER TABLE step_results ADD COLUMN retried INTEGER NOT NULL DEFAULT 0; -- 1: a later try followed
ALTER TABLE step_results ADD COLUMN bindings TEXT;                      -- JSON object; NULL outside a sweep
ALTER TABLE runs ADD COLUMN n_retried INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN vars TEXT; -- JSON object: the variables known before the run, as it used them
)sql";

// Version 6: per-interval rollups of the step results (docs/schema.md), which the recorder writes with the
// rows, and partial indexes on the results a report looks up one by one (failures, retried tries). An
// older run has no rollup; its report reads its rows.
const char *const kMigrateTo6 = R"sql(
CREATE TABLE step_rollups (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    phase         TEXT NOT NULL,
    step_index    INTEGER NOT NULL,
    step          TEXT NOT NULL,
    device        TEXT NOT NULL,         -- '' for a step result without a device
    bin           INTEGER NOT NULL,      -- start_ns / 10 s
    first_id      INTEGER NOT NULL,      -- step_results.id of the bin's first and last result
    last_id       INTEGER NOT NULL,
    results       INTEGER NOT NULL,      -- not retried; by class:
    pass          INTEGER NOT NULL,
    fail          INTEGER NOT NULL,
    error         INTEGER NOT NULL,
    abort         INTEGER NOT NULL,      -- ABORT and unknown verdicts
    expected      INTEGER NOT NULL,      -- FAIL or ERROR while a fault acted
    marginal      INTEGER NOT NULL,
    retried       INTEGER NOT NULL,
    stalled       INTEGER NOT NULL,
    swept         INTEGER NOT NULL,
    total_ns      INTEGER NOT NULL,
    latency_count INTEGER NOT NULL,      -- every answer, retried tries too
    latency_sum   INTEGER NOT NULL,
    latency_min   INTEGER NOT NULL,
    latency_max   INTEGER NOT NULL,
    fault_latency_sum INTEGER NOT NULL,  -- of the latencies while a fault acted
    latencies     BLOB,                  -- histogram of the latencies outside faults
    fault_latencies BLOB,                -- and while a fault acted
    first_pf      INTEGER NOT NULL,      -- pass/fail order: -1 none, 0 pass, 1 fail
    last_pf       INTEGER NOT NULL,
    flips         INTEGER NOT NULL,
    has_pass      INTEGER NOT NULL,
    lead          INTEGER NOT NULL,      -- fails before the first pass
    lead_start_ns INTEGER NOT NULL,
    trail         INTEGER NOT NULL,      -- fails after the last pass
    trail_start_ns INTEGER NOT NULL,
    longest       INTEGER NOT NULL,      -- longest fail streak between two passes
    longest_start_ns INTEGER NOT NULL
);
CREATE INDEX step_rollups_run ON step_rollups(run_id);
CREATE TABLE device_rollups (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    device          TEXT NOT NULL,
    bin             INTEGER NOT NULL,
    current         INTEGER NOT NULL,    -- 1: holds totals, outages and the state after its last result
    up_ns           INTEGER NOT NULL,
    down_ns         INTEGER NOT NULL,
    fault_ns        INTEGER NOT NULL,
    unknown_ns      INTEGER NOT NULL,
    episodes        INTEGER NOT NULL,
    up_spread_ns    INTEGER NOT NULL,    -- up and known time that fell in this bin
    known_spread_ns INTEGER NOT NULL,
    outage_ns       INTEGER NOT NULL,    -- longest outage closed while this cell was current
    outage_start_ns INTEGER NOT NULL,
    in_outage       INTEGER NOT NULL,
    open_start_ns   INTEGER NOT NULL,
    open_end_ns     INTEGER NOT NULL
);
CREATE INDEX device_rollups_run ON device_rollups(run_id);
CREATE INDEX step_results_failed ON step_results(run_id, phase, step_index, step, device, id)
    WHERE verdict IN ('FAIL', 'ERROR') AND expected = 0 AND retried = 0;
CREATE INDEX step_results_retried ON step_results(run_id, phase, step_index, step, device, id)
    WHERE retried = 1;
CREATE INDEX step_results_faulted ON step_results(run_id, device, start_ns)
    WHERE verdict IN ('FAIL', 'ERROR') AND retried = 0;
)sql";

// Version 7: rollups of the measurement samples (samplerollup.h), and the runs that have them from their
// first sample (a run recorded by an older binary into the file has step rollups but none of these).
const char *const kMigrateTo7 = R"sql(
CREATE TABLE measurement_rollups (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    phase         TEXT NOT NULL,
    step_index    INTEGER NOT NULL,
    step          TEXT NOT NULL,
    device        TEXT NOT NULL,         -- '' for a step result without a device
    name          TEXT NOT NULL,
    bin           INTEGER NOT NULL,      -- t_ns / 10 s
    samples       INTEGER NOT NULL,      -- of step results not retried; by what they count for:
    non_numeric   INTEGER NOT NULL,      -- not a number, outside faults
    fail          INTEGER NOT NULL,      -- FAIL samples, outside faults
    expected      INTEGER NOT NULL,      -- of step results that failed during a fault
    marginal      INTEGER NOT NULL,
    count         INTEGER NOT NULL,      -- numeric values, and of them:
    mean          REAL NOT NULL,
    m2            REAL NOT NULL,         -- sum of squared deviations from the mean
    min           REAL NOT NULL,
    max           REAL NOT NULL,
    sum           REAL NOT NULL,
    unit          TEXT,                  -- the unit and limits of the cell's first sample
    low           REAL,
    high          REAL,
    marginal_low  REAL,
    marginal_high REAL
);
CREATE INDEX measurement_rollups_run ON measurement_rollups(run_id);
CREATE TABLE measurement_rollup_runs (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE
);
)sql";

bool exec(sqlite3 *db, const char *sql, QString *error) {
    char *msg = nullptr;
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
    sqlite3_free(msg);
    if (rc == SQLITE_OK)
        return true;
    if (error)
        *error = describeSqliteError(db, rc);
    return false;
}

} // namespace

bool prepareDatabase(sqlite3 *db, QString *error) {
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    if (!exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", error))
        return false;
    sqlite3_stmt *stmt = nullptr;
    int version = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK
        && sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    if (version == kSchemaVersion)
        return true;
    static_assert(kSchemaVersion == 7, "add the migration to the new version below");
    if (version > kSchemaVersion) {
        if (error)
            *error = QStringLiteral("the database has schema version %1, newer than this build's %2")
                         .arg(version)
                         .arg(kSchemaVersion);
        return false;
    }
    if (!exec(db, "BEGIN IMMEDIATE", error))
        return false;
    // Another process may have created the schema while this one waited for the lock.
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK
        && sqlite3_step(stmt) == SQLITE_ROW)
        version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    bool ok = true;
    if (version == 0)
        ok = exec(db, kSchemaV1, error);
    if (ok && version < 2)
        ok = exec(db, kMigrateTo2, error);
    if (ok && version < 3)
        ok = exec(db, kMigrateTo3, error);
    if (ok && version < 4)
        ok = exec(db, kMigrateTo4, error);
    if (ok && version < 5)
        ok = exec(db, kMigrateTo5, error);
    if (ok && version < 6)
        ok = exec(db, kMigrateTo6, error);
    if (ok && version < 7)
        ok = exec(db, kMigrateTo7, error);
    if (ok && version < kSchemaVersion)
        ok = exec(db, "PRAGMA user_version = 7", error);
    if (!ok) {
        exec(db, "ROLLBACK", nullptr);
        return false;
    }
    return exec(db, "COMMIT", error);
}

} // namespace hil
