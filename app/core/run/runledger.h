#pragma once

#include "core/run/recoverytracker.h"
#include "core/run/resultlistener.h"
#include "core/run/verdictrule.h"

#include <QMap>
#include <QSet>
#include <tuple>

namespace hil {

// The live side of the verdict rule: tallies every result of a run by step and device, with the fault
// that excused it, and follows the faults and their recoveries, so that the runner decides its verdict and
// final counts with decideVerdict() over the same facts a reader of the store builds
// (store/verdictinputsreader.h). A listener the runner feeds first, on its thread.
class RunLedger : public ResultListener {
public:
    // The scenario says which steps are checks (they expect an answer).
    explicit RunLedger(const Scenario &scenario);

    void stepFinished(const StepResult &result) override;
    void faultStarted(const FaultRecord &fault) override;
    void faultEnded(const FaultRecord &fault) override;

    // The tallies and fault facts so far; the harness facts are the caller's to add.
    VerdictInputs inputs() const;

private:
    using Key = std::tuple<int, int, QString, QString>; // phase, step index, step, device
    QSet<std::pair<int, int>> m_checks;                 // (phase, step index) of steps with an expect
    QMap<Key, qsizetype> m_index;
    QList<StepTally> m_tallies;
    RecoveryTracker m_recovery;
    int m_faultsStarted = 0;
};

} // namespace hil
