#include "core/engine/runsession.h"

#include "core/store/recorder.h"

namespace hil {

RunSession::RunSession(RunSessionConfig config)
    : m_config(std::move(config)) {}

RunSession::~RunSession() = default;

std::unique_ptr<RunSession> RunSession::prepare(RunSessionConfig config, QString *error) {
    std::unique_ptr<Recorder> recorder = Recorder::open(config.databasePath, error);
    if (!recorder)
        return nullptr;
    std::unique_ptr<RunSession> s(new RunSession(std::move(config)));
    s->m_recorder = std::move(recorder);
    s->m_runner = std::make_unique<Runner>(std::move(s->m_config.scenario), std::move(s->m_config.fixture),
                                           s->m_config.options);
    s->m_runner->setPrompter(s->m_config.prompter);
    s->m_runner->addListener(s->m_recorder.get());
    RunSession *self = s.get();
    s->m_recorder->setErrorHandler([self](const QString &why) {
        // On the recorder's writer thread: hand over to the run's. A run that cannot be recorded is an ERROR.
        QMetaObject::invokeMethod(
            self,
            [self, why] {
                emit self->problem(why);
                if (self->m_runner)
                    self->m_runner->abort(why, Verdict::Error);
            },
            Qt::QueuedConnection);
    });
    connect(s->m_runner.get(), &Runner::finished, self, &RunSession::onRunnerFinished);
    return s;
}

void RunSession::addListener(ResultListener *listener) {
    m_runner->addListener(listener);
}

void RunSession::start() {
    m_runner->start();
}

void RunSession::pause() {
    if (m_runner)
        m_runner->pause();
}

void RunSession::resume() {
    if (m_runner)
        m_runner->resume();
}

void RunSession::abort(const QString &reason, Verdict verdict) {
    if (m_runner)
        m_runner->abort(reason, verdict);
}

void RunSession::finishNow(const QString &reason) {
    if (m_finishing)
        return;
    m_runner->abort(reason); // the runner reports its end at once; its queued finish() then finds us done
    if (!m_runner->isFinished())
        m_outcome.verdict = Verdict::Abort;
    finish();
}

int RunSession::injectFault(const FaultEntry &fault) {
    return m_runner ? m_runner->injectFault(fault) : -1;
}

void RunSession::clearFaults(const QString &target) {
    if (m_runner)
        m_runner->clearFaults(target);
}

const RunCounts &RunSession::counts() const {
    return m_runner ? m_runner->counts() : m_outcome.counts;
}

const RunHeader &RunSession::info() const {
    return m_runner ? m_runner->info() : m_outcome.info;
}

Bench *RunSession::bench() const {
    return m_runner ? m_runner->bench() : nullptr;
}

bool RunSession::isPaused() const {
    return m_runner && m_runner->isPaused();
}

qint64 RunSession::runId() const {
    return m_recorder ? m_recorder->runId() : m_outcome.runId;
}

void RunSession::onRunnerFinished(Verdict verdict) {
    m_outcome.verdict = verdict;
    // Queued: finish() deletes the runner, which must not happen inside its own signal.
    QMetaObject::invokeMethod(this, &RunSession::finish, Qt::QueuedConnection);
}

void RunSession::finish() {
    if (m_finishing)
        return;
    m_finishing = true;
    m_outcome.endReason = m_runner->endReason();
    m_outcome.reasons = m_runner->verdictReasons();
    m_outcome.info = m_runner->info();
    m_outcome.counts = m_runner->counts();
    m_outcome.runId = m_recorder->runId();
    m_runner.reset(); // the bench and its simulators go with it (Bench::shutdown() ran when it finished)
    if (!m_recorder->close()) {
        m_outcome.verdict = combine(m_outcome.verdict, Verdict::Error);
        m_outcome.problems.append(m_recorder->error());
    }
    m_recorder.reset();
    // Reports are written from the database once everything is committed, also for a run that ended early.
    // A run whose row was never written has nothing to report from: say so rather than skip silently.
    if (m_config.reports.any() && m_outcome.runId <= 0) {
        m_outcome.reports.errors.append(
            QStringLiteral("no report written: the run was not recorded in %1").arg(m_config.databasePath));
        m_outcome.verdict = combine(m_outcome.verdict, Verdict::Error);
    } else if (m_config.reports.any()) {
        QString error;
        const auto loaded = loadReport(m_config.databasePath, QString::number(m_outcome.runId),
                                       m_config.baseline, m_config.threshold, &error);
        if (loaded)
            m_outcome.reports = writeReports(loaded->input(), m_config.reports, m_config.renderer);
        else
            m_outcome.reports.errors.append(error);
        if (!m_outcome.reports.ok())
            m_outcome.verdict = combine(m_outcome.verdict, Verdict::Error);
    }
    emit finished(m_outcome);
}

} // namespace hil
