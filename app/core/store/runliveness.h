#pragma once

#include "core/run/results.h"

#include <QString>
#include <optional>

struct sqlite3;

namespace hil {

// A run's writer commits at least this often, also when there is nothing else to write
// (runs.heartbeat_at_ns).
constexpr qint64 kHeartbeatIntervalNs = 2'000'000'000;
// A writer silent for longer than this is taken for gone even if a process with its pid exists (the pid
// may have been reused) or if it ran on another host (whose pids cannot be checked from here).
constexpr qint64 kHeartbeatStaleNs = 120'000'000'000;

// What a run with no end (runs.ended_at_ns NULL) is: still being recorded, or interrupted (its writer is
// provably gone: a dead pid on this host, or a heartbeat older than kHeartbeatStaleNs), or unknown (a row
// written before schema 3 carries no writer).
struct UnfinishedRun {
    enum class State { Live, Interrupted, Unknown };
    State state = State::Unknown;
    // For an interrupted run: the end reason, "interrupted: ...", and what the row then says: ended at
    // the writer's last sign of life, the largest monotonic time recorded as its duration, ERROR, and
    // the counts of the step results that made it to the database.
    QString reason;
    qint64 lastSignOfLifeNs = 0; // wall clock
    qint64 recordedSpanNs = 0;   // monotonic, since the run started
    RunCounts counts;            // by the verdict rule (verdictrule.h)
    QList<int> unexcusedFaults;  // faults.id of faults whose excuses were not earned
};

// Looks at run `runId` of a schema-3 database through `db` (read-only use); nullopt if the run has ended
// or the query fails. Never writes.
std::optional<UnfinishedRun> inspectUnfinishedRun(sqlite3 *db, qint64 runId);

// Whether a process with this pid runs on this host (a zombie counts as gone).
bool processAlive(qint64 pid);

} // namespace hil
