#pragma once

#include "core/run/verdictrule.h"

#include <QString>
#include <optional>

struct sqlite3;

namespace hil {

// The stored side of the verdict rule: the tallies and fault facts of run `runId`, read back from
// step_results and faults, the same facts the runner's RunLedger gathered while the run went on; the
// harness facts (aborted, interrupted, ...) are the caller's. A step counts as a check when a row of it had
// an answer or FAILed (the store keeps no copy of the scenario). A fault's recovery bound is its
// `recover: {within: ...}` as written in faults.params, else the default grace. nullopt with *error when
// the database cannot be read. Read-only.
std::optional<VerdictInputs> readVerdictInputs(sqlite3 *db, qint64 runId, QString *error);

// The recovery bound written in a fault's parameters, or the default grace (FaultInjector::kDefaultGraceNs).
qint64 recoveryBoundFromParams(const QString &params);

} // namespace hil
