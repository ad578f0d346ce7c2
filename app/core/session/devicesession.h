#pragma once

#include "core/base/duration.h"
#include "core/base/eventkind.h"
#include "core/config/fixture.h"
#include "core/session/exchangeid.h"
#include "core/session/framer.h"

#include <QObject>
#include <QRegularExpression>
#include <QTimer>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace hil {

class StallWatch;
class Transport;

// One device's conversation: framing, request/response matching with regex captures, timeouts, and the
// queue of unsolicited lines. Owns its transport. Lives on one thread and is driven by its event loop;
// every function must be called from that thread. A state machine: Idle -> Connecting -> Ready -> Lost.
//
// Correlation: an expect that answers a request sent on this session is an exchange with an id
// (`dut#12`, counted per session from 1). An exchange that times out stays owed until its late window
// ends (sent + within + the device's late_window, default within): a line in that window that could be
// its answer (any line for a strict exchange, a matching one for a skip_unmatched one) is its late answer,
// reported as `late-answer` with its true latency and never offered to a newer expect. While an answer is
// owed the session is busy(): the next request waits for idle(), so a FIFO device's answers stay in step.
class DeviceSession : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Connecting, Ready, Lost };
    Q_ENUM(State)

    struct Answer {
        // BadFrame: a binary frame that failed its check (CRC...) came while waiting; `line` is its hex,
        // `reason` why.
        enum class Outcome { Matched, Mismatch, Timeout, Lost, BadFrame };
        Outcome outcome = Outcome::Timeout;
        QByteArray line; // the matching line, or the one that did not match
        QRegularExpressionMatch match;
        qint64 timeNs = 0;   // monotonic arrival time of `line`, or when the wait ended
        QByteArray skipped;  // lines passed over while waiting (bounded), for messages
        QString reason;      // Lost: why the link went away; BadFrame: what was wrong with the frame
        ExchangeId exchange; // the request this answers; invalid for a listen without a request
        qint64 sentNs = -1;  // when that request was handed to the transport
        // Part of [sent (or the start of the wait), timeNs] during which the harness itself was not running
        // (StallWatch): the answer's true arrival is unknown, its latency is not the device's.
        qint64 stallNs = 0;
        // Staleness, for an expect given a `freshFromNs`: `stale` when `line` arrived before it (taken
        // because the expect accepts stale lines); otherwise how many stale lines were passed over, and
        // when the newest of them arrived (-1: none).
        bool stale = false;
        qint64 staleSkipped = 0;
        qint64 staleNewestNs = -1;
    };
    using AnswerHandler = std::function<void(const Answer &)>;

    static constexpr qsizetype kMaxQueuedLines = 4096;
    static constexpr qsizetype kMaxSkippedBytes = 1024;

    DeviceSession(const DeviceConfig &config, std::unique_ptr<Transport> transport,
                  QObject *parent = nullptr);
    ~DeviceSession() override;

    const QString &name() const { return m_name; }
    State state() const { return m_state; }
    QString lastError() const { return m_lastError; }
    const Transport *transport() const { return m_transport.get(); }
    // The engine thread's stall watch (not owned; must outlive the session, or be unset first). Without
    // one, stalls are not detected.
    void setStallWatch(StallWatch *watch) { m_watch = watch; }

    void start();
    void stop();
    // Swaps the link under the session (a simulator restarted on a new PTY or port); state becomes Idle,
    // start() connects the new one. A pending expect is cancelled.
    void replaceTransport(std::unique_ptr<Transport> transport);

    // Hands the line (with its terminator) or, for a binary framing, the hex text's frame (with its CRC
    // and framing) to the transport, and returns the monotonic time of the hand-over; -1 and *error when
    // the framing cannot send the text (not hex, too long).
    qint64 sendLine(const QByteArray &line, QString *error = nullptr);
    // Forgets lines that arrived before now, so that the next answer is the reply to the next send. If
    // the last expect took the first line as its answer (skipUnmatched false: a request/response
    // exchange), lines found here came after that exchange unasked (an answer sent twice, an answer that
    // came after its timeout); they are reported as one `unexpected-line` problem.
    void discardQueued();
    // Waits for a line matching `pattern`, looking first at queued unsolicited lines in arrival order.
    // With skipUnmatched false the first line decides (Matched or Mismatch). The handler is called exactly
    // once, always later from the event loop (never from inside expect()), unless cancelExpect() is called.
    // `sentNs` (the time sendLine() returned) makes the expect the answer to that request: an exchange
    // with an id, owed after a timeout; -1 for a listen without a request. A timeout is extended by any
    // stall of the harness during the wait: the device gets `within` of time the harness was running.
    //
    // `freshFromNs` >= 0: lines that arrived before it (monotonic) are stale. Unless `acceptStale`, they
    // are passed over unoffered (counted in the answer); with it they are offered and an answer among them
    // is marked stale. Lines that arrive while the expect waits are never stale.
    void expect(const QRegularExpression &pattern, Nanoseconds within, bool skipUnmatched,
                AnswerHandler handler, qint64 sentNs = -1, qint64 freshFromNs = -1, bool acceptStale = false);
    void cancelExpect();
    bool expecting() const { return static_cast<bool>(m_handler); }
    // The last completed expect: when its answer arrived (or its wait ended), and the span of monotonic
    // time its handler ran. A step whose deadline was set inside that span follows it at once, so lines
    // from the answer on are news to it (-1 before the first).
    qint64 lastAnswerNs() const { return m_lastAnswerNs; }
    bool decidedWhileHandling(qint64 monoNs) const {
        return m_handlingFromNs >= 0 && monoNs >= m_handlingFromNs && monoNs <= m_handlingUntilNs;
    }
    // The run begins (the bench is ready): lines received before it are dropped (`stale: flush`) or kept
    // and reported as one `stale-data` problem with their arrival times (`stale: keep`).
    void beginRun();

    // An exchange of the harness's own on this device's link (a power command to a supply that the
    // scenario also talks to): sent when no expect is pending, its answer (the first line matching
    // `answer` within `within`) consumed so that the scenario never sees it. While one is in flight,
    // busy() is true and the scenario's next send waits for idle(). Background exchanges have ids too.
    void sendBackground(const QByteArray &line, const QRegularExpression &answer, Nanoseconds within,
                        AnswerHandler done = {});
    // A background exchange is in flight, or a timed-out request's answer is still owed.
    bool busy() const { return m_inBackground || !m_owed.empty(); }
    // The oldest exchange whose answer is owed (invalid if none).
    ExchangeId owedExchange() const { return m_owed.empty() ? ExchangeId{} : m_owed.front().id; }
    // Exchanges started so far (the sequence number of the latest).
    quint64 exchangesStarted() const { return m_nextSeq - 1; }

    qint64 linesReceived() const { return m_linesReceived; }
    qint64 queuedDropped() const { return m_queuedDropped; }
    // Binary frames that failed their check (each also a `bad-frame` problem).
    qint64 badFrames() const { return m_badFrames; }

signals:
    void stateChanged(hil::DeviceSession::State state, const QString &reason);
    void lineReceived(qint64 timeNs, const QByteArray &line);
    void lineSent(qint64 timeNs, const QByteArray &line);
    // Something the device did wrong that is not an answer: "overflow" (line too long), "queue-overflow",
    // "unexpected-line" (see discardQueued()), "bad-frame" (a frame that failed its CRC or framing check).
    // Device bytes in `detail` are escaped (printableBytes).
    void problem(qint64 timeNs, hil::EventKind kind, const QString &detail);
    // The session stopped being busy(): no background exchange in flight, no answer owed, no expect pending.
    void idle();

private:
    void attach();
    void setState(State s, const QString &reason);
    void onBytes(const QByteArray &bytes);
    void onLine(qint64 timeNs, QByteArray line);
    void onBadFrame(qint64 timeNs, Framer::Frame &&frame);
    // True if the pending expect is finished by this line.
    bool offer(qint64 timeNs, const QByteArray &line);
    void complete(Answer answer);
    void onTimeout();
    // True if the line is the late answer of an owed exchange (reported, consumed).
    bool takeLateAnswer(qint64 timeNs, const QByteArray &line);
    void expireOwed(qint64 nowNs);
    // After the owed list shrank: re-arm its expiry, and start what waited for it.
    void owedChanged();
    void clearOwed();

    QString m_name;
    std::unique_ptr<Transport> m_transport;
    std::unique_ptr<Framer> m_framer;
    bool m_binary = false; // frames are hex text, not lines (for messages)
    bool m_keepStale = false;
    State m_state = State::Idle;
    QString m_lastError;

    std::deque<std::pair<qint64, QByteArray>> m_queue;
    qint64 m_linesReceived = 0;
    qint64 m_queuedDropped = 0;
    qint64 m_badFrames = 0;

    QRegularExpression m_pattern;
    bool m_skipUnmatched = false;
    bool m_lastExpectStrict = false; // the latest expect took the first line as the answer
    AnswerHandler m_handler;
    QByteArray m_skipped;
    QTimer m_timeout;

    // The pending expect as an exchange.
    ExchangeId m_current;
    qint64 m_sentNs = -1;
    qint64 m_waitStartNs = 0;
    Nanoseconds m_within{0};
    qint64 m_creditedStallNs = 0; // stall time the timeout was already extended by
    qint64 m_freshFromNs = -1;
    bool m_acceptStale = false;
    qint64 m_staleSkipped = 0;
    qint64 m_staleNewestNs = -1;
    bool m_answerStale = false;
    qint64 m_lastAnswerNs = -1;
    qint64 m_handlingFromNs = -1;
    qint64 m_handlingUntilNs = -1;

    // Timed-out exchanges whose answers are owed, oldest first.
    struct Owed {
        ExchangeId id;
        qint64 sentNs = 0;
        qint64 lateUntilNs = 0;
        QRegularExpression pattern;
        bool strict = true;
        qint64 creditedStallNs = 0;
    };
    std::deque<Owed> m_owed;
    QTimer m_owedTimer;
    quint64 m_nextSeq = 1;
    std::optional<Nanoseconds> m_lateWindow;
    StallWatch *m_watch = nullptr;

    struct Background {
        QByteArray line;
        QRegularExpression answer;
        Nanoseconds within;
        AnswerHandler done;
    };
    void startBackground();
    std::deque<Background> m_background;
    bool m_inBackground = false;
};

} // namespace hil
