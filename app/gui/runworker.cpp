#include "runworker.h"

#include "core/run/runner.h"
#include "core/store/recorder.h"
#include "livebuffer.h"

namespace hil::gui {

RunWorker::RunWorker(RunRequest request, std::shared_ptr<LiveBuffer> buffer)
    : m_request(std::move(request))
    , m_buffer(std::move(buffer)) {}

RunWorker::~RunWorker() = default;

void RunWorker::begin() {
    QString error;
    m_recorder = Recorder::open(m_request.databasePath, &error);
    if (!m_recorder) {
        m_done = true;
        emit startFailed(error);
        return;
    }
    m_runner = std::make_unique<Runner>(std::move(m_request.scenario), std::move(m_request.fixture),
                                        m_request.options);
    m_runner->addListener(m_recorder.get());
    m_runner->addListener(m_buffer.get());
    m_recorder->setErrorHandler([this](const QString &why) {
        // On the recorder's writer thread: a run that cannot be recorded ends as ERROR, as with `hil run`.
        QMetaObject::invokeMethod(
            this,
            [this, why] {
                emit problem(tr("Recording failed: %1").arg(why));
                if (m_runner)
                    m_runner->abort(why, Verdict::Error);
            },
            Qt::QueuedConnection);
    });
    connect(m_runner.get(), &Runner::finished, this, [this](Verdict verdict) {
        m_verdict = verdict;
        // Queued: cleanup() deletes the runner, which must not happen inside its own signal.
        QMetaObject::invokeMethod(this, &RunWorker::cleanup, Qt::QueuedConnection);
    });
    m_runner->start();
    m_runId = m_recorder->runId();
    emit started(m_runId);
}

void RunWorker::pause() {
    if (m_runner)
        m_runner->pause();
}

void RunWorker::resume() {
    if (m_runner)
        m_runner->resume();
}

void RunWorker::stop(const QString &reason) {
    if (m_runner)
        m_runner->abort(reason);
}

void RunWorker::injectFault(const FaultEntry &fault) {
    const int id = m_runner ? m_runner->injectFault(fault) : -1;
    if (id < 0)
        emit faultRejected(fault.text, tr("faults can be injected only while the run's steps are running"));
    else
        emit faultInjected(id, fault.text);
}

void RunWorker::clearFaults(const QString &target) {
    if (m_runner)
        m_runner->clearFaults(target);
}

void RunWorker::shutdownNow(const QString &reason) {
    if (m_runner)
        m_runner->abort(reason);
    cleanup();
}

void RunWorker::cleanup() {
    if (m_done)
        return;
    m_done = true;
    const QString reason = m_runner ? m_runner->endReason() : QString();
    m_runner.reset(); // the bench and its simulators go with it (Bench::shutdown() ran when it finished)
    if (m_recorder && !m_recorder->close()) {
        m_verdict = combine(m_verdict, Verdict::Error);
        emit problem(tr("Recording failed: %1").arg(m_recorder->error()));
    }
    m_recorder.reset();
    emit done(m_verdict, reason, m_runId);
}

} // namespace hil::gui
