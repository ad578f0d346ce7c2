#pragma once

#include "core/config/fixture.h"
#include "core/config/scenario.h"
#include "core/run/captures.h"
#include "core/run/deadlinetimer.h"
#include "core/run/results.h"

#include <QObject>
#include <QRegularExpressionMatch>
#include <QTimer>
#include <optional>

namespace hil {

class Bench;
class DeviceSession;
class StepResolver;
class StreamWatch;

// What a lane needs from the run it works for.
class LaneHost {
public:
    virtual ~LaneHost() = default;
    // A result of the lane; `deviceLost` when the exchange found its device gone.
    virtual void laneResult(StepResult &&result, bool deviceLost) = 0;
    // The lane finished its work on the step it was given.
    virtual void laneDone() = 0;
    virtual void laneEvent(qint64 monoNs, EventKind kind, const QString &device, const QString &detail) = 0;
    // Run metadata from captures (`record:`).
    virtual void laneRecordsInfo(const QString &field, const QString &value) = 0;
    // Whether the phase is ending early (a failed setup, a lost device): a lane stops repeating its step.
    virtual bool phaseStopping() const = 0;
    virtual bool paused() const = 0;
    virtual qint64 runNs(qint64 monoNs) const = 0;
    // The run's variables and the evaluation of step fields that use them.
    virtual StepResolver &resolver() = 0;
};

// One step as one device runs it: the step with its device filled in, where it sits in the run, and when
// its first run is due.
struct LaneJob {
    Step step;
    Phase phase = Phase::Steps;
    qint64 iteration = 0;
    int stepIndex = 0;
    qint64 dueNs = 0;
};

// A device's lane: runs one step at a time on its device (its send and expect, the step's own repeat on
// its own absolute deadlines, the wait after it), independently of every other lane. A step over several
// devices gives one job to each of their lanes, so their exchanges are in flight at once and a slow device
// delays only itself.
class DeviceLane : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Due, WaitingBackground, WaitingReconnect, AwaitingAnswer, Waiting, Paused };
    Q_ENUM(State)

    DeviceLane(QString device, Bench *bench, const Fixture &fixture, LaneHost &host,
               QObject *parent = nullptr);

    const QString &device() const { return m_device; }
    State state() const { return m_state; }
    bool busy() const { return m_state != State::Idle; }

    void start(LaneJob job);
    // Ends the lane's work at once. If an exchange was in flight, its result (verdict, message) is returned
    // for the caller to record; the lane reports nothing more.
    std::optional<StepResult> abort(const QString &reason, Verdict verdict);
    // After a pause of `shiftNs`: the lane's deadlines move by that much and a run held by the pause starts.
    void resume(qint64 shiftNs);

private:
    void setState(State s) { m_state = s; }
    void due();
    void exchange();
    void exchangeDone(StepResult r, bool deviceLost);
    // A try of a `retry:`/`until:` step that did not pass: whether another try follows (it is then
    // recorded as retried and scheduled). Sets the final verdict of an until that never held.
    bool retryAfter(StepResult &r);
    void next();
    void evaluate(StepResult &r, const Captures &captures);
    void watchStream(StepResult r, qint64 sendNs);
    StepResult newResult() const;
    void stopWaits();

    QString m_device;
    Bench *m_bench;
    const Fixture &m_fixture;
    LaneHost &m_host;

    State m_state = State::Idle;
    LaneJob m_job;
    Step m_template; // the job's step as written; m_job.step is it with its ${...} filled in for a try
    qint64 m_repetition = 0;
    qint64 m_slot = 0;
    qint64 m_loopStartNs = 0;  // start of the step's repeat
    qint64 m_deadlineNs = 0;   // when the current run was due
    qint64 m_startedNs = 0;    // when the current run began (waiting for the device included)
    qint64 m_waitSinceNs = -1; // when the current run began waiting for its device to reconnect
    int m_try = 1;             // of a retry/until step, within the current run
    qint64 m_firstTryNs = 0;
    DeviceSession *m_expecting = nullptr;
    StreamWatch *m_stream = nullptr; // the window of a `stream:` step in flight (a child)
    DeadlineTimer m_deadline;
    QTimer m_wait;        // the step's `wait:` after an exchange
    QTimer m_connectWait; // budget for the device to come back
    QTimer m_retry;       // the next try of a retry/until step
    QMetaObject::Connection m_waitIdle;
    QMetaObject::Connection m_waitConnected;
};

} // namespace hil
