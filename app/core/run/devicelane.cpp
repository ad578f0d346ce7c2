#include "core/run/devicelane.h"

#include "core/base/clock.h"
#include "core/base/printable.h"
#include "core/config/modbusconfig.h"
#include "core/run/fielddecode.h"
#include "core/run/measurementextraction.h"
#include "core/run/schedule.h"
#include "core/run/stepresolver.h"
#include "core/run/streamwatch.h"
#include "core/session/bench.h"
#include "core/session/devicesession.h"

namespace hil {

namespace {

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

DeviceLane::DeviceLane(QString device, Bench *bench, const Fixture &fixture, LaneHost &host, QObject *parent)
    : QObject(parent)
    , m_device(std::move(device))
    , m_bench(bench)
    , m_fixture(fixture)
    , m_host(host)
    , m_deadline(this) {
    m_wait.setSingleShot(true);
    m_wait.setTimerType(Qt::PreciseTimer);
    connect(&m_wait, &QTimer::timeout, this, &DeviceLane::next);
    m_connectWait.setSingleShot(true);
    m_connectWait.setTimerType(Qt::PreciseTimer); // an ERROR per budget: never early
    m_retry.setSingleShot(true);
    m_retry.setTimerType(Qt::PreciseTimer);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        setState(State::Due);
        m_waitSinceNs = -1;
        exchange();
    });
    connect(&m_connectWait, &QTimer::timeout, this, [this] {
        disconnect(m_waitConnected);
        exchange();
    });
}

void DeviceLane::start(LaneJob job) {
    Q_ASSERT(m_state == State::Idle);
    m_job = std::move(job);
    m_template = m_job.step;
    m_repetition = 0;
    m_slot = 0;
    m_loopStartNs = m_job.dueNs;
    m_deadlineNs = m_job.dueNs;
    setState(State::Due);
    m_deadline.at(m_deadlineNs, [this] { due(); });
}

StepResult DeviceLane::newResult() const {
    const Step &step = m_job.step;
    StepResult r;
    r.phase = m_job.phase;
    r.iteration = m_job.phase == Phase::Steps ? m_job.iteration : 0;
    r.stepIndex = m_job.stepIndex;
    r.repetition = m_repetition;
    r.step = step.name;
    r.bindings = step.bindings;
    r.attempt = m_try;
    r.device = step.send     ? step.send->device
               : step.expect ? step.expect->device
               : step.stream ? step.stream->device
                             : m_device;
    return r;
}

void DeviceLane::due() {
    if (m_host.paused()) {
        setState(State::Paused);
        return;
    }
    m_startedNs = monotonicNs();
    m_waitSinceNs = -1;
    m_try = 1;
    m_firstTryNs = m_startedNs;
    exchange();
}

void DeviceLane::exchange() {
    const Step &step = m_job.step;
    const qint64 now = monotonicNs();
    // A run that waited for its device to reconnect began when it started waiting.
    const qint64 begun = m_waitSinceNs >= 0 ? m_waitSinceNs : now;
    m_startedNs = begun;

    // The harness's own exchange on this device's link (a supply's power command) goes first.
    const QString device = step.send     ? step.send->device
                           : step.expect ? step.expect->device
                                         : step.stream->device;
    if (DeviceSession *session = m_bench->session(device); session && session->busy()) {
        setState(State::WaitingBackground);
        m_waitIdle = connect(session, &DeviceSession::idle, this, [this] {
            disconnect(m_waitIdle);
            exchange();
        });
        return;
    }

    StepResult r = newResult();
    r.startNs = m_host.runNs(begun);
    r.latenessNs = m_try > 1 ? 0 : std::max<qint64>(0, begun - m_deadlineNs);
    if (m_template.templates.hasFields()) {
        // Each try computes its ${...} from the variables as they are now (a capture of the last answer).
        Step resolved = m_template;
        QString why;
        if (!m_host.resolver().resolve(resolved, &why)) {
            r.verdict = Verdict::Error;
            r.endNs = m_host.runNs(monotonicNs());
            r.message = QStringLiteral("step '%1': %2").arg(step.name, why);
            exchangeDone(std::move(r), false);
            return;
        }
        m_job.step = std::move(resolved);
    }

    // The device the step talks to (its send's, else its expect's or stream's): one that the bench is
    // bringing back gets the step's time budget (its `within`, or the device's timeout) to return. A loop
    // without a period then records one error per budget instead of thousands a second (an expect-only
    // loop on a lost stream as much as a polling one), and a quick reconnect costs no error at all.
    DeviceSession *talksTo = m_bench->session(device);
    if ((step.send || talksTo) && (!talksTo || talksTo->state() != DeviceSession::State::Ready)) {
        if (talksTo && !m_host.phaseStopping() && m_waitSinceNs < 0) {
            const DeviceConfig *config = m_fixture.device(device);
            const qint64 budget = step.expect ? step.expect->within.count()
                                  : config    ? config->timeout.count()
                                              : 0;
            if (budget > 0) {
                m_waitSinceNs = now;
                setState(State::WaitingReconnect);
                m_waitConnected = connect(talksTo, &DeviceSession::stateChanged, this,
                                          [this](DeviceSession::State state, const QString &) {
                                              if (state != DeviceSession::State::Ready)
                                                  return;
                                              m_connectWait.stop();
                                              disconnect(m_waitConnected);
                                              exchange();
                                          });
                m_connectWait.start(msUntil(now + budget, now));
                return;
            }
        }
        m_waitSinceNs = -1;
        r.verdict = Verdict::Error;
        r.endNs = m_host.runNs(now);
        r.message =
            QStringLiteral("device '%1' is not connected%2%3")
                .arg(device,
                     now > begun
                         ? QStringLiteral(" (waited %1)").arg(formatDuration(Nanoseconds(now - begun)))
                         : QString(),
                     talksTo && !talksTo->lastError().isEmpty() ? QStringLiteral(": ") + talksTo->lastError()
                                                                : QString());
        exchangeDone(std::move(r), true);
        return;
    }

    qint64 sendNs = -1;
    if (step.send) {
        DeviceSession *to = talksTo;
        if (step.expect && step.expect->device == step.send->device)
            to->discardQueued();
        QString why;
        sendNs = to->sendLine(step.send->line, &why);
        if (sendNs < 0) {
            r.verdict = Verdict::Error;
            r.endNs = m_host.runNs(monotonicNs());
            r.message =
                QStringLiteral("step '%1': cannot send to '%2': %3").arg(step.name, step.send->device, why);
            exchangeDone(std::move(r), false);
            return;
        }
    }
    m_waitSinceNs = -1;
    if (step.stream) {
        watchStream(std::move(r), sendNs);
        return;
    }
    if (!step.expect) {
        r.endNs = m_host.runNs(monotonicNs());
        exchangeDone(std::move(r), false);
        return;
    }
    DeviceSession *from = m_bench->session(step.expect->device);
    if (!from) {
        r.verdict = Verdict::Error;
        r.endNs = m_host.runNs(monotonicNs());
        r.message = QStringLiteral("device '%1' is not on the bench").arg(step.expect->device);
        exchangeDone(std::move(r), false);
        return;
    }
    m_expecting = from;
    setState(State::AwaitingAnswer);
    const bool skip = step.send ? step.expect->skipUnmatched : true;
    // The send time of a request to the device that answers it: the session keeps it owed past a timeout.
    const qint64 requestNs = step.send && step.send->device == step.expect->device ? sendNs : -1;
    // A listen (no request of its own on this device) takes lines that arrived after its step began;
    // earlier ones are stale. A step that follows the device's previous exchange at once (its deadline
    // was set while that answer was handled: no wait, no period between) began when that answer arrived,
    // so a line the device sent right behind it is news.
    qint64 freshFromNs = -1;
    if (requestNs < 0) {
        freshFromNs = begun;
        if (from->lastAnswerNs() >= 0 && from->decidedWhileHandling(m_deadlineNs))
            freshFromNs = std::min(begun, from->lastAnswerNs());
        r.startNs = m_host.runNs(freshFromNs);
    }
    // An MQTT message delivered before the step (a retained one at subscription) is the topic's current
    // value by the protocol's own definition: taken, and recorded as stale.
    const DeviceConfig *expectConfig = m_fixture.device(step.expect->device);
    const bool mqtt = expectConfig && expectConfig->kind == DeviceConfig::Kind::Mqtt;
    // What the latency is measured from: the request, or for a listen the step's beginning.
    const qint64 latencyFromNs = sendNs >= 0 ? sendNs : freshFromNs;
    from->expect(
        step.expect->match, step.expect->within, skip,
        [this, r, latencyFromNs, freshFromNs](const DeviceSession::Answer &a) mutable {
            m_expecting = nullptr;
            const Step &st = m_job.step;
            // A stale answer (taken because the step accepts one) was there when the step began: the row
            // ends where it starts, and has no latency.
            r.endNs = a.stale ? r.startNs : std::max(r.startNs, m_host.runNs(a.timeNs));
            r.exchange = a.exchange.toString();
            r.stallNs = a.stallNs;
            // An answer that a stall of the harness overlapped has no latency of the device's.
            if (latencyFromNs >= 0 && !a.stale && a.stallNs == 0
                && a.outcome != DeviceSession::Answer::Outcome::Lost
                && a.outcome != DeviceSession::Answer::Outcome::Timeout)
                r.latencyNs = std::max<qint64>(0, a.timeNs - latencyFromNs);
            if (a.stale)
                m_host.laneEvent(
                    a.timeNs, EventKind::StaleData, st.expect->device,
                    QStringLiteral("%1: took a stale answer (stale: accept) that arrived %2 "
                                   "before the step began: '%3'")
                        .arg(st.name, formatDuration(Nanoseconds(freshFromNs - a.timeNs)), clip(a.line)));
            bool lost = false;
            switch (a.outcome) {
            case DeviceSession::Answer::Outcome::Matched: {
                r.response = a.line;
                const Captures captures{a.match, decodeFields(st.expect->fields, a.line)};
                evaluate(r, captures);
                m_host.resolver().learn(st, captures, r.measurements);
                break;
            }
            case DeviceSession::Answer::Outcome::Mismatch:
                r.verdict = Verdict::Fail;
                r.response = a.line;
                r.message = QStringLiteral("unexpected answer '%1' (expected /%2/)")
                                .arg(clip(a.line), st.expect->match.pattern());
                if (const QString ex = st.expect->modbus ? modbusExceptionText(a.line) : QString();
                    !ex.isEmpty())
                    r.message = QStringLiteral("%1 from %2").arg(ex, st.expect->device);
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
                if (a.staleSkipped > 0)
                    r.message += QStringLiteral("; %1 stale line(s) that arrived before the step began "
                                                "were passed over (stale: accept takes them)")
                                     .arg(a.staleSkipped);
                if (st.expect->modbus && st.send && a.skipped.isEmpty())
                    r.message = modbusTimeoutText(st.send->line, st.expect->device, st.expect->within);
                break;
            case DeviceSession::Answer::Outcome::BadFrame:
                r.verdict = Verdict::Fail;
                r.response = a.line;
                r.message = QStringLiteral("bad frame: %1").arg(a.reason);
                break;
            case DeviceSession::Answer::Outcome::Lost:
                r.verdict = Verdict::Error;
                r.message = QStringLiteral("device '%1' lost: %2").arg(st.expect->device, a.reason);
                lost = true;
                break;
            }
            exchangeDone(std::move(r), lost);
        },
        requestNs, freshFromNs, step.expect->acceptStale || mqtt);
}

void DeviceLane::watchStream(StepResult r, qint64 sendNs) {
    DeviceSession *from = m_bench->session(m_job.step.stream->device);
    if (!from) {
        r.verdict = Verdict::Error;
        r.endNs = m_host.runNs(monotonicNs());
        r.message = QStringLiteral("device '%1' is not on the bench").arg(m_job.step.stream->device);
        exchangeDone(std::move(r), false);
        return;
    }
    setState(State::AwaitingAnswer);
    StreamWatch::Sinks sinks{[this](StepResult &&row) { m_host.laneResult(std::move(row), false); },
                             [this](StepResult &&summary, bool lost) {
                                 m_stream->deleteLater();
                                 m_stream = nullptr;
                                 exchangeDone(std::move(summary), lost);
                             },
                             [this](qint64 monoNs) { return m_host.runNs(monoNs); }};
    m_stream = new StreamWatch(*m_job.step.stream, from, std::move(r), sendNs >= 0, std::move(sinks), this);
    m_stream->start(monotonicNs());
}

void DeviceLane::evaluate(StepResult &r, const Captures &captures) {
    const Step &step = m_job.step;
    MeasurementExtraction e = extractMeasurements(step.measure, captures);
    r.verdict = combine(r.verdict, e.verdict);
    r.marginal = (r.marginal || e.marginal) && r.verdict == Verdict::Pass;
    r.measurements.append(std::move(e.measurements));
    r.message = std::move(e.message);
    for (auto it = step.record.cbegin(); it != step.record.cend(); ++it)
        m_host.laneRecordsInfo(it.key(), captures.value(it.value()));
}

bool DeviceLane::retryAfter(StepResult &r) {
    const std::optional<RetrySpec> &retry = m_job.step.retry;
    bool holds = r.verdict == Verdict::Pass;
    if (holds && retry->until) {
        QString why;
        const auto until = m_host.resolver().untilHolds(m_job.step, &why);
        if (!until) {
            r.verdict = Verdict::Error;
            r.message = QStringLiteral("until %1: %2").arg(*retry->until, why);
            return false;
        }
        holds = *until;
    }
    if (holds)
        return false;
    const qint64 now = monotonicNs();
    const bool moreTries =
        (!retry->times || m_try < *retry->times)
        && (!retry->within || now + retry->every.count() - m_firstTryNs < retry->within->count())
        && !m_host.phaseStopping();
    if (moreTries) {
        r.retried = true;
        return true;
    }
    if (r.verdict == Verdict::Pass) { // the exchange passed but its until never held
        r.verdict = Verdict::Fail;
        r.marginal = false;
        r.message = QStringLiteral("until %1 was still false after %2 tries in %3")
                        .arg(*retry->until)
                        .arg(m_try)
                        .arg(formatDuration(Nanoseconds(now - m_firstTryNs)));
    }
    return false;
}

void DeviceLane::exchangeDone(StepResult r, bool deviceLost) {
    if (m_job.step.retry && !deviceLost && retryAfter(r)) {
        m_host.laneResult(std::move(r), false);
        if (m_state == State::Idle)
            return;
        ++m_try;
        setState(State::Waiting);
        m_retry.start(msUntil(monotonicNs() + m_job.step.retry->every.count(), monotonicNs()));
        return;
    }
    m_host.laneResult(std::move(r), deviceLost);
    if (m_state == State::Idle)
        return; // the result ended the run (a store that failed, say)
    if (m_job.step.wait && !m_host.phaseStopping()) {
        setState(State::Waiting);
        m_wait.start(msUntil(monotonicNs() + m_job.step.wait->count(), monotonicNs()));
        return;
    }
    next();
}

void DeviceLane::next() {
    const Repeat &rep = m_job.step.repeat;
    const qint64 now = monotonicNs();
    if (!m_host.phaseStopping()) {
        const SlotStep s = nextSlot(rep, m_loopStartNs, m_slot, now);
        if (s.skipped > 0)
            m_host.laneEvent(now, EventKind::ScheduleOverrun, m_device,
                             QStringLiteral("%1: %2 slot(s) of %3 skipped")
                                 .arg(m_job.step.name)
                                 .arg(s.skipped)
                                 .arg(formatDuration(*rep.every)));
        if (repeatsAgain(rep, m_loopStartNs, m_repetition + 1, s.slot, now)) {
            ++m_repetition;
            m_slot = s.slot;
            m_deadlineNs = slotDeadline(rep, m_loopStartNs, m_slot, now);
            setState(State::Due);
            m_deadline.at(m_deadlineNs, [this] { due(); });
            return;
        }
    }
    setState(State::Idle);
    m_host.laneDone();
}

void DeviceLane::stopWaits() {
    m_deadline.stop();
    m_wait.stop();
    m_connectWait.stop();
    m_retry.stop();
    disconnect(m_waitIdle);
    disconnect(m_waitConnected);
}

std::optional<StepResult> DeviceLane::abort(const QString &reason, Verdict verdict) {
    if (m_state == State::Idle)
        return std::nullopt;
    const State was = m_state;
    stopWaits();
    if (m_stream) {
        StepResult r = m_stream->abort(
            verdict, verdict == Verdict::Abort ? QStringLiteral("aborted: %1").arg(reason) : reason);
        m_stream->deleteLater();
        m_stream = nullptr;
        setState(State::Idle);
        return r;
    }
    if (m_expecting) {
        m_expecting->cancelExpect();
        m_expecting = nullptr;
    }
    setState(State::Idle);
    // Only an exchange under way (sent, or waiting for its device) has a result to close.
    if (was != State::AwaitingAnswer && was != State::WaitingReconnect && was != State::WaitingBackground)
        return std::nullopt;
    StepResult r = newResult();
    r.startNs = m_host.runNs(m_startedNs);
    r.endNs = m_host.runNs(monotonicNs());
    r.verdict = verdict;
    r.message = verdict == Verdict::Abort ? QStringLiteral("aborted: %1").arg(reason) : reason;
    return r;
}

void DeviceLane::resume(qint64 shiftNs) {
    m_loopStartNs += shiftNs;
    m_deadlineNs += shiftNs;
    if (m_deadline.isArmed())
        m_deadline.shift(shiftNs);
    if (m_state == State::Paused) {
        setState(State::Due);
        m_deadline.at(m_deadlineNs, [this] { due(); });
    }
}

} // namespace hil
