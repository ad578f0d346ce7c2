#include "runfeed.h"

#include "benchpanel.h"
#include "core/base/clock.h"
#include "core/base/printable.h"
#include "eventmodel.h"
#include "faultpanel.h"
#include "messagebar.h"
#include "plotpanel.h"
#include "resultmodel.h"
#include "runcontroller.h"
#include "runeventsmodel.h"
#include "runresultsmodel.h"
#include "runstatuspanel.h"
#include "trafficconsole.h"

#include <QTimer>
#include <algorithm>

namespace hil::gui {

namespace {

qint64 plannedIterations(const Scenario &s) {
    if (s.repeat.count)
        return *s.repeat.count;
    if (s.repeat.forDuration && s.repeat.every && s.repeat.every->count() > 0)
        return (s.repeat.forDuration->count() + s.repeat.every->count() - 1) / s.repeat.every->count();
    if (!s.repeat.forDuration)
        return 1;
    return -1;
}

} // namespace

RunFeed::RunFeed(RunController *controller, const Views &views, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_views(views)
    , m_timer(new QTimer(this)) {
    m_timer->setInterval(kDrainIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &RunFeed::drain);
    // The run's id (from the recorder) and its seed (from the first batch) come by different ways.
    connect(m_controller, &RunController::started, this, [this](qint64 runId) {
        if (m_startMonoNs > 0)
            m_views.status->setRunId(runId, m_runSeed);
        attachDatabase(runId);
    });
    connect(m_controller, &RunController::problem, this,
            [this](const QString &message) { m_views.messages->post(MessageBar::Level::Error, message); });
    connect(m_controller, &RunController::faultRejected, this,
            [this](const QString &text, const QString &reason) {
                m_views.messages->post(MessageBar::Level::Warning,
                                       tr("Fault not injected (%1): %2").arg(text, reason));
            });
}

void RunFeed::prepare(const Fixture &fixture, const Scenario &scenario, const QStringList &devices,
                      bool recordExchanges) {
    m_counts = RunCounts{};
    m_countedRepeat = scenario.repeat.count.has_value();
    m_iterations = 0;
    m_startMonoNs = 0;
    m_loopStartRunNs = -1;
    m_plannedNs = -1;
    m_plannedIterations = plannedIterations(scenario);
    if (m_views.allResults)
        m_views.allResults->detach();
    if (m_views.allEvents)
        m_views.allEvents->detach();
    m_views.results->clear();
    m_views.events->clear();
    m_views.messages->dismiss();
    m_views.plots->beginRun(scenario);
    m_views.bench->beginRun(devices);
    m_views.faults->setBench(fixture, devices);
    m_views.faults->setRunning(true);
    m_views.traffic->setDevices(devices);
    m_views.traffic->setRecording(recordExchanges);
    m_views.traffic->clear();
    m_views.status->beginRun(scenario.name, fixture.name, m_plannedIterations);
}

void RunFeed::attachDatabase(qint64 runId) {
    if (RunEventsModel *events = m_views.allEvents;
        events && runId > 0 && !m_controller->databasePath().isEmpty() && !events->isAttached()) {
        QString error;
        if (!events->attachDatabase(m_controller->databasePath(), runId, &error))
            m_views.messages->post(MessageBar::Level::Warning,
                                   tr("Older events of run %1 will not be shown: %2").arg(runId).arg(error));
    }
    RunResultsModel *all = m_views.allResults;
    if (!all || runId <= 0 || m_controller->databasePath().isEmpty()
        || (all->pager().isOpen() && all->pager().runId() == runId))
        return;
    QString error;
    if (!all->attachDatabase(m_controller->databasePath(), runId, &error))
        m_views.messages->post(MessageBar::Level::Warning,
                               tr("Older results of run %1 will not be shown: %2").arg(runId).arg(error));
}

void RunFeed::start() {
    m_timer->start();
}

void RunFeed::stop() {
    m_timer->stop();
}

void RunFeed::drain() {
    const LiveBatch b = m_controller->drain();
    if (b.started) {
        m_startMonoNs = b.startMonoNs;
        m_runSeed = b.started->seed;
        if (m_controller->runId() > 0) {
            m_views.status->setRunId(m_controller->runId(), m_runSeed);
            attachDatabase(m_controller->runId());
        }
        m_views.bench->applyRunInfo(*b.started);
    }
    if (b.infoChanged)
        m_views.bench->applyRunInfo(*b.infoChanged);
    if (!b.results.isEmpty() || b.resultsDropped > 0)
        m_views.results->append(b.results, b.resultsDropped);
    if (!b.results.isEmpty()) {
        m_views.plots->addResults(b.results);
        m_views.status->setLastStep(b.results.last());
    }
    // The engine's counts, not a recount of the results drained: those may have been cut short when the
    // window fell behind (LiveBatch::resultsDropped), the engine's never are.
    if (b.counts)
        m_counts = *b.counts;
    if (!b.events.isEmpty() || b.eventsDropped > 0)
        m_views.events->append(b.events, b.eventsDropped);
    if (!b.events.isEmpty()) {
        m_views.bench->applyEvents(b.events);
        for (const Event &e : b.events) {
            if (e.kind == u"error")
                m_views.messages->post(MessageBar::Level::Warning,
                                       e.device.isEmpty()
                                           ? printableText(e.detail)
                                           : tr("%1: %2").arg(e.device, printableText(e.detail)));
        }
    }
    if (!b.faults.isEmpty()) {
        m_views.plots->applyFaults(b.faults);
        m_views.bench->applyFaults(b.faults);
        m_views.faults->applyFaults(b.faults);
    }
    if (!b.exchanges.isEmpty() || b.exchangesDropped > 0)
        m_views.traffic->append(b.exchanges, b.exchangesDropped);
    if (b.resultsDropped > 0)
        m_views.messages->post(
            MessageBar::Level::Info,
            tr("%1 results were not shown live (the window fell behind); the database has them all.")
                .arg(b.resultsDropped));
    const qint64 nowRunNs = m_startMonoNs > 0 ? monotonicNs() - m_startMonoNs : 0;
    if (b.progress) {
        m_iterations = b.progress->iterationsDone;
        m_plannedNs = b.progress->plannedNs;
        m_loopStartRunNs = nowRunNs - b.progress->loopElapsedNs;
    }
    qint64 elapsedNs = nowRunNs;
    if (b.summary)
        elapsedNs = b.summary->durationNs;
    qint64 remaining = -1;
    double progress = 0;
    if (m_plannedIterations > 0 && m_countedRepeat)
        progress = static_cast<double>(m_iterations) / static_cast<double>(m_plannedIterations);
    if (m_plannedNs > 0 && m_loopStartRunNs >= 0) {
        const qint64 inLoop = nowRunNs - m_loopStartRunNs;
        remaining = std::max<qint64>(0, m_plannedNs - inLoop);
        if (!m_countedRepeat)
            progress = static_cast<double>(inLoop) / static_cast<double>(m_plannedNs);
    }
    if (m_startMonoNs > 0) {
        m_views.status->update(m_counts, elapsedNs, m_iterations, remaining, progress);
        m_views.plots->refresh(static_cast<double>(elapsedNs) / 1e9);
    }
}

} // namespace hil::gui
