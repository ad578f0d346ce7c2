#pragma once

#include "core/expr/varscope.h"
#include "core/run/devicelane.h"
#include "core/run/prompter.h"

#include <QMap>
#include <QObject>
#include <QTimer>
#include <optional>

namespace hil {

// Runs the `prompt:` steps of a run: it takes the answer given beforehand (`--answer NAME=VALUE`), else
// asks the operator through the run's Prompter and waits (at most the prompt's timeout), checks the answer
// against the prompt and asks again while a person typed something that is not an answer (or a number
// outside the limits). One result per prompt step: PASS with the answer as its response, FAIL when the
// operator answered no (or a given number is outside the limits), ERROR when nobody answered (no prompter,
// timeout, the question was closed). A valid answer becomes the variable `name` (bool, double or text).
//
// Reports to its host as a lane does (laneResult, then laneDone); lives on the runner's thread.
class PromptStep : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Asking, Paused };
    Q_ENUM(State)

    PromptStep(LaneHost &host, VarScope &variables, QMap<QString, QString> answers,
               QObject *parent = nullptr);

    // Who asks the operator; nullptr: nobody is at the bench. Not owned; must outlive the run.
    void setPrompter(Prompter *prompter) { m_prompter = prompter; }

    State state() const { return m_state; }
    bool busy() const { return m_state != State::Idle; }

    void start(LaneJob job);
    // A pause withdraws an open question; resume() asks it again, with the time its timeout has left.
    void pause();
    void resume();
    // Ends the step at once: the open question is withdrawn and its result returned for the caller to
    // record (nothing if no question was open).
    std::optional<StepResult> abort(const QString &reason, Verdict verdict);

private:
    void ask(const QString &again);
    void answered(std::optional<QString> text);
    void timedOut();
    void withdraw();
    // Ends the step with one result.
    void done(Verdict verdict, const QString &message, const QString &response);
    StepResult newResult() const;
    const PromptSpec &spec() const { return *m_job.step.prompt; }

    LaneHost &m_host;
    VarScope &m_variables;
    const QMap<QString, QString> m_answers;
    Prompter *m_prompter = nullptr;

    State m_state = State::Idle;
    LaneJob m_job;
    qint64 m_startedNs = 0;
    qint64 m_waitedNs = 0; // time spent asking before the last pause (the timeout counts only asking)
    qint64 m_askingSince = 0;
    quint64 m_question = 0; // which question an answer belongs to: one withdrawn answers nothing
    int m_invalidAnswers = 0;
    QTimer m_timeout;
};

} // namespace hil
