#pragma once

#include "core/base/verdict.h"
#include "core/config/scenario.h"
#include "core/run/results.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace hil {

// The one verdict rule of a run (docs/scenarios.md, Verdicts): pure functions over what a run recorded,
// built live by the RunLedger and from the store by readVerdictInputs (store/verdictinputsreader.h), so
// that the runner's verdict, the runs table, every report and `hil runs` say the same.
//
// A failure that a fault excused stays excused only if the device is proven to recover from that fault: it
// passed a check that started before the fault began, and a check that started after the fault ended
// (and after every fault that held it) passed within the fault's recovery bound. A fault on a proxy acts on
// the devices the proxy serves: each of them must have passed before it, and passed after it within the
// bound. A step that checks a
// device and never passed cannot PASS, whatever excused its failures. Only the last try of a step with
// `retry:` or `until:` counts: the tries before it (StepResult::retried) are tallied as retried, neither
// pass nor fail, and prove no recovery.

// The results of one step on one device, over every iteration and repetition of it.
struct StepTally {
    struct Excused {
        qint64 fail = 0;
        qint64 error = 0;
    };
    Phase phase = Phase::Steps;
    int stepIndex = 0; // -1: a result of the harness's own (a missed recovery bound)
    QString step;
    QString device;
    bool exchange = false; // a check: the step expects an answer
    qint64 pass = 0;
    qint64 fail = 0; // not excused
    qint64 error = 0;
    qint64 abort = 0;
    qint64 marginal = 0;
    qint64 retried = 0;         // tries a later try followed: recorded, in none of the counts above
    QMap<int, Excused> excused; // failures excused at the time, by the fault that excused them

    qint64 total() const;
    qint64 excusedTotal() const;
};

// What a run knows about one fault, from the rows: enough to say whether its excuses were earned.
struct FaultFacts {
    int id = 0;         // FaultRecord::id live, faults.id from the store: what StepTally::excused keys on
    int number = 0;     // its place in the run (1 = the first fault started), for messages
    QString device;     // or proxy
    QStringList served; // a fault on a proxy: the devices it acts on (none: it excuses nothing)
    QString what;       // "link latency", "device reboot", "proxy blackout"
    qint64 startNs = 0;
    qint64 endNs = -1; // -1: it never ended (the run was interrupted during it)
    qint64 recoveryBoundNs = 0;
    bool passedBefore = false;   // the device passed a check that started before the fault did
    bool recoveredAfter = false; // and one that started after it ended, within the bound
    qint64 excusedRows = 0;      // filled in by decideVerdict from the tallies

    // The devices whose passes prove the facts above: its device, or every device its proxy serves.
    QStringList devices() const { return served.isEmpty() ? QStringList{device} : served; }
    bool proven() const { return passedBefore && recoveredAfter; }
};

struct VerdictInputs {
    QList<StepTally> tallies;
    QList<FaultFacts> faults;
    // Facts of the harness, each with its own sentence in reasons.
    bool aborted = false;       // a person or a signal stopped the run
    bool benchFailed = false;   // a device could not be connected
    bool storeFailed = false;   // the results could not be recorded
    bool deviceGone = false;    // a device was lost outside a fault window
    bool reportsFailed = false; // a report could not be written
    bool interrupted = false;   // the recording process died before it closed the run
    QStringList reasons;        // the harness's own words for the facts above, listed first
};

struct VerdictDecision {
    Verdict verdict = Verdict::Pass;
    QStringList reasons;       // why it is not PASS, in human sentences naming step, device and fault
    RunCounts counts;          // excused rows of unproven faults count as the FAIL or ERROR they are
    QList<int> unprovenFaults; // ids of faults that excused rows without earning it
};

// ABORT > ERROR > FAIL > PASS:
// - ABORT: aborted.
// - ERROR: bench, store or reports failed, a device gone or the run interrupted; an ERROR row not
//   excused; or no check ran in the steps phase although setup passed ("no check ran").
// - FAIL: a FAIL row not excused (setup included); a fault that excused rows without proven recovery; a
//   check of the steps phase on a device that never passed it.
VerdictDecision decideVerdict(const VerdictInputs &in);

// The most reasons a decision lists; the last then says how many more there were.
constexpr int kMaxVerdictReasons = 12;

} // namespace hil
