#pragma once

#include "core/base/verdict.h"
#include "core/run/prompter.h"
#include "runrequest.h"

#include <QObject>
#include <memory>

namespace hil {
class RunSession;
struct RunOutcome;
} // namespace hil

namespace hil::gui {

class GuiPrompter;
class LiveBuffer;

// The run's side of the GUI: lives on the runner thread, where it asks the engine's one assembly
// (RunSession, the same as `hil run`'s) for a ready run, so the runner, its bench, sessions and simulators
// all belong to that thread and its event loop.
// Every public function must be called on that thread (RunController posts them there); its signals are
// delivered to the GUI thread queued.
//
// A run ends with done(), emitted once after the recorder has written everything and the runner with its
// bench and simulators is gone; nothing of the run is left on the thread afterwards.
class RunWorker : public QObject {
    Q_OBJECT
public:
    RunWorker(RunRequest request, std::shared_ptr<LiveBuffer> buffer);
    ~RunWorker() override;

    void begin();
    void pause();
    void resume();
    void stop(const QString &reason);
    void injectFault(const hil::FaultEntry &fault);
    // The operator's answer to prompt `id` (answered false: the dialog was closed without one).
    void answerPrompt(quint64 id, bool answered, const QString &text);
    void clearFaults(const QString &target);
    // Aborts the run and tears it down before returning (the window is closing and will not wait).
    void shutdownNow(const QString &reason);

signals:
    void started(qint64 runId);
    void startFailed(const QString &reason);
    void faultInjected(int id, const QString &text);
    void faultRejected(const QString &text, const QString &reason);
    // Something went wrong that the operator should see (the recorder could not write).
    void problem(const QString &message);
    void done(hil::Verdict verdict, const QString &reason, qint64 runId);
    // A `prompt:` step asks the operator; withdrawn when the run no longer waits for it.
    void promptAsked(const hil::PromptRequest &request, quint64 id);
    void promptWithdrawn(quint64 id);

private:
    void onFinished(const RunOutcome &outcome);

    RunRequest m_request;
    std::shared_ptr<LiveBuffer> m_buffer;
    std::unique_ptr<RunSession> m_session;
    GuiPrompter *m_prompter = nullptr; // a child of this worker, on the runner thread
    bool m_done = false;
};

} // namespace hil::gui
