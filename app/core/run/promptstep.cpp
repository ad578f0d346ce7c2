#include "core/run/promptstep.h"

#include "core/base/clock.h"

#include <QPointer>
#include <algorithm>
#include <climits>

namespace hil {

PromptStep::PromptStep(LaneHost &host, VarScope &variables, QMap<QString, QString> answers, QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_variables(variables)
    , m_answers(std::move(answers)) {
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &PromptStep::timedOut);
}

StepResult PromptStep::newResult() const {
    StepResult r;
    r.phase = m_job.phase;
    r.iteration = m_job.phase == Phase::Steps ? m_job.iteration : 0;
    r.stepIndex = m_job.stepIndex;
    r.step = m_job.step.name;
    r.bindings = m_job.step.bindings;
    r.startNs = m_host.runNs(m_startedNs);
    r.latenessNs = std::max<qint64>(0, m_startedNs - m_job.dueNs);
    return r;
}

void PromptStep::start(LaneJob job) {
    m_job = std::move(job);
    m_startedNs = monotonicNs();
    m_waitedNs = 0;
    m_invalidAnswers = 0;
    const PromptSpec &p = spec();
    if (const auto given = m_answers.constFind(p.name); given != m_answers.cend()) {
        const PromptAnswer a = checkPromptAnswer(p, *given);
        if (!a.value) {
            done(Verdict::Error,
                 QStringLiteral("--answer %1=%2 is not an answer: %3").arg(p.name, *given, a.error), *given);
            return;
        }
        m_variables.set(p.name, *a.value);
        if (a.outOfLimits)
            done(Verdict::Fail, QStringLiteral("answered by --answer: %1").arg(a.error), *given);
        else if (p.kind == PromptKind::Confirm && !a.value->toBool())
            done(Verdict::Fail, QStringLiteral("operator answered no (--answer): %1").arg(p.text), *given);
        else
            done(Verdict::Pass, QStringLiteral("answered by --answer"), *given);
        return;
    }
    if (!m_prompter) {
        done(Verdict::Error,
             QStringLiteral("prompt '%1' was not answered: nobody is at the bench; give --answer %1=VALUE")
                 .arg(p.name),
             QString());
        return;
    }
    ask(QString());
}

void PromptStep::ask(const QString &again) {
    m_state = State::Asking;
    m_askingSince = monotonicNs();
    if (const auto &timeout = spec().timeout) {
        const qint64 leftNs = std::max<qint64>(0, timeout->count() - m_waitedNs);
        m_timeout.start(static_cast<int>(std::min<qint64>((leftNs + 999'999) / 1'000'000, INT_MAX)));
    }
    const quint64 question = ++m_question;
    QPointer<PromptStep> self(this);
    // Nothing of this step is touched after ask() returns: an answer may already have ended it.
    m_prompter->ask(PromptRequest{spec(), m_job.step.name, again},
                    [self, question](std::optional<QString> text) {
                        PromptStep *step = self.data();
                        if (step != nullptr && step->m_state == State::Asking && step->m_question == question)
                            step->answered(std::move(text));
                    });
}

void PromptStep::answered(std::optional<QString> text) {
    const PromptSpec &p = spec();
    if (!text) {
        m_timeout.stop();
        done(Verdict::Error, QStringLiteral("prompt '%1' cancelled by the operator").arg(p.name), QString());
        return;
    }
    const PromptAnswer a = checkPromptAnswer(p, *text);
    if (!a.valid()) {
        // A person mistyped: asked again, on the clock of the same timeout.
        ++m_invalidAnswers;
        m_waitedNs += monotonicNs() - m_askingSince;
        ++m_question; // the next answer belongs to the next question
        const QString again = a.error;
        QMetaObject::invokeMethod(
            this,
            [this, again, question = m_question] {
                if (m_state == State::Asking && m_question == question)
                    ask(again);
            },
            Qt::QueuedConnection);
        return;
    }
    m_timeout.stop();
    m_variables.set(p.name, *a.value);
    if (p.kind == PromptKind::Confirm && !a.value->toBool())
        done(Verdict::Fail, QStringLiteral("operator answered no: %1").arg(p.text), text->trimmed());
    else
        done(Verdict::Pass,
             m_invalidAnswers > 0
                 ? QStringLiteral("answered by the operator (after %1 answer(s) that were not valid)")
                       .arg(m_invalidAnswers)
                 : QStringLiteral("answered by the operator"),
             text->trimmed());
}

void PromptStep::timedOut() {
    if (m_state != State::Asking)
        return;
    withdraw();
    done(Verdict::Error,
         QStringLiteral("prompt '%1' was not answered within its timeout (%2)")
             .arg(spec().name, formatDuration(*spec().timeout)),
         QString());
}

void PromptStep::withdraw() {
    m_timeout.stop();
    ++m_question;
    if (m_prompter)
        m_prompter->cancel();
}

void PromptStep::pause() {
    if (m_state != State::Asking)
        return;
    m_waitedNs += monotonicNs() - m_askingSince;
    withdraw();
    m_state = State::Paused;
}

void PromptStep::resume() {
    if (m_state == State::Paused)
        ask(QString());
}

std::optional<StepResult> PromptStep::abort(const QString &reason, Verdict verdict) {
    if (m_state == State::Idle)
        return std::nullopt;
    withdraw();
    m_state = State::Idle;
    StepResult r = newResult();
    r.endNs = m_host.runNs(monotonicNs());
    r.verdict = verdict;
    r.message =
        QStringLiteral("prompt '%1' not answered: %2")
            .arg(spec().name, verdict == Verdict::Abort ? QStringLiteral("aborted: %1").arg(reason) : reason);
    return r;
}

void PromptStep::done(Verdict verdict, const QString &message, const QString &response) {
    m_state = State::Idle;
    StepResult r = newResult();
    r.endNs = m_host.runNs(monotonicNs());
    r.verdict = verdict;
    r.message = message;
    r.response = response.toUtf8();
    m_host.laneResult(std::move(r), false);
    m_host.laneDone();
}

} // namespace hil
