#include "core/session/devicesession.h"

#include "core/base/clock.h"
#include "core/base/printable.h"
#include "core/session/framerfactory.h"
#include "core/session/stallwatch.h"
#include "core/transport/transport.h"

#include <QPointer>
#include <algorithm>
#include <limits>

namespace hil {

namespace {

int timerMs(qint64 ns) {
    return static_cast<int>(std::clamp<qint64>((ns + 999'999) / 1'000'000, 1, 24LL * 3600 * 1000));
}

} // namespace

DeviceSession::DeviceSession(const DeviceConfig &config, std::unique_ptr<Transport> transport,
                             QObject *parent)
    : QObject(parent)
    , m_name(config.name)
    , m_transport(std::move(transport))
    , m_framer(makeFramer(config))
    , m_binary(config.framing.isBinary())
    , m_keepStale(config.stale == DeviceConfig::Stale::Keep)
    , m_lateWindow(config.lateWindow) {
    m_timeout.setSingleShot(true);
    m_timeout.setTimerType(Qt::PreciseTimer);
    connect(&m_timeout, &QTimer::timeout, this, &DeviceSession::onTimeout);
    m_owedTimer.setSingleShot(true);
    m_owedTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_owedTimer, &QTimer::timeout, this, [this] {
        const qint64 now = monotonicNs();
        if (m_watch)
            m_watch->checkpoint(now);
        expireOwed(now);
        owedChanged();
    });
    attach();
}

void DeviceSession::onTimeout() {
    const qint64 now = monotonicNs();
    if (m_watch) {
        // The device gets `within` of time the harness was running: a stall during the wait adds its
        // length to the wait rather than being billed to the device.
        m_watch->checkpoint(now);
        const qint64 stalled = m_watch->stalledWithin(m_waitStartNs, now);
        if (stalled > m_creditedStallNs) {
            const qint64 extra = stalled - m_creditedStallNs;
            m_creditedStallNs = stalled;
            m_timeout.start(timerMs(extra));
            return;
        }
    }
    Answer a;
    a.outcome = Answer::Outcome::Timeout;
    a.timeNs = now;
    complete(std::move(a));
}

void DeviceSession::attach() {
    connect(m_transport.get(), &Transport::opened, this,
            [this] { setState(State::Ready, m_transport->describe()); });
    connect(m_transport.get(), &Transport::failed, this, [this](const QString &reason) {
        m_lastError = reason;
        setState(State::Lost, reason);
    });
    connect(m_transport.get(), &Transport::closed, this, [this](const QString &reason) {
        m_lastError = reason;
        setState(State::Lost, reason);
    });
    connect(m_transport.get(), &Transport::bytesReceived, this, &DeviceSession::onBytes);
}

void DeviceSession::replaceTransport(std::unique_ptr<Transport> transport) {
    cancelExpect();
    m_transport->disconnect(this);
    m_transport->close();
    m_transport = std::move(transport);
    m_framer->reset();
    m_queue.clear();
    clearOwed();
    attach();
    setState(State::Idle, QStringLiteral("transport replaced"));
}

DeviceSession::~DeviceSession() {
    // The transport is destroyed with the session; nothing may call back into a half-destroyed object.
    if (m_transport)
        m_transport->disconnect(this);
}

void DeviceSession::start() {
    m_framer->reset();
    setState(State::Connecting, m_transport->describe());
    m_transport->open();
}

void DeviceSession::stop() {
    cancelExpect();
    m_transport->close();
    setState(State::Idle, QStringLiteral("stopped"));
}

void DeviceSession::setState(State s, const QString &reason) {
    if (s == m_state)
        return;
    m_state = s;
    if (s == State::Lost)
        clearOwed(); // answers owed on a link that went away will not come on the next one
    if (s == State::Lost && m_handler) {
        Answer a;
        a.outcome = Answer::Outcome::Lost;
        a.timeNs = monotonicNs();
        a.reason = reason;
        complete(std::move(a));
    }
    emit stateChanged(s, reason);
}

qint64 DeviceSession::sendLine(const QByteArray &line, QString *error) {
    std::optional<QByteArray> bytes = m_framer->encode(line, error);
    if (!bytes)
        return -1;
    const qint64 t = monotonicNs();
    m_transport->write(*bytes);
    emit lineSent(t, line);
    return t;
}

void DeviceSession::discardQueued() {
    if (m_lastExpectStrict && !m_queue.empty()) {
        emit problem(
            monotonicNs(), EventKind::UnexpectedLine,
            QStringLiteral("%1 line(s) after the last answer that nobody asked for, dropped before the "
                           "next request; the first: '%2'")
                .arg(m_queue.size())
                .arg(printableBytes(m_queue.front().second.left(kMaxSkippedBytes))));
    }
    m_queue.clear();
}

void DeviceSession::beginRun() {
    if (m_queue.empty())
        return;
    if (!m_keepStale) {
        m_queue.clear();
        return;
    }
    const qint64 now = monotonicNs();
    emit problem(m_queue.front().first, EventKind::StaleData,
                 QStringLiteral("%1 line(s) received before the run, kept as stale: the first %2 and the "
                                "last %3 before the run began; the first: '%4'")
                     .arg(m_queue.size())
                     .arg(formatDuration(Nanoseconds(now - m_queue.front().first)),
                          formatDuration(Nanoseconds(now - m_queue.back().first)),
                          printableBytes(m_queue.front().second.left(kMaxSkippedBytes))));
}

void DeviceSession::onBytes(const QByteArray &bytes) {
    const qint64 t = monotonicNs();
    if (m_watch)
        m_watch->checkpoint(t);
    m_framer->push(bytes, [this, t](Framer::Frame &&frame) {
        if (frame.kind == Framer::Frame::Kind::Bad) {
            onBadFrame(t, std::move(frame));
            return;
        }
        if (frame.kind == Framer::Frame::Kind::Overflow) {
            emit problem(t, EventKind::Overflow,
                         QStringLiteral("%1 longer than the limit dropped (%2 bytes), starting: %3")
                             .arg(m_binary ? QStringLiteral("frame") : QStringLiteral("line"))
                             .arg(frame.droppedBytes)
                             .arg(printableBytes(frame.data.left(80))));
            return;
        }
        onLine(t, std::move(frame.data));
    });
}

void DeviceSession::onLine(qint64 timeNs, QByteArray line) {
    ++m_linesReceived;
    emit lineReceived(timeNs, line);
    if (takeLateAnswer(timeNs, line))
        return;
    // While queued lines wait to be offered (see expect()), newer lines queue behind them to keep order.
    // A line offered to a waiting expect is consumed, whether it matched or was skipped.
    if (m_handler && m_queue.empty()) {
        offer(timeNs, line);
        return;
    }
    if (static_cast<qsizetype>(m_queue.size()) >= kMaxQueuedLines) {
        m_queue.pop_front();
        if (m_queuedDropped++ == 0)
            emit problem(timeNs, EventKind::QueueOverflow,
                         QStringLiteral("more than %1 unsolicited lines waiting; oldest dropped")
                             .arg(kMaxQueuedLines));
    }
    m_queue.emplace_back(timeNs, std::move(line));
}

void DeviceSession::onBadFrame(qint64 timeNs, Framer::Frame &&frame) {
    ++m_badFrames;
    emit problem(
        timeNs, EventKind::BadFrame,
        QStringLiteral("%1: %2").arg(frame.reason, printableBytes(frame.data.left(kMaxSkippedBytes))));
    // A frame the device garbled is its answer, a wrong one: a waiting expect fails with it (after the
    // frames queued before it, which came first).
    if (m_handler && m_queue.empty()) {
        Answer a;
        a.outcome = Answer::Outcome::BadFrame;
        a.line = std::move(frame.data);
        a.reason = std::move(frame.reason);
        a.timeNs = timeNs;
        complete(std::move(a));
    }
}

bool DeviceSession::offer(qint64 timeNs, const QByteArray &line) {
    QRegularExpressionMatch match = m_pattern.match(QString::fromUtf8(line));
    if (match.hasMatch()) {
        Answer a;
        a.outcome = Answer::Outcome::Matched;
        a.line = line;
        a.match = std::move(match);
        a.timeNs = timeNs;
        complete(std::move(a));
        return true;
    }
    if (!m_skipUnmatched) {
        Answer a;
        a.outcome = Answer::Outcome::Mismatch;
        a.line = line;
        a.timeNs = timeNs;
        complete(std::move(a));
        return true;
    }
    if (m_skipped.size() < kMaxSkippedBytes)
        m_skipped += line.left(kMaxSkippedBytes - m_skipped.size()) + '\n';
    return false;
}

bool DeviceSession::takeLateAnswer(qint64 timeNs, const QByteArray &line) {
    expireOwed(timeNs);
    for (auto it = m_owed.begin(); it != m_owed.end(); ++it) {
        if (!it->strict && !it->pattern.match(QString::fromUtf8(line)).hasMatch())
            continue;
        const qint64 stalled = m_watch ? m_watch->stalledWithin(it->sentNs, timeNs) : 0;
        emit problem(timeNs, EventKind::LateAnswer,
                     QStringLiteral("%1 answered after %2%3: '%4'")
                         .arg(it->id.toString(), formatDuration(Nanoseconds(timeNs - it->sentNs)),
                              stalled > 0 ? QStringLiteral(" (the harness stalled for %1 of it)")
                                                .arg(formatDuration(Nanoseconds(stalled)))
                                          : QString(),
                              printableBytes(line.left(kMaxSkippedBytes))));
        m_owed.erase(it);
        owedChanged();
        return true;
    }
    return false;
}

void DeviceSession::expireOwed(qint64 nowNs) {
    for (auto it = m_owed.begin(); it != m_owed.end();) {
        if (m_watch) {
            // A stall of the harness does not eat into the late window either.
            const qint64 stalled = m_watch->stalledWithin(it->sentNs, nowNs);
            if (stalled > it->creditedStallNs) {
                it->lateUntilNs += stalled - it->creditedStallNs;
                it->creditedStallNs = stalled;
            }
        }
        it = it->lateUntilNs <= nowNs ? m_owed.erase(it) : std::next(it);
    }
}

void DeviceSession::owedChanged() {
    if (!m_owed.empty()) {
        qint64 first = m_owed.front().lateUntilNs;
        for (const Owed &o : m_owed)
            first = std::min(first, o.lateUntilNs);
        m_owedTimer.start(timerMs(first - monotonicNs()));
        return;
    }
    m_owedTimer.stop();
    // Posted: whoever waits for idle() sends its request from the event loop, not from inside a read.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_handler || m_inBackground || !m_owed.empty())
                return;
            if (!m_background.empty())
                startBackground();
            else
                emit idle();
        },
        Qt::QueuedConnection);
}

void DeviceSession::clearOwed() {
    const bool had = !m_owed.empty();
    m_owed.clear();
    if (had)
        owedChanged();
}

void DeviceSession::expect(const QRegularExpression &pattern, Nanoseconds within, bool skipUnmatched,
                           AnswerHandler handler, qint64 sentNs, qint64 freshFromNs, bool acceptStale) {
    Q_ASSERT(!m_handler);
    m_current = sentNs >= 0 ? ExchangeId{m_name, m_nextSeq++} : ExchangeId{};
    m_sentNs = sentNs;
    m_waitStartNs = monotonicNs();
    m_within = within;
    m_creditedStallNs = 0;
    m_freshFromNs = freshFromNs;
    m_acceptStale = acceptStale;
    m_staleSkipped = 0;
    m_staleNewestNs = -1;
    m_answerStale = false;
    m_pattern = pattern;
    m_skipUnmatched = skipUnmatched;
    m_lastExpectStrict = !skipUnmatched;
    m_skipped.clear();
    m_handler = std::move(handler);
    if (m_state != State::Ready) {
        QMetaObject::invokeMethod(
            this,
            [this] {
                Answer a;
                a.outcome = Answer::Outcome::Lost;
                a.timeNs = monotonicNs();
                a.reason = m_lastError.isEmpty() ? QStringLiteral("not connected") : m_lastError;
                complete(std::move(a));
            },
            Qt::QueuedConnection);
        return;
    }
    // Queued lines are offered from the event loop so that the handler never runs inside expect().
    // With nothing queued, lines are offered as they arrive (onLine) and there is nothing to post.
    if (!m_queue.empty())
        QMetaObject::invokeMethod(
            this,
            [this] {
                while (m_handler && !m_queue.empty()) {
                    auto [t, line] = std::move(m_queue.front());
                    m_queue.pop_front();
                    if (m_freshFromNs >= 0 && t < m_freshFromNs) {
                        if (!m_acceptStale) {
                            ++m_staleSkipped;
                            m_staleNewestNs = t;
                            continue;
                        }
                        m_answerStale = true;
                    }
                    if (offer(t, line))
                        return;
                    m_answerStale = false;
                }
            },
            Qt::QueuedConnection);
    m_timeout.start(timerMs(within.count()));
}

void DeviceSession::cancelExpect() {
    m_timeout.stop();
    m_handler = nullptr;
}

void DeviceSession::complete(Answer answer) {
    if (!m_handler)
        return;
    m_timeout.stop();
    AnswerHandler handler = std::move(m_handler);
    m_handler = nullptr;
    answer.skipped = m_skipped;
    answer.stale = m_answerStale && answer.outcome != Answer::Outcome::Timeout
                   && answer.outcome != Answer::Outcome::Lost;
    answer.staleSkipped = m_staleSkipped;
    answer.staleNewestNs = m_staleNewestNs;
    m_answerStale = false;
    answer.exchange = m_current;
    answer.sentNs = m_sentNs;
    if (m_watch)
        answer.stallNs = m_watch->stalledWithin(m_sentNs >= 0 ? m_sentNs : m_waitStartNs, answer.timeNs);
    // A request that timed out on a live link stays owed: its answer may still come, and must not be
    // taken for the answer to the next one.
    if (answer.outcome == Answer::Outcome::Timeout && m_current.isValid() && m_state == State::Ready) {
        const qint64 window = m_lateWindow.value_or(m_within).count();
        m_owed.push_back({m_current, m_sentNs, m_sentNs + m_within.count() + m_creditedStallNs + window,
                          m_pattern, !m_skipUnmatched, m_creditedStallNs});
        owedChanged();
    }
    m_current = {};
    // A stale answer (accepted) ended its exchange when the exchange began, not when it arrived: what
    // came after it but before then is still stale for a step that follows.
    m_lastAnswerNs = std::max(answer.timeNs, m_freshFromNs);
    m_handlingFromNs = monotonicNs();
    m_handlingUntilNs = std::numeric_limits<qint64>::max();
    const QPointer<DeviceSession> alive(this);
    handler(answer);
    if (!alive)
        return;
    m_handlingUntilNs = monotonicNs();
    if (!m_handler && !m_inBackground && !m_background.empty() && m_owed.empty())
        QMetaObject::invokeMethod(this, &DeviceSession::startBackground, Qt::QueuedConnection);
}

void DeviceSession::sendBackground(const QByteArray &line, const QRegularExpression &answer,
                                   Nanoseconds within, AnswerHandler done) {
    m_background.push_back({line, answer, within, std::move(done)});
    if (!m_handler && !m_inBackground && m_owed.empty())
        startBackground();
}

void DeviceSession::startBackground() {
    if (m_handler || m_inBackground || m_background.empty() || !m_owed.empty())
        return;
    Background b = std::move(m_background.front());
    m_background.pop_front();
    m_inBackground = true;
    discardQueued();
    const qint64 sentNs = m_state == State::Ready ? sendLine(b.line) : -1;
    expect(
        b.answer, b.within, true,
        [this, done = std::move(b.done)](const Answer &a) {
            m_inBackground = false;
            if (done)
                done(a);
            if (!m_owed.empty())
                return; // owedChanged() goes on once the late answer came or its window ended
            if (!m_background.empty())
                startBackground();
            else if (!m_handler)
                emit idle();
        },
        sentNs);
}

} // namespace hil
