#include "runworker.h"

#include "core/engine/runsession.h"
#include "guiprompter.h"
#include "livebuffer.h"

namespace hil::gui {

RunWorker::RunWorker(RunRequest request, std::shared_ptr<LiveBuffer> buffer)
    : m_request(std::move(request))
    , m_buffer(std::move(buffer)) {}

RunWorker::~RunWorker() = default;

void RunWorker::begin() {
    RunSessionConfig config;
    config.scenario = std::move(m_request.scenario);
    config.fixture = std::move(m_request.fixture);
    config.options = m_request.options;
    config.databasePath = m_request.databasePath;
    m_prompter = new GuiPrompter(this);
    connect(m_prompter, &GuiPrompter::asked, this, &RunWorker::promptAsked);
    connect(m_prompter, &GuiPrompter::withdrawn, this, &RunWorker::promptWithdrawn);
    config.prompter = m_prompter;
    QString error;
    m_session = RunSession::prepare(std::move(config), &error);
    if (!m_session) {
        m_done = true;
        emit startFailed(error);
        return;
    }
    m_session->addListener(m_buffer.get());
    connect(m_session.get(), &RunSession::problem, this,
            [this](const QString &why) { emit problem(tr("Recording failed: %1").arg(why)); });
    connect(m_session.get(), &RunSession::finished, this, &RunWorker::onFinished);
    m_session->start();
    emit started(m_session->runId());
}

void RunWorker::pause() {
    if (m_session)
        m_session->pause();
}

void RunWorker::resume() {
    if (m_session)
        m_session->resume();
}

void RunWorker::stop(const QString &reason) {
    if (m_session)
        m_session->abort(reason);
}

void RunWorker::injectFault(const FaultEntry &fault) {
    const int id = m_session && !m_done ? m_session->injectFault(fault) : -1;
    if (id < 0)
        emit faultRejected(fault.text, tr("faults can be injected only while the run's steps are running"));
    else
        emit faultInjected(id, fault.text);
}

void RunWorker::answerPrompt(quint64 id, bool answered, const QString &text) {
    if (m_prompter)
        m_prompter->deliver(id, answered ? std::optional<QString>(text) : std::nullopt);
}

void RunWorker::clearFaults(const QString &target) {
    if (m_session)
        m_session->clearFaults(target);
}

void RunWorker::shutdownNow(const QString &reason) {
    if (!m_session || m_done)
        return;
    // The window is closing and will not wait for the event loop: end the run here.
    m_session->finishNow(reason);
}

void RunWorker::onFinished(const RunOutcome &outcome) {
    if (m_done)
        return;
    m_done = true;
    for (const QString &p : outcome.problems)
        emit problem(tr("Recording failed: %1").arg(p));
    // Deleted on this thread, after its own signal has returned (or when the thread finishes).
    m_session.release()->deleteLater();
    emit done(outcome.verdict, outcome.endReason, outcome.runId);
}

} // namespace hil::gui
