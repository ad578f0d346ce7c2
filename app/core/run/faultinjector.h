#pragma once

#include "core/config/faultplan.h"
#include "core/run/faultscheduler.h"
#include "core/run/results.h"

#include <QMap>
#include <QObject>
#include <QSet>
#include <functional>
#include <optional>

class QTimer;

namespace hil {

class Bench;

// Carries out faults on a bench: the scenario's timeline (through a FaultScheduler), `fault:` and
// `clear:` steps, and manual injections. Records each fault's start, end, link counters and the device's
// recovery (end of the fault to its first PASS), and knows which failures a fault excuses: while a fault
// acts on a device, and after it until the device's first PASS or `recover.within` (10 s if not given),
// failures on that device are expected unless the fault says count_failures. A fault on a proxy acts so on
// every device the proxy serves, and has recovered when each of them has passed after its end; on a proxy
// that serves none it excuses nothing and its recovery is not tracked. Lives on the runner's thread.
class FaultInjector : public QObject {
    Q_OBJECT
public:
    // toRunNs converts monotonic ns to ns since the run started.
    FaultInjector(Bench *bench, quint64 seed, std::function<qint64(qint64)> toRunNs,
                  QObject *parent = nullptr);
    ~FaultInjector() override;

    void startTimeline(const QList<FaultEntry> &entries);
    // Starts a fault now; it ends after `duration` (or the entry's `for`), or when cleared. Returns its id.
    int inject(const FaultEntry &entry, bool manual, std::optional<qint64> durationNs = std::nullopt);
    // Ends the active faults on a device or proxy now ("all": every one).
    void clear(const QString &target);
    // Ends every active fault and stops the timeline (the end of the steps, or of the run).
    void endAll();

    // The fault that excuses a failure on this device now, or -1.
    int excusingFault(const QString &device) const;
    // A PASS on a recovering device ends its recovery.
    void stepFinished(const StepResult &result);

    static constexpr qint64 kDefaultGraceNs = 10'000'000'000LL;

signals:
    void faultStarted(const hil::FaultRecord &fault);
    void faultEnded(const hil::FaultRecord &fault);
    void faultRecovered(const hil::FaultRecord &fault);
    // The device did not answer correctly within the fault's `recover.within`.
    void recoveryMissed(const hil::FaultRecord &fault, const QString &message);
    void eventRaised(qint64 monoNs, hil::EventKind kind, const QString &device, const QString &detail);

private:
    struct Active {
        FaultRecord record;
        FaultEntry entry;
        QTimer *endTimer = nullptr;
        bool ending = false; // a device fault whose clearing the simulator has not confirmed yet
    };
    struct Recovering {
        FaultRecord record;
        qint64 endMonoNs = 0;
        bool countFailures = false;
        bool check = false;   // recover.within given: missing it is a FAIL
        bool excusing = true; // failures are expected until the bound passes
        QTimer *deadline = nullptr;
        qint64 withinNs = 0;
        QSet<QString> waiting;    // devices that have not passed since the end (a proxy's: those it serves)
        qint64 lastPassEndNs = 0; // the latest first pass among them
    };
    // Ends a fault. A device fault ends when its simulator confirms the clearing command (until then its
    // failures are still its own); with `now`, at once (the run is ending).
    void end(int id, bool now = false);
    void finishEnd(int id);
    // Whether a fault is acting on `device` now.
    bool actsOn(const QString &device) const;
    bool actsOnAny(const QSet<QString> &devices) const;
    void endMatching(const QString &target, bool now);
    void beginRecovery(const FaultRecord &record, const FaultEntry &entry, qint64 endMonoNs);

    Bench *m_bench;
    quint64 m_seed;
    std::function<qint64(qint64)> m_toRunNs;
    FaultScheduler *m_scheduler = nullptr;
    QMap<int, Active> m_active;
    QMap<QString, Recovering> m_recovering; // by the fault's device or proxy
    int m_nextId = 1;
};

} // namespace hil
