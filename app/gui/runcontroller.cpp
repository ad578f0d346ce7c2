#include "runcontroller.h"

#include "livebuffer.h"
#include "runworker.h"

#include <QThread>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace hil::gui {

namespace {

// A posted call reaches the runner thread through Qt's event queue, under a lock inside Qt that
// ThreadSanitizer cannot see (Qt is not built with it), so it would report the call's captures as written
// here and read there unordered. Captured last, this says what Qt guarantees: the call object, once built
// (this is copied into it last), happens before the call runs. Empty and inert in other builds.
class PostedCallOrder {
public:
    PostedCallOrder() = default;
    PostedCallOrder(const PostedCallOrder &) { built(); }
    PostedCallOrder &operator=(const PostedCallOrder &) = delete;
    ~PostedCallOrder() = default;
    void runs() const {
#if defined(__SANITIZE_THREAD__)
        __tsan_acquire(&token);
#endif
    }

private:
    static void built() {
#if defined(__SANITIZE_THREAD__)
        __tsan_release(&token);
#endif
    }
#if defined(__SANITIZE_THREAD__)
    static inline char token = 0;
#endif
};

} // namespace

RunController::RunController(QObject *parent)
    : QObject(parent) {}

RunController::~RunController() {
    if (m_worker && m_thread && m_thread->isRunning()) {
        RunWorker *worker = m_worker.get();
        QMetaObject::invokeMethod(
            worker,
            [worker, order = PostedCallOrder()] {
                order.runs();
                worker->shutdownNow(QStringLiteral("the application was closed"));
            },
            Qt::BlockingQueuedConnection);
    }
    teardownThread();
}

template<typename F>
void RunController::post(F &&f) {
    if (!m_worker)
        return;
    RunWorker *worker = m_worker.get();
    QMetaObject::invokeMethod(
        worker,
        [worker, f = std::forward<F>(f), order = PostedCallOrder()] {
            order.runs();
            f(worker);
        },
        Qt::QueuedConnection);
}

bool RunController::start(RunRequest request) {
    if (isActive())
        return false;
    m_databasePath = request.databasePath;
    m_runId = 0;
    m_buffer = std::make_shared<LiveBuffer>();
    m_worker = std::make_unique<RunWorker>(std::move(request), m_buffer);
    m_thread = new QThread(this);
    m_thread->setObjectName(QStringLiteral("hil-runner"));
    m_worker->moveToThread(m_thread);
    connect(m_worker.get(), &RunWorker::started, this, [this](qint64 id) {
        m_runId = id;
        emit started(id);
    });
    connect(m_worker.get(), &RunWorker::startFailed, this, [this](const QString &reason) {
        teardownThread();
        setState(State::Idle);
        emit startFailed(reason);
    });
    connect(m_worker.get(), &RunWorker::faultInjected, this, &RunController::faultInjected);
    connect(m_worker.get(), &RunWorker::faultRejected, this, &RunController::faultRejected);
    connect(m_worker.get(), &RunWorker::problem, this, &RunController::problem);
    connect(m_worker.get(), &RunWorker::done, this, &RunController::onDone);
    connect(m_worker.get(), &RunWorker::promptAsked, this, &RunController::promptAsked);
    connect(m_worker.get(), &RunWorker::promptWithdrawn, this, &RunController::promptWithdrawn);
    m_thread->start();
    setState(State::Running);
    post([](RunWorker *w) { w->begin(); });
    return true;
}

void RunController::pause() {
    if (m_state != State::Running)
        return;
    post([](RunWorker *w) { w->pause(); });
    setState(State::Paused);
}

void RunController::resume() {
    if (m_state != State::Paused)
        return;
    post([](RunWorker *w) { w->resume(); });
    setState(State::Running);
}

void RunController::stop(const QString &reason) {
    if (m_state != State::Running && m_state != State::Paused)
        return;
    post([reason](RunWorker *w) { w->stop(reason); });
    setState(State::Stopping);
}

void RunController::injectFault(const FaultEntry &fault) {
    post([fault](RunWorker *w) { w->injectFault(fault); });
}

void RunController::clearFaults(const QString &target) {
    post([target](RunWorker *w) { w->clearFaults(target); });
}

void RunController::answerPrompt(quint64 id, bool answered, const QString &text) {
    post([id, answered, text](RunWorker *w) { w->answerPrompt(id, answered, text); });
}

LiveBatch RunController::drain() {
    return m_buffer ? m_buffer->drain() : LiveBatch{};
}

void RunController::onDone(Verdict verdict, const QString &reason, qint64 runId) {
    teardownThread();
    setState(State::Idle);
    emit finished(verdict, reason, runId);
}

void RunController::teardownThread() {
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    // The thread has ended, so the worker (and anything left of the run) can go from this one.
    m_worker.reset();
}

void RunController::setState(State s) {
    if (s == m_state)
        return;
    m_state = s;
    emit stateChanged(s);
}

} // namespace hil::gui
