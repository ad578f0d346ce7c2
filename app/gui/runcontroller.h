#pragma once

#include "core/base/verdict.h"
#include "core/run/prompter.h"
#include "livebatch.h"
#include "runrequest.h"

#include <QObject>
#include <memory>

class QThread;

namespace hil::gui {

class LiveBuffer;
class RunWorker;

// The GUI thread's handle on one run at a time. start() spawns the runner thread, where a RunWorker
// creates the recorder and the Runner; every command (pause, stop, faults) is posted to that thread, and
// the results come back only through drain(), which the window calls on a timer. So nothing the interface
// does (a slow repaint, a modal dialog) can delay a step, and a run producing thousands of results a
// second costs the interface one batch per tick.
//
// GUI thread only. Destroying the controller during a run aborts the run and waits for its teardown.
class RunController : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Running, Paused, Stopping };
    Q_ENUM(State)

    explicit RunController(QObject *parent = nullptr);
    ~RunController() override;

    // Starts a run; false (and nothing happens) if one is already going.
    bool start(RunRequest request);
    void pause();
    void resume();
    void stop(const QString &reason);
    void injectFault(const FaultEntry &fault);
    void clearFaults(const QString &target);
    void answerPrompt(quint64 id, bool answered, const QString &text);

    State state() const { return m_state; }
    bool isActive() const { return m_state != State::Idle; }
    qint64 runId() const { return m_runId; }
    const QString &databasePath() const { return m_databasePath; }

    // Everything the run reported since the last call (the final batch stays until taken after finished()).
    LiveBatch drain();

signals:
    void stateChanged(hil::gui::RunController::State state);
    void started(qint64 runId);
    void startFailed(const QString &reason);
    void faultInjected(int id, const QString &text);
    void faultRejected(const QString &text, const QString &reason);
    void problem(const QString &message);
    // The run is over and torn down: recorded, simulators stopped, the thread gone.
    void finished(hil::Verdict verdict, const QString &reason, qint64 runId);
    // A prompt step asks the operator (answer with answerPrompt); withdrawn: close its dialog.
    void promptAsked(const hil::PromptRequest &request, quint64 id);
    void promptWithdrawn(quint64 id);

private:
    void setState(State s);
    void onDone(Verdict verdict, const QString &reason, qint64 runId);
    void teardownThread();
    template<typename F>
    void post(F &&f);

    State m_state = State::Idle;
    std::shared_ptr<LiveBuffer> m_buffer;
    QThread *m_thread = nullptr;
    std::unique_ptr<RunWorker> m_worker;
    qint64 m_runId = 0;
    QString m_databasePath;
};

} // namespace hil::gui
