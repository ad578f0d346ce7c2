#include "core/run/runner.h"

#include "core/base/clock.h"
#include "core/base/printable.h"
#include "core/config/mqttstep.h"
#include "core/run/faultinjector.h"
#include "core/run/measurementextraction.h"
#include "core/run/resultlistener.h"
#include "core/run/schedule.h"
#include "core/session/bench.h"
#include "core/session/devicesession.h"

#include <QRandomGenerator>
#include <QSysInfo>
#include <QUuid>
#include <cmath>

namespace hil {

Runner::Runner(Scenario scenario, Fixture fixture, RunOptions options, QObject *parent)
    : QObject(parent)
    , m_scenario(std::move(scenario))
    , m_ledger(m_scenario)
    , m_fixture(std::move(fixture))
    , m_options(options)
    , m_prompt(new PromptStep(*this, m_resolver.variables(), m_options.answers, this))
    , m_deadline(this) {
    m_listeners.append(&m_ledger);
    m_waitTimer.setSingleShot(true);
    m_waitTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_waitTimer, &QTimer::timeout, this, &Runner::stepDone);
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
    if (m_state != RunState::Idle)
        return;
    m_info.uuid = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_info.scenario = m_scenario.name;
    m_info.scenarioPath = m_scenario.path;
    m_info.fixture = m_fixture.name;
    m_info.fixturePath = m_fixture.path;
    m_info.station = m_fixture.station.isEmpty() ? QSysInfo::machineHostName() : m_fixture.station;
    m_info.dutSerial = m_fixture.dutSerial;
    m_info.firmware = m_fixture.firmware;
    m_info.host = QSysInfo::machineHostName();
    m_info.vars = m_scenario.vars;
    m_info.seed = m_options.seed.value_or(
        m_scenario.seed.value_or(QRandomGenerator::system()->generate64() & 0x7fffffffffffffffULL));
    m_startNs = monotonicNs();
    m_info.startedAtNs = wallClockNs();
    for (ResultListener *l : std::as_const(m_listeners))
        l->runStarted(m_info);

    transition(RunEvent::Start);
    // MQTT devices subscribe to the topics the scenario listens on.
    m_bench = new Bench(withMqttSubscriptions(m_fixture, m_scenario), m_scenario.devices, m_info.seed, this,
                        m_options.stallThresholdNs);
    connect(m_bench, &Bench::deviceEvent, this, &Runner::emitEvent);
    connect(m_bench, &Bench::deviceGone, this, [this](const QString &device, const QString &reason) {
        emitEvent(monotonicNs(), EventKind::Error, device, QStringLiteral("device gone: %1").arg(reason));
        if (m_lostDevice.isEmpty())
            m_lostDevice = device;
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
                if (isFinished())
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
                r.faultId = f.id; // not excused: it is the fault's own check
                publish(r);
            });
    connect(m_bench, &Bench::failed, this, [this](const QString &device, const QString &reason) {
        emitEvent(monotonicNs(), EventKind::Error, device, reason);
        finish(RunEvent::BenchFailed,
               QStringLiteral("device '%1' could not be connected: %2").arg(device, reason));
    });
    connect(m_bench, &Bench::ready, this, [this] {
        if (m_state != RunState::Connecting)
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
        transition(RunEvent::BenchReady);
        beginPhase();
    });
    m_bench->connectAll(m_options.connectTimeoutMs);
}

void Runner::transition(RunEvent event) {
    m_state = nextRunState(m_state, event);
}

Phase Runner::phase() const {
    switch (m_state) {
    case RunState::Setup:
        return Phase::Setup;
    case RunState::Teardown:
        return Phase::Teardown;
    default:
        return Phase::Steps;
    }
}

DeviceLane *Runner::lane(const QString &device) {
    DeviceLane *&l = m_lanes[device];
    if (!l)
        l = new DeviceLane(device, m_bench, m_fixture, *this, this);
    return l;
}

QStringList Runner::stepDevices(const Step &step) const {
    if (!step.devices.isEmpty())
        return step.devices;
    return {step.send ? step.send->device : step.expect ? step.expect->device : step.stream->device};
}

void Runner::beginPhase() {
    m_stepIndex = 0;
    const qint64 now = monotonicNs();
    if (m_state == RunState::Steps) {
        m_iteration = 0;
        m_loopSlot = 0;
        m_loopStartNs = now;
        m_faults->startTimeline(m_scenario.faults);
    }
    if (m_scenario.phase(phase()).isEmpty()) {
        endPhase();
        return;
    }
    dueAt(now);
}

void Runner::dueAt(qint64 deadlineNs) {
    m_stepDueNs = deadlineNs;
    m_deadline.at(deadlineNs, [this] { runStep(); });
}

void Runner::runStep() {
    if (!runsSteps(m_state))
        return;
    if (m_paused) {
        m_heldByPause = true;
        return;
    }
    const Step &step = m_scenario.phase(phase())[m_stepIndex];
    if (!stepRuns(step)) {
        stepDone();
        return;
    }
    if (step.fault)
        m_faults->inject(*step.fault, false);
    if (step.clear)
        m_faults->clear(*step.clear);
    if (step.prompt) {
        LaneJob job{step, phase(), m_iteration, m_stepIndex, m_stepDueNs};
        QString why;
        if (step.templates.hasFields() && !m_resolver.resolve(job.step, &why)) {
            recordStepError(step, QString(), why);
            if (!isFinished())
                stepDone();
            return;
        }
        m_lanesBusy = 1;
        m_prompt->start(std::move(job));
        return;
    }
    if (!step.send && !step.expect && !step.stream) {
        // Waits, faults and clears record no result of their own: they shape the steps around them.
        std::optional<Nanoseconds> wait = step.wait;
        if (step.templates.wait) {
            Step resolved = step;
            QString why;
            if (!m_resolver.resolve(resolved, &why)) {
                recordStepError(step, QString(), why);
                if (!isFinished())
                    stepDone();
                return;
            }
            wait = resolved.wait;
        }
        if (wait)
            m_waitTimer.start(static_cast<int>((wait->count() + 999'999) / 1'000'000));
        else
            stepDone();
        return;
    }
    const QStringList devices = stepDevices(step);
    m_lanesBusy = static_cast<int>(devices.size());
    // Devices polled on a period keep their own slots, spread evenly over it unless the step says not.
    const qint64 offsetNs = step.repeat.every && step.repeat.spread && devices.size() > 1
                                ? step.repeat.every->count() / devices.size()
                                : 0;
    for (qsizetype k = 0; k < devices.size(); ++k) {
        const QString &device = devices[k];
        LaneJob job{step, phase(), m_iteration, m_stepIndex, m_stepDueNs + k * offsetNs};
        if (!step.devices.isEmpty()) {
            // A step over several devices: each lane runs it as if it named its own device.
            const DeviceConfig *config = m_fixture.device(device);
            if (job.step.send)
                job.step.send->device = device;
            if (job.step.expect) {
                job.step.expect->device = device;
                if (job.step.expect->within.count() == 0 && config)
                    job.step.expect->within = config->timeout;
            }
            if (job.step.stream)
                job.step.stream->device = device;
        }
        lane(device)->start(std::move(job));
    }
}

bool Runner::stepRuns(const Step &step) {
    if (step.templates.conditions.isEmpty())
        return true;
    QString why;
    const auto holds = m_resolver.conditionsHold(step, &why);
    if (holds && *holds)
        return true;
    const QStringList devices = step.send || step.expect || step.stream ? stepDevices(step) : QStringList();
    if (holds) {
        emitEvent(monotonicNs(), EventKind::Skip, devices.value(0),
                  QStringLiteral("%1: skipped, its if is false (%2)")
                      .arg(step.name, step.templates.conditions.join(QStringLiteral(" and "))));
        return false;
    }
    recordStepError(step, devices.value(0), why);
    return false;
}

void Runner::recordStepError(const Step &step, const QString &device, const QString &why) {
    StepResult r;
    r.phase = phase();
    r.iteration = phase() == Phase::Steps ? m_iteration : 0;
    r.stepIndex = m_stepIndex;
    r.step = step.name;
    r.device = device;
    r.bindings = step.bindings;
    r.startNs = r.endNs = rel(monotonicNs());
    r.verdict = Verdict::Error;
    r.message = QStringLiteral("step '%1': %2").arg(step.name, why);
    laneResult(std::move(r), false);
}

void Runner::noteFailFast(const StepResult &result) {
    if (!m_scenario.failFast || m_failedFast || m_state != RunState::Steps || result.expected
        || result.retried || (result.verdict != Verdict::Fail && result.verdict != Verdict::Error))
        return;
    m_failedFast = true;
    emitEvent(monotonicNs(), EventKind::Skip, result.device,
              QStringLiteral("fail_fast: the steps end at the first failure (%1)").arg(result.step));
}

void Runner::laneResult(StepResult &&result, bool deviceLost) {
    if (isFinished())
        return;
    record(result);
    noteFailFast(result);
    if (deviceLost)
        noteLostDevice(result);
    if (m_state == RunState::Setup && result.verdict != Verdict::Pass)
        m_setupFailed = true;
}

void Runner::laneDone() {
    if (--m_lanesBusy == 0 && runsSteps(m_state))
        stepDone();
}

bool Runner::phaseStopping() const {
    return (m_state == RunState::Setup && m_setupFailed)
           || (m_state == RunState::Steps && (deviceLost() || m_failedFast));
}

void Runner::laneRecordsInfo(const QString &field, const QString &value) {
    QString *target = field == u"dut_serial" ? &m_info.dutSerial
                      : field == u"firmware" ? &m_info.firmware
                                             : &m_info.station;
    if (*target == value)
        return;
    *target = value;
    for (ResultListener *l : std::as_const(m_listeners))
        l->runInfoChanged(m_info);
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
    // Excused for now: whether the excuse holds is decided at the end (verdictrule.h).
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
    if (now - since >= timeout && !deviceLost()) {
        m_lostDevice = result.device;
        emitEvent(now, EventKind::Error, result.device,
                  QStringLiteral("not back within its reconnect timeout (%1)")
                      .arg(formatDuration(Nanoseconds(timeout))));
    }
}

void Runner::stepDone() {
    if (!runsSteps(m_state))
        return;
    afterStep(phaseStopping());
}

void Runner::afterStep(bool stopPhase) {
    const QList<Step> &steps = m_scenario.phase(phase());
    m_stepIndex = stopPhase ? static_cast<int>(steps.size()) : m_stepIndex + 1;
    if (m_stepIndex < steps.size()) {
        dueAt(monotonicNs());
        return;
    }
    if (m_state != RunState::Steps) {
        endPhase();
        return;
    }
    const qint64 now = monotonicNs();
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
    const SlotStep s = nextSlot(rep, m_loopStartNs, m_loopSlot, now);
    if (s.skipped > 0)
        emitEvent(now, EventKind::ScheduleOverrun, QString(),
                  QStringLiteral("scenario loop: %1 slot(s) of %2 skipped")
                      .arg(s.skipped)
                      .arg(formatDuration(*rep.every)));
    if (!stopPhase && !deviceLost() && repeatsAgain(rep, m_loopStartNs, m_iteration + 1, s.slot, now)) {
        ++m_iteration;
        m_loopSlot = s.slot;
        m_stepIndex = 0;
        dueAt(slotDeadline(rep, m_loopStartNs, m_loopSlot, now));
        return;
    }
    endPhase();
}

void Runner::endPhase() {
    switch (m_state) {
    case RunState::Setup:
        if (m_setupFailed) {
            emitEvent(monotonicNs(), EventKind::Skip, QString(),
                      QStringLiteral("setup did not pass: steps skipped"));
            transition(RunEvent::SetupNotPassed);
        } else {
            transition(RunEvent::PhaseDone);
        }
        beginPhase();
        return;
    case RunState::Steps:
        m_faults->endAll(); // teardown runs on a clean bench
        transition(deviceLost() ? RunEvent::DeviceGone : RunEvent::PhaseDone);
        beginPhase();
        return;
    case RunState::Teardown:
        finish(RunEvent::PhaseDone,
               deviceLost() ? QStringLiteral("device '%1' was lost").arg(m_lostDevice) : QString());
        return;
    default:
        return;
    }
}

void Runner::pause() {
    if (m_paused || isFinished())
        return;
    m_paused = true;
    m_pausedAtNs = monotonicNs();
    emitEvent(m_pausedAtNs, EventKind::Pause, QString(), QStringLiteral("paused by the operator"));
    m_prompt->pause();
}

void Runner::resume() {
    if (!m_paused || isFinished())
        return;
    m_paused = false;
    const qint64 now = monotonicNs();
    const qint64 shift = now - m_pausedAtNs;
    m_loopStartNs += shift;
    m_stepDueNs += shift;
    m_deadline.shift(shift);
    emitEvent(now, EventKind::Resume, QString(),
              QStringLiteral("after %1").arg(formatDuration(Nanoseconds(shift))));
    for (DeviceLane *l : std::as_const(m_lanes))
        l->resume(shift);
    m_prompt->resume();
    if (m_heldByPause) {
        m_heldByPause = false;
        dueAt(m_stepDueNs);
    }
}

int Runner::injectFault(const FaultEntry &fault) {
    if (!m_faults || !runsSteps(m_state))
        return -1;
    return m_faults->inject(fault, true);
}

void Runner::clearFaults(const QString &target) {
    if (m_faults && !isFinished())
        m_faults->clear(target);
}

void Runner::abort(const QString &reason, Verdict verdict) {
    if (isFinished())
        return;
    const qint64 now = monotonicNs();
    emitEvent(now, verdict == Verdict::Abort ? EventKind::Abort : EventKind::Error, QString(), reason);
    m_deadline.stop();
    m_waitTimer.stop();
    // Every exchange in flight ends with the run: one row each.
    for (DeviceLane *l : std::as_const(m_lanes)) {
        if (std::optional<StepResult> r = l->abort(reason, verdict))
            publish(*r);
    }
    if (std::optional<StepResult> r = m_prompt->abort(reason, verdict))
        publish(*r);
    finish(verdict == Verdict::Abort ? RunEvent::Abort : RunEvent::StoreFailed, reason);
}

void Runner::finish(RunEvent event, const QString &reason) {
    if (isFinished())
        return;
    transition(event);
    if (m_state != RunState::Finishing)
        transition(RunEvent::Abort); // a bench failing after it was ready: the run cannot go on
    m_endReason = reason;
    m_deadline.stop();
    m_waitTimer.stop();
    for (DeviceLane *l : std::as_const(m_lanes))
        l->abort(reason, Verdict::Abort);
    m_prompt->abort(reason, Verdict::Abort);
    if (m_faults)
        m_faults->endAll();
    if (m_bench)
        m_bench->shutdown();
    // The one verdict rule over everything recorded, with the harness's own facts: how the run ended.
    VerdictInputs in = m_ledger.inputs();
    in.aborted = event == RunEvent::Abort;
    in.benchFailed = event == RunEvent::BenchFailed;
    in.storeFailed = event == RunEvent::StoreFailed;
    in.deviceGone = deviceLost();
    if (!reason.isEmpty())
        in.reasons.append(reason);
    const VerdictDecision decision = decideVerdict(in);
    m_verdictReasons = decision.reasons;
    m_counts = decision.counts;
    for (ResultListener *l : std::as_const(m_listeners))
        l->countsChanged(m_counts);
    RunSummary s;
    s.verdict = decision.verdict;
    s.counts = m_counts;
    s.reasons = decision.reasons;
    s.unexcusedFaults = decision.unprovenFaults;
    s.iterations = m_iterationsDone;
    s.endedWallNs = wallClockNs();
    s.durationNs = monotonicNs() - m_startNs;
    s.reason = reason;
    transition(RunEvent::Finished);
    for (ResultListener *l : std::as_const(m_listeners))
        l->runFinished(s);
    emit finished(decision.verdict);
}

} // namespace hil
