#pragma once

#include "core/config/fixture.h"
#include "core/config/scenario.h"
#include "core/run/results.h"

#include <QMap>
#include <QObject>
#include <QTimer>
#include <memory>
#include <optional>

namespace hil {

class Bench;
class DeviceSession;
class FaultInjector;
class ResultListener;

struct RunOptions {
    std::optional<quint64> seed; // overrides the scenario's; random if neither gives one
    bool recordExchanges = false;
    int connectTimeoutMs = 15000;
    qint64 stallThresholdNs = 25'000'000; // a longer gap of the engine thread is a bench-stall; 0: off
};

// Executes one scenario on one bench: setup, the steps (looped by the scenario's repeat), teardown.
// Driven entirely by the event loop of the thread it lives on; timed loops run on absolute deadlines
// (start + n * every). Results go to the listeners in order (they are not owned and must outlive the run).
//
// Verdicts: a step FAILs when the device answers wrong, late or not at all, and ERRORs when the bench
// fails (device not connected, link lost, simulator gone). A failed or errored setup skips the steps; a
// lost device ends the steps and goes to teardown. abort() ends the run as ABORT at once, teardown skipped.
class Runner : public QObject {
    Q_OBJECT
public:
    Runner(Scenario scenario, Fixture fixture, RunOptions options, QObject *parent = nullptr);
    ~Runner() override;

    void addListener(ResultListener *listener);
    void start();
    // Ends the run now with `verdict` (ABORT for a person or a signal, ERROR when the harness itself
    // cannot go on, such as a recorder that cannot write). Safe to call at any time from the runner's
    // thread, also before start() and after the end.
    void abort(const QString &reason, Verdict verdict = Verdict::Abort);

    // Pause: the step under way finishes, no new one starts; resume() goes on where it stopped, with the
    // schedule shifted by the time paused. Faults already running keep their own timing.
    void pause();
    void resume();
    bool isPaused() const { return m_paused; }

    // Faults by hand (recorded as manual): start one now, for its `for` or until cleared; clear those on a
    // device or proxy ("all": every one). Only while the run is running. Returns the fault's id, or -1.
    int injectFault(const FaultEntry &fault);
    void clearFaults(const QString &target);
    // The bench of the run, once started (for its devices' states); owned by the runner.
    Bench *bench() const { return m_bench; }

    const RunHeader &info() const { return m_info; }
    const RunCounts &counts() const { return m_counts; }
    bool isFinished() const { return m_finished; }
    // Why the run ended early (empty if it ran to its end).
    const QString &endReason() const { return m_endReason; }

signals:
    void finished(hil::Verdict verdict);

private:
    enum class Stage { Idle, Connecting, Running, Done };

    void beginPhase(Phase p);
    void runStep();
    void stopConnectWait();
    void stepDone(StepResult result);
    // Marks a result expected when a fault excuses it, counts it and hands it to the listeners.
    void record(StepResult &result);
    // Counts a result and hands it, then the counts so far, to every listener: the only way out of here.
    void publish(const StepResult &result);
    void noteLostDevice(const StepResult &result);
    void afterStep(bool stopPhase);
    void scheduleAt(qint64 deadlineNs);
    void onDeadlineTimer();
    // The schedule slot after `slot` of a loop started at startNs (deadline: start + slot * every).
    qint64 nextSlot(const Repeat &rep, qint64 startNs, qint64 slot, qint64 nowNs, const QString &what);
    // Whether a loop that has run `done` times goes on, its next run being in `slot`.
    static bool repeatsAgain(const Repeat &rep, qint64 startNs, qint64 done, qint64 slot, qint64 nowNs);
    void finish(const QString &reason);
    void emitEvent(qint64 monoNs, EventKind kind, const QString &device, const QString &detail);
    StepResult newResult(const Step &step) const;
    void evaluate(const Step &step, StepResult &r, const QRegularExpressionMatch &match);
    qint64 rel(qint64 monoNs) const { return monoNs - m_startNs; }

    Scenario m_scenario;
    Fixture m_fixture;
    RunOptions m_options;
    RunHeader m_info;
    QList<ResultListener *> m_listeners;
    Bench *m_bench = nullptr;
    FaultInjector *m_faults = nullptr;
    QMap<QString, qint64> m_lostSince; // devices lost outside a fault window, since when (monotonic)
    bool m_stepLostDevice = false;     // the step that just ended found its device lost

    Stage m_stage = Stage::Idle;
    Phase m_phase = Phase::Setup;
    int m_stepIndex = 0;
    qint64 m_iteration = 0;
    qint64 m_repetition = 0;
    qint64 m_loopSlot = 0; // schedule slots; ahead of the counts when slots were skipped
    qint64 m_stepSlot = 0;
    qint64 m_startNs = 0;
    qint64 m_loopStartNs = 0;     // start of the scenario's repeat
    qint64 m_stepLoopStartNs = 0; // start of the current step's repeat
    qint64 m_deadlineNs = 0;      // when the current step was due
    bool m_stepActive = false;
    qint64 m_stepStartNs = 0;
    DeviceSession *m_waitingOn = nullptr;
    QTimer m_timer;                          // next deadline
    QTimer m_waitTimer;                      // a `wait:` step
    QMetaObject::Connection m_waitIdle;      // a step waiting for a device's background exchange
    QTimer m_connectTimer;                   // a step's budget for its device to reconnect
    QMetaObject::Connection m_waitConnected; // a step waiting for its device to reconnect
    qint64 m_connectWaitSinceNs = -1;        // when the current step began waiting for its device

    RunCounts m_counts;
    Verdict m_verdict = Verdict::Pass;
    bool m_paused = false;
    bool m_stepPending = false; // a step came due while paused
    qint64 m_pausedAtNs = 0;
    bool m_setupFailed = false;
    bool m_deviceLost = false;
    bool m_finished = false;
    qint64 m_iterationsDone = 0;
    QString m_endReason;
};

} // namespace hil
