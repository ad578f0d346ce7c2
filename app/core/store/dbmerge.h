#pragma once

#include <QString>
#include <QStringList>
#include <functional>

namespace hil {

struct MergeSourceResult {
    QString path;
    int runsMerged = 0;   // new to the target
    int runsReplaced = 0; // the target held the run unfinished; the source has it finished
    int runsSkipped = 0;  // already in the target (same uuid)
    qint64 stepResults = 0, measurements = 0, events = 0, exchanges = 0, faults = 0; // rows copied
};

// Merges the runs of results databases into one (hil merge --into FLEET.db A.db B.db ...), so that the
// nightly runs of many benches report together.
//
// - Runs are identified by uuid: a run already in the target is skipped, so merging the same file twice,
//   or a file that holds runs merged before, adds nothing. A run the target holds still RUNNING (merged
//   while it recorded) is replaced when the source has it finished.
// - Ids are remapped: every copied row gets a new id above the target's largest, and measurements point at
//   their step result's new id; the order of rows within a run is kept (so it stays time order).
// - Each run is copied in one transaction: an interrupted merge leaves whole runs, never half of one,
//   and the next merge completes it. Every table's row count is checked against the source.
// - Sources are opened read-only (never migrated or changed); the target is created or migrated to this
//   build's schema. A source of a newer schema version than this build is refused, as is the target
//   itself as a source.
//
// - A target that a run is recording into (a live writer, runliveness.h) is refused: the merge would
//   hold the write lock for a whole run's copy, longer than the recorder's busy timeout, and the live run
//   would end as ERROR with results lost. Checked before anything is copied and again in each run's
//   transaction (a run that starts meanwhile stops the merge at the next run; what was merged stays).
//
// progress, if set, is called after each run with the source's path and the run's uuid. Stops at the
// first problem with *error: BadSource for a source that is missing, is the target, is not a results
// database or is of a newer schema; TargetLive for a target a run is recording into; Failed for anything
// else (the target cannot be opened or written). *results holds what was merged up to then; the runs
// merged before the problem stay merged.
enum class MergeOutcome { Merged, BadSource, TargetLive, Failed };
MergeOutcome
mergeDatabases(const QString &target, const QStringList &sources, QList<MergeSourceResult> *results,
               QString *error,
               const std::function<void(const QString &source, const QString &uuid)> &progress = {});

} // namespace hil
