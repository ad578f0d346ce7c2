#include "core/run/runner.h"

#include "core/base/clock.h"
#include "core/base/printable.h"
#include "core/run/faultinjector.h"
#include "core/run/measurementextraction.h"
#include "core/run/resultlistener.h"
#include "core/session/bench.h"
#include "core/session/devicesession.h"

#include <QRandomGenerator>
#include <QSysInfo>
#include <QUuid>
#include <cmath>

namespace hil {

namespace {

constexpr qint64 kDeadlineSlackNs = 20'000;

int msUntil(qint64 deadlineNs, qint64 nowNs) {
    const qint64 ns = deadlineNs - nowNs;
    return ns <= 0 ? 0 : static_cast<int>(std::min<qint64>((ns + 999'999) / 1'000'000, 24LL * 3600 * 1000));
}

// Device bytes in a message: escaped (NUL, invalid UTF-8 and controls become \xNN), so a message never
// carries raw device garbage; the raw bytes are kept in the result's response.
QString clip(const QByteArray &line, qsizetype max = 200) {
    const QString s = printableBytes(line.left(max), true);
    return line.size() > max ? s + QStringLiteral("...") : s;
}

} // namespace

Runner::Runner(Scenario scenario, Fixture fixture, RunOptions options, QObject *parent)
    : QObject(parent)
    , m_scenario(std::move(scenario))
    , m_fixture(std::move(fixture))
    , m_options(options) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &Runner::onDeadlineTimer);
    m_waitTimer.setSingleShot(true);
    m_waitTimer.setTimerType(Qt::PreciseTimer);
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        disconnect(m_waitConnected);
        runStep();
    });
}

Runner::~Runner() = default;

void Runner::addListener(ResultListener *listener) {
    m_listeners.append(listener);
}

void Runner::emitEvent(qint64 monoNs, EventKind kind, const QString &device, const QString &detail) {
    const Event e{rel(monoNs), eventKindName(kind), device, detail};
    for (ResultListener *l : std::as_const(m_listeners))
        l->eventRecorded(e);
}

void Runner::start() {
    Q_ASSERT(m_stage == Stage::Idle);
    m_info.uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_info.scenario = m_scenario.name;
    m_info.scenarioPath = m_scenario.path;
    m_info.fixture = m_fixture.name;
    m_info.fixturePath = m_fixture.path;
    m_info.station = m_fixture.station.isEmpty() ? QSysInfo::machineHostName() : m_fixture.station;
    m_info.dutSerial = m_fixture.dutSerial;
    m_info.firmware = m_fixture.firmware;
    m_info.host = QSysInfo::machineHostName();
    m_info.seed = m_options.seed.value_or(
        m_scenario.seed.value_or(QRandomGenerator::system()->generate64() & 0x7fffffffffffffffULL));
    m_startNs = monotonicNs();
    m_info.startedAtNs = wallClockNs();
    for (ResultListener *l : std::as_const(m_listeners))
        l->runStarted(m_info);

    m_stage = Stage::Connecting;
    m_bench = new Bench(m_fixture, m_scenario.devices, m_info.seed, this, m_options.stallThresholdNs);
    connect(m_bench, &Bench::deviceEvent, this, &Runner::emitEvent);
    connect(m_bench, &Bench::deviceGone, this, [this](const QString &device, const QString &reason) {
        emitEvent(monotonicNs(), EventKind::Error, device, QStringLiteral("device gone: %1").arg(reason));
        m_deviceLost = true;
    });
    connect(m_bench, &Bench::deviceBack, this, [this](const QString &device) { m_lostSince.remove(device); });
    m_faults = new FaultInjector(
        m_bench, m_info.seed, [this](qint64 mono) { return rel(mono); }, this);
    connect(m_faults, &FaultInjector::eventRaised, this, &Runner::emitEvent);
    connect(m_faults, &FaultInjector::faultStarted, this, [this](const FaultRecord &f) {
        for (ResultListener *l : std::as_const(m_listeners))
            l->faultStarted(f);
    });
    connect(m_faults, &FaultInjector::faultEnded, this, [this](const FaultRecord &f) {
        for (ResultListener *l : std::as_const(m_listeners))
            l->faultEnded(f);
    });
    connect(m_faults, &FaultInjector::faultRecovered, this, [this](const FaultRecord &f) {
        for (ResultListener *l : std::as_const(m_listeners))
            l->faultRecovered(f);
    });
    connect(m_faults, &FaultInjector::recoveryMissed, this,
            [this](const FaultRecord &f, const QString &message) {
                if (m_finished)
                    return;
                StepResult r;
                r.phase = Phase::Steps;
                r.iteration = m_iteration;
                r.stepIndex = -1;
                r.step = QStringLiteral("recover after %1 %2").arg(f.target, f.kind);
                r.device = f.device;
                r.startNs = f.endNs;
                r.endNs = rel(monotonicNs());
                r.verdict = Verdict::Fail;
                r.message = message;
                m_verdict = combine(m_verdict, r.verdict);
                publish(r);
            });
    connect(m_bench, &Bench::failed, this, [this](const QString &device, const QString &reason) {
        emitEvent(monotonicNs(), EventKind::Error, device, reason);
        m_verdict = Verdict::Error;
        finish(QStringLiteral("device '%1' could not be connected: %2").arg(device, reason));
    });
    connect(m_bench, &Bench::ready, this, [this] {
        if (m_finished)
            return;
        if (m_options.recordExchanges) {
            for (DeviceSession *s : m_bench->sessions()) {
                const QString name = s->name();
                connect(s, &DeviceSession::lineSent, this, [this, name](qint64 t, const QByteArray &line) {
                    for (ResultListener *l : std::as_const(m_listeners))
                        l->exchange(rel(t), name, Direction::ToDevice, line);
                });
                connect(s, &DeviceSession::lineReceived, this,
                        [this, name](qint64 t, const QByteArray &line) {
                            for (ResultListener *l : std::as_const(m_listeners))
                                l->exchange(rel(t), name, Direction::FromDevice, line);
                        });
            }
        }
        m_stage = Stage::Running;
        beginPhase(Phase::Setup);
    });
    m_bench->connectAll(m_options.connectTimeoutMs);
}

void Runner::beginPhase(Phase p) {
    m_phase = p;
    m_stepIndex = 0;
    m_repetition = 0;
    m_stepSlot = 0;
    const qint64 now = monotonicNs();
    if (p == Phase::Steps) {
        if (m_setupFailed) {
            emitEvent(now, EventKind::Skip, QString(), QStringLiteral("setup did not pass: steps skipped"));
            beginPhase(Phase::Teardown);
            return;
        }
        m_iteration = 0;
        m_loopSlot = 0;
        m_loopStartNs = now;
        m_faults->startTimeline(m_scenario.faults);
    }
    if (m_scenario.phase(p).isEmpty()) {
        afterStep(true);
        return;
    }
    m_stepLoopStartNs = now;
    scheduleAt(now);
}

void Runner::scheduleAt(qint64 deadlineNs) {
    m_deadlineNs = deadlineNs;
    onDeadlineTimer();
}

void Runner::onDeadlineTimer() {
    // A millisecond timer fires up to about a millisecond late, so sleep to just short of the deadline
    // and cover the last stretch with zero-time timers: the step then starts within tens of microseconds
    // of its deadline at the cost of at most a millisecond of busy waiting per step.
    const qint64 remaining = m_deadlineNs - monotonicNs();
    if (remaining <= kDeadlineSlackNs)
        QMetaObject::invokeMethod(this, &Runner::runStep, Qt::QueuedConnection);
    else if (remaining > 1'500'000)
        m_timer.start(
            static_cast<int>(std::min<qint64>((remaining - 1'000'000) / 1'000'000, 24LL * 3600 * 1000)));
    else
        m_timer.start(0);
}

StepResult Runner::newResult(const Step &step) const {
    StepResult r;
    r.phase = m_phase;
    r.iteration = m_phase == Phase::Steps ? m_iteration : 0;
    r.stepIndex = m_stepIndex;
    r.repetition = m_repetition;
    r.step = step.name;
    r.device = step.send ? step.send->device : step.expect ? step.expect->device : QString();
    return r;
}

void Runner::runStep() {
    if (m_finished || m_stage != Stage::Running)
        return;
    if (m_paused) {
        m_stepPending = true;
        return;
    }
    const QList<Step> &steps = m_scenario.phase(m_phase);
    if (m_stepIndex >= steps.size())
        return;
    const Step &step = steps[m_stepIndex];
    const qint64 now = monotonicNs();
    // A step that waited for its device to reconnect began when it started waiting.
    const qint64 begun = m_connectWaitSinceNs >= 0 ? m_connectWaitSinceNs : now;
    m_stepActive = true;
    m_stepStartNs = begun;

    if (step.fault)
        m_faults->inject(*step.fault, false);
    if (step.clear)
        m_faults->clear(*step.clear);
    if (!step.send && !step.expect) {
        // Waits, faults and clears record no result of their own: they shape the steps around them.
        disconnect(&m_waitTimer, nullptr, this, nullptr);
        connect(&m_waitTimer, &QTimer::timeout, this, [this] {
            m_stepActive = false;
            afterStep(false);
        });
        m_waitTimer.start(msUntil(now + step.wait.value_or(Nanoseconds(0)).count(), now));
        return;
    }

    // The harness's own exchange on the device's link (a supply switching power) goes first.
    const QString device = step.send ? step.send->device : step.expect->device;
    if (DeviceSession *session = m_bench->session(device); session && session->busy()) {
        m_waitIdle = connect(session, &DeviceSession::idle, this, [this] {
            disconnect(m_waitIdle);
            runStep();
        });
        return;
    }

    StepResult r = newResult(step);
    r.startNs = rel(begun);
    r.latenessNs = std::max<qint64>(0, begun - m_deadlineNs);

    qint64 sendNs = -1;
    if (step.send) {
        DeviceSession *to = m_bench->session(step.send->device);
        if (!to || to->state() != DeviceSession::State::Ready) {
            // A device the bench is bringing back gets the step's time budget (its `within`, or the
            // device's timeout) to return: a loop without a period then records one error per budget
            // instead of thousands a second, and a quick reconnect costs no error at all.
            if (to && !m_deviceLost && m_connectWaitSinceNs < 0) {
                const DeviceConfig *config = m_fixture.device(step.send->device);
                const qint64 budget = step.expect ? step.expect->within.count()
                                      : config    ? config->timeout.count()
                                                  : 0;
                if (budget > 0) {
                    m_connectWaitSinceNs = now;
                    m_waitConnected = connect(to, &DeviceSession::stateChanged, this,
                                              [this](DeviceSession::State state, const QString &) {
                                                  if (state != DeviceSession::State::Ready)
                                                      return;
                                                  m_connectTimer.stop();
                                                  disconnect(m_waitConnected);
                                                  runStep();
                                              });
                    m_connectTimer.start(msUntil(now + budget, now));
                    return;
                }
            }
            m_connectWaitSinceNs = -1;
            r.verdict = Verdict::Error;
            r.endNs = rel(now);
            r.message =
                QStringLiteral("device '%1' is not connected%2%3")
                    .arg(step.send->device,
                         now > begun
                             ? QStringLiteral(" (waited %1)").arg(formatDuration(Nanoseconds(now - begun)))
                             : QString(),
                         to && !to->lastError().isEmpty() ? QStringLiteral(": ") + to->lastError()
                                                          : QString());
            m_stepLostDevice = true;
            stepDone(std::move(r));
            return;
        }
        if (step.expect && step.expect->device == step.send->device)
            to->discardQueued();
        sendNs = to->sendLine(step.send->line);
    }
    if (!step.expect) {
        r.endNs = rel(monotonicNs());
        stepDone(std::move(r));
        return;
    }
    DeviceSession *from = m_bench->session(step.expect->device);
    if (!from) {
        r.verdict = Verdict::Error;
        r.message = QStringLiteral("device '%1' is not on the bench").arg(step.expect->device);
        stepDone(std::move(r));
        return;
    }
    m_waitingOn = from;
    const bool skip = step.send ? step.expect->skipUnmatched : true;
    const int index = m_stepIndex;
    const Phase phase = m_phase;
    const qint64 requestNs = step.send && step.send->device == step.expect->device ? sendNs : -1;
    from->expect(
        step.expect->match, step.expect->within, skip,
        [this, r, sendNs, index, phase](const DeviceSession::Answer &a) mutable {
            m_waitingOn = nullptr;
            const Step &st = m_scenario.phase(phase)[index];
            r.endNs = rel(a.timeNs);
            r.exchange = a.exchange.toString();
            r.stallNs = a.stallNs;
            if (sendNs >= 0 && a.stallNs == 0 && a.outcome != DeviceSession::Answer::Outcome::Lost
                && a.outcome != DeviceSession::Answer::Outcome::Timeout)
                r.latencyNs = a.timeNs - sendNs;
            switch (a.outcome) {
            case DeviceSession::Answer::Outcome::Matched:
                r.response = a.line;
                evaluate(st, r, a.match);
                break;
            case DeviceSession::Answer::Outcome::Mismatch:
                r.verdict = Verdict::Fail;
                r.response = a.line;
                r.message = QStringLiteral("unexpected answer '%1' (expected /%2/)")
                                .arg(clip(a.line), st.expect->match.pattern());
                break;
            case DeviceSession::Answer::Outcome::Timeout:
                r.verdict = Verdict::Fail;
                r.response = a.skipped;
                r.message =
                    QStringLiteral("timeout: no answer matching /%1/ within %2%3")
                        .arg(st.expect->match.pattern(), formatDuration(st.expect->within),
                             a.skipped.isEmpty()
                                 ? QString()
                                 : QStringLiteral(" (other lines: %1)").arg(clip(a.skipped.trimmed())));
                break;
            case DeviceSession::Answer::Outcome::Lost:
                r.verdict = Verdict::Error;
                r.message = QStringLiteral("device '%1' lost: %2").arg(st.expect->device, a.reason);
                m_stepLostDevice = true;
                break;
            }
            stepDone(std::move(r));
        },
        requestNs);
}

void Runner::evaluate(const Step &step, StepResult &r, const QRegularExpressionMatch &match) {
    MeasurementExtraction e = extractMeasurements(step.measure, match);
    r.verdict = combine(r.verdict, e.verdict);
    r.marginal = (r.marginal || e.marginal) && r.verdict == Verdict::Pass;
    r.measurements.append(std::move(e.measurements));
    r.message = std::move(e.message);

    bool changed = false;
    for (auto it = step.record.cbegin(); it != step.record.cend(); ++it) {
        const QString value = match.captured(it.value());
        QString *field = it.key() == u"dut_serial" ? &m_info.dutSerial
                         : it.key() == u"firmware" ? &m_info.firmware
                                                   : &m_info.station;
        if (*field != value) {
            *field = value;
            changed = true;
        }
    }
    if (changed) {
        for (ResultListener *l : std::as_const(m_listeners))
            l->runInfoChanged(m_info);
    }
}

void Runner::publish(const StepResult &result) {
    m_counts.add(result);
    for (ResultListener *l : std::as_const(m_listeners)) {
        l->stepFinished(result);
        l->countsChanged(m_counts);
    }
}

void Runner::record(StepResult &result) {
    if (m_faults && !result.device.isEmpty()) {
        result.faultId = m_faults->excusingFault(result.device);
        result.expected =
            result.faultId >= 0 && (result.verdict == Verdict::Fail || result.verdict == Verdict::Error);
    }
    if (!result.expected)
        m_verdict = combine(m_verdict, result.verdict);
    publish(result);
    if (m_faults)
        m_faults->stepFinished(result);
}

void Runner::noteLostDevice(const StepResult &result) {
    // Lost inside a fault window: expected, the bench reconnects. Outside one, the device has its
    // reconnect_timeout to come back before the steps end.
    if (result.expected || result.device.isEmpty())
        return;
    const qint64 now = monotonicNs();
    const qint64 since = m_lostSince.value(result.device, now);
    m_lostSince.insert(result.device, since);
    const DeviceConfig *config = m_fixture.device(result.device);
    const qint64 timeout = config ? config->reconnectTimeout.count() : 0;
    if (now - since >= timeout) {
        m_deviceLost = true;
        emitEvent(now, EventKind::Error, result.device,
                  QStringLiteral("not back within its reconnect timeout (%1)")
                      .arg(formatDuration(Nanoseconds(timeout))));
    }
}

void Runner::stopConnectWait() {
    m_connectTimer.stop();
    disconnect(m_waitConnected);
    m_connectWaitSinceNs = -1;
}

void Runner::stepDone(StepResult result) {
    m_stepActive = false;
    m_connectWaitSinceNs = -1;
    record(result);
    if (m_stepLostDevice) {
        m_stepLostDevice = false;
        noteLostDevice(result);
    }
    if (m_phase == Phase::Setup && result.verdict != Verdict::Pass)
        m_setupFailed = true;
    const bool stop = (m_phase == Phase::Setup && m_setupFailed) || (m_phase == Phase::Steps && m_deviceLost);
    const Step &step = m_scenario.phase(m_phase)[m_stepIndex];
    if (step.wait && !stop) {
        disconnect(&m_waitTimer, nullptr, this, nullptr);
        connect(&m_waitTimer, &QTimer::timeout, this, [this] { afterStep(false); });
        m_waitTimer.start(msUntil(monotonicNs() + step.wait->count(), monotonicNs()));
        return;
    }
    afterStep(stop);
}

qint64 Runner::nextSlot(const Repeat &rep, qint64 startNs, qint64 slot, qint64 nowNs, const QString &what) {
    if (!rep.every)
        return slot + 1;
    const qint64 period = rep.every->count();
    const qint64 next = slot + 1;
    // A slot more than half a period overdue is skipped rather than run late: after a hang, the loop goes
    // on at its pace instead of firing a burst of catch-up requests at the device.
    if (nowNs - (startNs + next * period) <= period / 2)
        return next;
    const qint64 first = (nowNs - startNs + period - 1) / period; // the first slot not in the past
    emitEvent(nowNs, EventKind::ScheduleOverrun, QString(),
              QStringLiteral("%1: %2 slot(s) of %3 skipped")
                  .arg(what)
                  .arg(first - next)
                  .arg(formatDuration(*rep.every)));
    return first;
}

bool Runner::repeatsAgain(const Repeat &rep, qint64 startNs, qint64 done, qint64 slot, qint64 nowNs) {
    if (rep.count)
        return done < *rep.count;
    if (rep.forDuration) {
        const qint64 end = startNs + rep.forDuration->count();
        if (rep.every)
            return startNs + slot * rep.every->count() < end;
        return nowNs < end;
    }
    return false;
}

void Runner::afterStep(bool stopPhase) {
    if (m_finished)
        return;
    const QList<Step> &steps = m_scenario.phase(m_phase);
    const qint64 now = monotonicNs();
    if (!stopPhase && m_stepIndex < steps.size()) {
        const Step &step = steps[m_stepIndex];
        const qint64 slot = nextSlot(step.repeat, m_stepLoopStartNs, m_stepSlot, now, step.name);
        if (repeatsAgain(step.repeat, m_stepLoopStartNs, m_repetition + 1, slot, now)) {
            ++m_repetition;
            m_stepSlot = slot;
            scheduleAt(step.repeat.every ? m_stepLoopStartNs + slot * step.repeat.every->count() : now);
            return;
        }
    }
    m_repetition = 0;
    m_stepSlot = 0;
    m_stepIndex = stopPhase ? static_cast<int>(steps.size()) : m_stepIndex + 1;
    if (m_stepIndex < steps.size()) {
        m_stepLoopStartNs = now;
        scheduleAt(now);
        return;
    }
    switch (m_phase) {
    case Phase::Setup:
        beginPhase(Phase::Steps);
        return;
    case Phase::Steps: {
        ++m_iterationsDone;
        const Repeat &rep = m_scenario.repeat;
        qint64 planned = -1;
        const qint64 elapsed = now - m_loopStartNs;
        if (rep.forDuration)
            planned = rep.forDuration->count();
        else if (rep.count && m_iterationsDone > 0)
            planned = elapsed / m_iterationsDone * *rep.count;
        for (ResultListener *l : std::as_const(m_listeners))
            l->progress(m_iterationsDone, elapsed, planned);
        const qint64 slot = nextSlot(rep, m_loopStartNs, m_loopSlot, now, QStringLiteral("scenario loop"));
        if (!stopPhase && !m_deviceLost && repeatsAgain(rep, m_loopStartNs, m_iteration + 1, slot, now)) {
            ++m_iteration;
            m_loopSlot = slot;
            m_stepIndex = 0;
            const qint64 deadline = rep.every ? m_loopStartNs + slot * rep.every->count() : now;
            m_stepLoopStartNs = std::max(deadline, now);
            scheduleAt(deadline);
            return;
        }
        m_faults->endAll(); // teardown runs on a clean bench
        beginPhase(Phase::Teardown);
        return;
    }
    case Phase::Teardown:
        finish(m_deviceLost ? QStringLiteral("a device was lost") : QString());
        return;
    }
}

void Runner::pause() {
    if (m_paused || m_finished)
        return;
    m_paused = true;
    m_pausedAtNs = monotonicNs();
    emitEvent(m_pausedAtNs, EventKind::Pause, QString(), QStringLiteral("paused by the operator"));
}

void Runner::resume() {
    if (!m_paused || m_finished)
        return;
    m_paused = false;
    const qint64 now = monotonicNs();
    const qint64 shift = now - m_pausedAtNs;
    m_loopStartNs += shift;
    m_stepLoopStartNs += shift;
    m_deadlineNs += shift;
    emitEvent(now, EventKind::Resume, QString(),
              QStringLiteral("after %1").arg(formatDuration(Nanoseconds(shift))));
    if (m_stepPending) {
        m_stepPending = false;
        scheduleAt(m_deadlineNs);
    }
}

int Runner::injectFault(const FaultEntry &fault) {
    if (!m_faults || m_finished || m_stage != Stage::Running)
        return -1;
    return m_faults->inject(fault, true);
}

void Runner::clearFaults(const QString &target) {
    if (m_faults && !m_finished)
        m_faults->clear(target);
}

void Runner::abort(const QString &reason, Verdict verdict) {
    if (m_finished)
        return;
    const qint64 now = monotonicNs();
    emitEvent(now, verdict == Verdict::Abort ? EventKind::Abort : EventKind::Error, QString(), reason);
    m_timer.stop();
    m_waitTimer.stop();
    stopConnectWait();
    if (m_waitingOn) {
        m_waitingOn->cancelExpect();
        m_waitingOn = nullptr;
    }
    if (m_stepActive && m_stage == Stage::Running) {
        const QList<Step> &steps = m_scenario.phase(m_phase);
        if (m_stepIndex < steps.size() && (steps[m_stepIndex].send || steps[m_stepIndex].expect)) {
            StepResult r = newResult(steps[m_stepIndex]);
            r.startNs = rel(m_stepStartNs);
            r.endNs = rel(now);
            r.verdict = verdict;
            r.message = verdict == Verdict::Abort ? QStringLiteral("aborted: %1").arg(reason) : reason;
            publish(r);
        }
        m_stepActive = false;
    }
    m_verdict = combine(m_verdict, verdict);
    finish(reason);
}

void Runner::finish(const QString &reason) {
    if (m_finished)
        return;
    m_finished = true;
    m_stage = Stage::Done;
    m_endReason = reason;
    m_timer.stop();
    m_waitTimer.stop();
    stopConnectWait();
    if (m_faults)
        m_faults->endAll();
    if (m_bench)
        m_bench->shutdown();
    RunSummary s;
    s.verdict = m_verdict;
    s.counts = m_counts;
    s.iterations = m_iterationsDone;
    s.endedWallNs = wallClockNs();
    s.durationNs = monotonicNs() - m_startNs;
    s.reason = reason;
    for (ResultListener *l : std::as_const(m_listeners))
        l->runFinished(s);
    emit finished(m_verdict);
}

} // namespace hil
