#pragma once

#include "core/config/fixture.h"
#include "core/config/scenario.h"
#include "core/expr/varscope.h"
#include "core/run/deadlinetimer.h"
#include "core/run/devicelane.h"
#include "core/run/promptstep.h"
#include "core/run/results.h"
#include "core/run/runledger.h"
#include "core/run/runstate.h"
#include "core/run/stepresolver.h"

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
    QMap<QString, QString> answers{};     // prompts answered beforehand (--answer NAME=VALUE), by name
};

// Executes one scenario on one bench: setup, the steps (looped by the scenario's repeat), teardown.
// Driven entirely by the event loop of the thread it lives on; timed loops run on absolute deadlines
// (start + n * every). Where the run is, is one RunState (core/run/runstate.h). Each device has a lane
// (core/run/devicelane.h) that runs its exchanges; steps follow each other, and a step over several devices
// (`devices:`) runs on all their lanes at once and ends when every lane has finished it. Results go to the
// listeners (they are not owned and must outlive the run).
//
// Verdicts: a step FAILs when the device answers wrong, late or not at all, and ERRORs when the bench
// fails (device not connected, link lost, simulator gone). A failed or errored setup skips the steps; a
// lost device ends the steps and goes to teardown. abort() ends the run as ABORT at once, teardown skipped.
class Runner : public QObject, private LaneHost {
    Q_OBJECT
public:
    Runner(Scenario scenario, Fixture fixture, RunOptions options, QObject *parent = nullptr);
    ~Runner() override;

    void addListener(ResultListener *listener);
    // Who asks the operator the scenario's prompts (promptstep.h); none: a prompt without an answer in
    // RunOptions::answers is an ERROR at once. Not owned; must outlive the run. Before start().
    void setPrompter(Prompter *prompter) { m_prompt->setPrompter(prompter); }
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
    // What the run has learnt so far under names (captures, measurements, prompt answers).
    const VarScope &variables() const { return m_resolver.variables(); }
    RunState state() const { return m_state; }
    bool isFinished() const { return m_state == RunState::Finishing || m_state == RunState::Done; }
    // Why the run ended early (empty if it ran to its end).
    const QString &endReason() const { return m_endReason; }
    // Once finished: why the verdict is not PASS, by the one verdict rule (verdictrule.h).
    const QStringList &verdictReasons() const { return m_verdictReasons; }

signals:
    void finished(hil::Verdict verdict);

private:
    // LaneHost
    void laneResult(StepResult &&result, bool deviceLost) override;
    void laneDone() override;
    void laneEvent(qint64 monoNs, EventKind kind, const QString &device, const QString &detail) override {
        emitEvent(monoNs, kind, device, detail);
    }
    void laneRecordsInfo(const QString &field, const QString &value) override;
    bool phaseStopping() const override;
    bool deviceLost() const { return !m_lostDevice.isEmpty(); }
    bool paused() const override { return m_paused; }
    qint64 runNs(qint64 monoNs) const override { return rel(monoNs); }
    StepResolver &resolver() override { return m_resolver; }
    // A step's `if:` conditions that the run decides: false skips it (an event), an error records it.
    bool stepRuns(const Step &step);
    void noteFailFast(const StepResult &result);
    // An ERROR row for a step the run could not start (its ${...} or if: could not be evaluated).
    void recordStepError(const Step &step, const QString &device, const QString &why);

    // Moves the run on by `event` (nextRunState()); the only place the state changes.
    void transition(RunEvent event);
    Phase phase() const;
    void beginPhase();
    void endPhase();
    void dueAt(qint64 deadlineNs);
    void runStep();
    void stepDone();
    void afterStep(bool stopPhase);
    // The devices a step runs on at once: its `devices:`, or the one its send (else its expect) names.
    QStringList stepDevices(const Step &step) const;
    DeviceLane *lane(const QString &device);
    // Marks a result expected when a fault excuses it, counts it and hands it to the listeners.
    void record(StepResult &result);
    // Counts a result and hands it, then the counts so far, to every listener: the only way out of here.
    void publish(const StepResult &result);
    void noteLostDevice(const StepResult &result);
    // Ends the run by `event` (the state goes to Finishing, then Done once the listeners have the summary).
    void finish(RunEvent event, const QString &reason);
    void emitEvent(qint64 monoNs, EventKind kind, const QString &device, const QString &detail);
    qint64 rel(qint64 monoNs) const { return monoNs - m_startNs; }

    Scenario m_scenario;
    RunLedger m_ledger; // the first listener: every result and fault, for the verdict at the end
    Fixture m_fixture;
    RunOptions m_options;
    RunHeader m_info;
    QList<ResultListener *> m_listeners;
    Bench *m_bench = nullptr;
    FaultInjector *m_faults = nullptr;
    QMap<QString, DeviceLane *> m_lanes;
    StepResolver m_resolver;           // the variables the run learns, and the ${...} of steps that use them
    PromptStep *m_prompt;              // runs the `prompt:` steps
    QMap<QString, qint64> m_lostSince; // devices lost outside a fault window, since when (monotonic)

    RunState m_state = RunState::Idle;
    // Where the phase is: the step, the iteration of the scenario's loop and its schedule.
    int m_stepIndex = 0;
    qint64 m_iteration = 0;
    qint64 m_loopSlot = 0; // schedule slot; ahead of the count when slots were skipped
    qint64 m_startNs = 0;
    qint64 m_loopStartNs = 0; // start of the scenario's repeat
    qint64 m_stepDueNs = 0;   // when the current step was due
    int m_lanesBusy = 0;      // lanes still running the current step
    DeadlineTimer m_deadline; // the next step
    QTimer m_waitTimer;       // a `wait:` step

    // Facts the run has learnt, which decide the phase's end and the verdict.
    bool m_setupFailed = false; // a setup step did not pass
    QString m_lostDevice;       // the first device gone beyond its reconnect timeout (or gone from the bench)
    bool m_paused = false;
    bool m_heldByPause = false; // the next step came due while paused
    qint64 m_pausedAtNs = 0;

    bool m_failedFast = false; // fail_fast: a failure ended the steps

    RunCounts m_counts;
    QStringList m_verdictReasons;
    qint64 m_iterationsDone = 0;
    QString m_endReason;
};

} // namespace hil
