#include "livefeed.h"

#include "core/run/resultlistener.h"
#include "eventmodel.h"
#include "livebuffer.h"
#include "plotpanel.h"
#include "resultmodel.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThread>
#include <atomic>
#include <cmath>
#include <thread>

namespace hil::gui {

namespace {

constexpr qint64 kStepNs = 20'000'000;

MeasurementResult measurement(const char *name, double value, const char *unit, Range limits) {
    MeasurementResult m;
    m.name = QString::fromLatin1(name);
    m.value = value;
    m.unit = QString::fromLatin1(unit);
    m.limits = limits;
    m.verdict = (limits.low && value < *limits.low) || (limits.high && value > *limits.high) ? Verdict::Fail
                                                                                             : Verdict::Pass;
    return m;
}

} // namespace

StepResult syntheticResult(qint64 i) {
    StepResult r;
    r.phase = Phase::Steps;
    r.iteration = i / 2;
    r.stepIndex = static_cast<int>(i % 2);
    r.step = i % 2 ? QStringLiteral("read voltage") : QStringLiteral("read temperature");
    r.device = i % 2 ? QStringLiteral("meter") : QStringLiteral("sensor");
    r.startNs = i * kStepNs;
    r.latencyNs = 2'000'000 + (i * 7919) % 1'500'000;
    r.endNs = r.startNs + r.latencyNs;
    const double wave = std::sin(static_cast<double>(i) / 5000.0);
    if (i % 2)
        r.measurements.append(measurement("v", 12 + 0.5 * wave, "V", Range{11.0, 13.0}));
    else
        r.measurements.append(
            measurement("t", 24 + 3 * wave + ((i % 9973) == 0 ? 20 : 0), "degC", Range{15.0, 35.0}));
    r.verdict = r.measurements.first().verdict;
    if (r.verdict != Verdict::Pass)
        r.message = QStringLiteral("%1 out of limits").arg(r.measurements.first().name);
    r.response = i % 2 ? QByteArrayLiteral("12.00") : QByteArrayLiteral("24.00");
    return r;
}

Event syntheticEvent(qint64 i) {
    Event e;
    e.timeNs = i * kStepNs;
    e.kind = QStringLiteral("info");
    e.device = QStringLiteral("sensor");
    e.detail = QStringLiteral("checkpoint %1").arg(i);
    return e;
}

void feedLive(qint64 count, LiveBuffer *buffer, const QList<ResultListener *> &others,
              const LiveFeedViews &views, int intervalMs, const std::function<void(qint64)> &onTick) {
    std::atomic<qint64> reported{0};
    std::atomic<bool> done{false};
    QList<ResultListener *> all{buffer};
    all += others;
    // The run starts before the thread does: what runStarted sets up (a recorder's run id) is then seen
    // by both threads.
    RunHeader header;
    header.scenario = QStringLiteral("synthetic");
    header.fixture = QStringLiteral("synthetic");
    header.uuid = QStringLiteral("00000000-0000-4000-8000-000000000016");
    header.verdict = QStringLiteral("RUNNING");
    for (ResultListener *l : all)
        l->runStarted(header);
    std::thread producer([&] {
        RunCounts counts;
        for (qint64 i = 0; i < count; ++i) {
            const StepResult r = syntheticResult(i);
            counts.add(r);
            for (ResultListener *l : all) {
                l->stepFinished(r);
                l->countsChanged(counts);
            }
            if (i % 10'000 == 0) {
                const Event e = syntheticEvent(i);
                for (ResultListener *l : all)
                    l->eventRecorded(e);
            }
            reported.store(i + 1, std::memory_order_relaxed);
        }
        done = true;
    });
    QElapsedTimer clock;
    clock.start();
    qint64 ticks = 0;
    for (;;) {
        const bool last = done.load();
        LiveBatch b = buffer->drain();
        if (!b.results.isEmpty() || b.resultsDropped > 0)
            views.results->append(b.results, b.resultsDropped);
        if (!b.results.isEmpty() && views.plots)
            views.plots->addResults(b.results);
        if ((!b.events.isEmpty() || b.eventsDropped > 0) && views.events)
            views.events->append(b.events, b.eventsDropped);
        if (views.plots && !b.results.isEmpty())
            views.plots->refresh(static_cast<double>(b.results.last().endNs) / 1e9);
        QCoreApplication::processEvents();
        if (onTick)
            onTick(reported.load(std::memory_order_relaxed));
        if (last)
            break;
        ++ticks;
        const qint64 wait = ticks * intervalMs - clock.elapsed();
        if (wait > 0)
            QThread::msleep(static_cast<unsigned long>(wait));
    }
    producer.join();
}

} // namespace hil::gui
