#pragma once

#include "core/base/eventkind.h"
#include "core/base/verdict.h"
#include "core/config/binding.h"
#include "core/config/limits.h"
#include "core/config/scenario.h"
#include "core/run/runheader.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace hil {

// Everything here is plain data, copied to listeners. Times are monotonic nanoseconds since the run
// started (RunHeader::startedAtNs anchors them to the wall clock for display).

struct MeasurementResult {
    QString name;
    double value = 0;
    QString unit;
    Range limits;
    Range marginalBand;
    Verdict verdict = Verdict::Pass;
    bool marginal = false;
};

struct StepResult {
    Phase phase = Phase::Steps;
    qint64 iteration = 0;  // of the scenario's repeat, 0-based; 0 in setup and teardown
    int stepIndex = 0;     // position in its phase
    qint64 repetition = 0; // of the step's own repeat, 0-based
    QString step;
    QString device;
    qint64 startNs = 0;
    qint64 endNs = 0;
    qint64 latencyNs = -1; // send to answer; -1 when the step had no answer
    qint64 latenessNs = 0; // how late the step started against its absolute deadline
    // The request this step's answer belongs to (`calc#12`); empty for a step without one.
    QString exchange;
    // How long the harness itself was stalled while the exchange was in flight (0: not at all). Such an
    // answer keeps its verdict but has no latency (latencyNs -1): its true arrival time is unknown.
    qint64 stallNs = 0;
    Verdict verdict = Verdict::Pass;
    bool marginal = false;
    QString message;
    QByteArray response; // the device's actual answer (or what it sent instead)
    QList<MeasurementResult> measurements;
    // A failure while a fault was acting on the device (or it was recovering from one) is expected: the
    // row keeps its verdict, but the run does not count it against the device, provided the device proves
    // it recovers (verdictrule.h); if it does not, the store sets the flag back when the run ends.
    bool expected = false;
    int faultId = -1; // the fault acting on the device when the step ran, if any
    // The try of a step with `retry:` or `until:`, 1-based. A try that another try followed is `retried`:
    // it is recorded as what it was, but only the last try of an exchange counts for the verdict.
    int attempt = 1;
    bool retried = false;
    // The `for_each:` values the step ran with (empty outside a sweep).
    Bindings bindings;
};

// One injected fault: what, where, when, and what it did. Times as everywhere: ns since the run started.
struct FaultRecord {
    int id = 0;         // unique in the run
    QString device;     // or proxy
    QString target;     // link, device, power, proxy (a link fault on a fixture proxy)
    QString kind;       // blackout, latency, drift, reboot, off, cycle, ...
    QString direction;  // link faults
    QString params;     // the fault as written; on a proxy that serves devices, then "; serves: [a, b]"
    QStringList serves; // a proxy fault: the devices it acts on for the verdict rule (faultserves.h)
    quint64 seed = 0;
    bool manual = false; // injected by a step or a person rather than the timeline
    qint64 startNs = 0;
    qint64 endNs = -1;
    qint64 recoveryNs = -1;
    qint64 recoveryBoundNs = 0; // the device must pass again this soon after the end (recover.within)
    qint64 bytesDropped = -1, bytesCorrupted = -1, bytesDelayed = -1;
};

struct Event {
    qint64 timeNs = 0;
    QString kind; // eventKindName() of an EventKind (core/base/eventkind.h): stored and reported as text
    QString device;
    QString detail;
};

struct RunCounts {
    qint64 pass = 0;
    qint64 fail = 0;
    qint64 error = 0;
    qint64 abort = 0;
    qint64 marginal = 0;
    qint64 expected = 0; // failures and errors during fault windows, not counted in fail or error
    qint64 retried = 0;  // tries of a retry/until step that a later try followed: neither pass nor fail

    // Counts a result as it comes, its excuse taken at its word; a run's final counts are decideVerdict's
    // (verdictrule.h), which take back the excuses that were not earned.
    void add(const StepResult &r);
    // The results that count: retried tries are not among them.
    qint64 total() const { return pass + fail + error + abort + expected; }
};

struct RunSummary {
    Verdict verdict = Verdict::Pass;
    RunCounts counts;
    qint64 iterations = 0;
    qint64 endedWallNs = 0;
    qint64 durationNs = 0;
    QString reason;      // why the run ended early, if it did
    QStringList reasons; // why the verdict is not PASS (verdictrule.h), in sentences
    // Faults whose excuse was not earned (their device never proved it recovers): the rows they excused
    // count as the failures they are, and the store marks them so.
    QList<int> unexcusedFaults;
};

// Direction of a raw exchange.
enum class Direction { ToDevice, FromDevice };

} // namespace hil
