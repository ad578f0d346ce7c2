#pragma once

#include "core/config/linkfault.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>
#include <deque>
#include <memory>
#include <vector>

namespace hil {

// What one direction of a link did to the bytes through it. Every byte pushed is, at any moment, either
// out, dropped, or still queued: bytesIn == bytesOut + bytesDropped + FaultPipeline::queuedBytes().
struct LinkCounters {
    qint64 bytesIn = 0;        // bytes pushed
    qint64 bytesOut = 0;       // bytes emitted by output()
    qint64 bytesDropped = 0;   // by disconnect, drop_first, blackout, loss, and discard()
    qint64 bytesCorrupted = 0; // bytes with at least one flipped bit
    qint64 bitsFlipped = 0;
    qint64 bytesDelayed = 0;    // bytes held back by slice, latency or bandwidth (each byte counted once)
    qint64 chunksIn = 0;        // non-empty push() calls
    qint64 chunksDropped = 0;   // pushed chunks dropped whole on the way in (disconnect, blackout, loss)
    qint64 retransmissions = 0; // reliable loss: lost transmissions, each resent after its timeout

    LinkCounters &operator+=(const LinkCounters &o);
    LinkCounters &operator-=(const LinkCounters &o);
    friend LinkCounters operator+(LinkCounters a, const LinkCounters &b) { return a += b; }
    friend LinkCounters operator-(LinkCounters a, const LinkCounters &b) { return a -= b; }
    bool operator==(const LinkCounters &) const = default;
};

// What the transport under a pipeline does with a lost piece of the stream (docs/faults.md, "TCP and
// serial"). Lossy: a UART or PTY, where bytes can vanish: `loss` deletes chunks and `blackout` deletes every
// byte. Reliable: a TCP byte stream, which loses nothing and keeps order: `loss` delays a chunk, and
// everything behind it, by the retransmissions TCP would need, and `blackout` holds the stream until it
// ends, or resets the connection when it outlasts its user timeout. `drop_bytes` and `corrupt` delete and
// damage bytes in both modes.
enum class LinkMode { Lossy, Reliable };

// One direction of a link with its active faults. push() takes bytes in; output() gives them out after
// the faults have acted: at once, from inside push(), when no fault holds them back, else later from the
// pipeline's one timer. The pipeline applies every fault it is given; the owner decides which direction a
// fault belongs to (LinkFaultSpec::direction is not looked at here).
//
// Composition: several faults may be active at once, and a chunk meets them in this fixed order
// (faults of the same kind in the order they were activated):
//   disconnect, close_after, drop_first, blackout, loss, drop_bytes, corrupt, slice, latency, bandwidth.
// The first six act on the chunk as it arrives; slice, latency and bandwidth queue it and hand it on at
// its scheduled time, measured from when it reached them (not from when the timer happened to fire), so
// timer lateness does not accumulate along the chain. A blackout or disconnect also drops whatever leaves
// the queues while it is active: nothing is delivered inside the window. Byte order is always kept.
//
// - latency: each chunk is due at max(arrival + delay + jitter, the previous chunk's due), jitter drawn
//   uniformly from [-jitter, +jitter] per chunk.
// - bandwidth: chunks are cut into pieces of about 10 ms of traffic; each piece leaves when the link
//   would have finished sending it at bytesPerSecond after the previous one (a running budget: a piece
//   arriving at an idle link leaves size/rate after it arrived).
// - slice: chunks are cut into sliceBytes pieces, each at least sliceDelay after the previous piece.
// - deactivating slice, latency or bandwidth lets the bytes it holds leave as scheduled; later chunks
//   wait behind them (never reordered, never dropped).
// - disconnect: closeRequested() at activation; bytes are dropped while it is active.
// - close_after: closeRequested() once, `after` from activation or from the latest connectionStarted().
// - drop_first: drops bytes up to and including the `lines`-th terminator (setTerminator()) after
//   activation, even when a terminator is split across chunks.
//
// Reliable mode (LinkMode::Reliable) changes two kinds:
// - loss is a timing stage: each transmission of a chunk is lost with the fault's probability (or the
//   burst chain's state); a lost one is sent again after the retransmission timeout, which starts at
//   `rto` and doubles per consecutive loss of the same chunk, capped at `rtoMax`. All retransmissions are
//   drawn when the chunk arrives. The chunk is due at max(arrival + the waits, the previous chunk's due):
//   the bytes behind a lost chunk wait for it (head-of-line blocking), none is dropped. A chunk lost
//   kMaxRetransmissions + 1 times is given up: closeRequested("reset: ...") when its last wait ends, even
//   when the fault was deactivated before that (its fate was drawn on arrival); nothing behind it leaves.
// - blackout holds what reaches the output (nothing is dropped) and lets it go, in order, when it ends;
//   `userTimeout` after its activation (or the latest connectionStarted()) while still active, it emits
//   closeRequested("reset: blackout outlasted user timeout D").
//
// Determinism: every random draw comes from a xoshiro256** generator per activated fault, seeded from
// the pipeline's seed, the fault's id and how often that id was activated before; doubles are made from
// the top 53 bits, never through std:: distributions. Loss and drop_bytes draw once (Bernoulli) or twice
// (burst) per transmission: once per chunk in lossy mode, once per attempt for reliable loss; latency once
// per chunk; corruption draws the distance to the next flipped bit of the stream
// (geometric), so the same bytes give the same flipped bits however they are cut into chunks.
//
// Timing: deadlines on hil::monotonicNs(); the timer is armed to the whole millisecond before the next
// deadline and covers the rest with zero-time timers (a millisecond QTimer fires up to ~1 ms late).
//
// Threads: lives on one thread; everything must be called from it. Slots connected to output() may call
// back into the pipeline (push, deactivate, discard); nothing may delete it from inside its signals
// (use deleteLater()).
class FaultPipeline : public QObject {
    Q_OBJECT
public:
    explicit FaultPipeline(quint64 seed, LinkMode mode = LinkMode::Lossy, QObject *parent = nullptr);
    ~FaultPipeline() override;

    quint64 seed() const { return m_seed; }
    LinkMode mode() const { return m_mode; }

    void push(const QByteArray &bytes);

    // Starts a fault under an id (the caller's: a timeline entry, a step). An id that is already active
    // is deactivated first. Snapshots the counters for windowCounters().
    void activate(int id, const LinkFaultSpec &spec);
    // Stops a fault and returns the counters of its window (everything through this pipeline between
    // activate() and now; since resetCounters() if that came later). An unknown id returns zeros.
    LinkCounters deactivate(int id);
    // Deactivates every fault.
    void clear();
    bool isActive(int id) const;
    QList<int> activeIds() const;
    // The counters of a fault's window so far; zeros for an unknown id.
    LinkCounters windowCounters(int id) const;
    // True while a disconnect fault is active: the owner must refuse to (re)connect.
    bool refusesConnections() const;

    // The line terminator drop_first counts; "\n" unless set. An empty terminator means "\n".
    void setTerminator(const QByteArray &terminator);
    QByteArray terminator() const { return m_terminator; }

    // The connection this pipeline carries (re)opened: close_after faults and a reliable blackout's user
    // timeout count their time from now.
    void connectionStarted();
    // Drops every byte still queued (counted as dropped) and forgets the timing state (bandwidth budget,
    // slice spacing), e.g. when the connection closes. Emits nothing.
    void discard();
    qint64 queuedBytes() const { return m_queuedBytes; }

    LinkCounters counters() const { return m_counters; }
    // Zeros the counters and restarts every open fault window at zero.
    void resetCounters();

signals:
    void output(const QByteArray &bytes);
    // A disconnect or close_after fault wants the connection closed, or (reliable mode) a blackout or a
    // lost chunk reset it; the reason names the fault ("reset: blackout outlasted user timeout 5s").
    void closeRequested(const QString &reason);
    // The queue went from holding bytes to empty (delivered or dropped by a fault; not after discard()).
    void drained();

private:
    struct Item {
        QByteArray bytes;
        qint64 t = 0; // when the item reached the stage it is at (virtual: a due time, not a timer's)
        bool delayed = false;
    };
    struct Queued {
        Item item;
        qint64 due = 0;
    };
    struct Fault;

    // Whether a fault queues chunks (slice, latency, bandwidth; reliable loss) instead of acting at once.
    bool isTiming(const Fault &f) const;
    void run(Item item, std::size_t from);
    // Returns false if the item was dropped whole.
    bool applyImmediate(Fault &f, Item &item);
    void enqueue(Fault &f, Item item);
    void schedulePiece(Fault &f, Item piece, qint64 due);
    void scheduleRetransmitted(Fault &f, Item item);
    void release(qint64 now);
    void emitReady();
    void onTimer();
    void reschedule();
    void checkDrained();
    bool outputBlocked() const;
    bool outputHeld() const; // reliable blackout
    void drop(qint64 bytes, bool wholeChunk);

    quint64 m_seed;
    LinkMode m_mode;
    QByteArray m_terminator = QByteArrayLiteral("\n");
    std::vector<qsizetype> m_terminatorFailure;   // KMP failure function of m_terminator
    std::vector<std::unique_ptr<Fault>> m_faults; // in composition order
    QHash<int, quint64> m_activations;            // per id: how many times it was activated
    quint64 m_sequence = 0;
    std::deque<Item> m_ready; // due now, waiting for output()
    bool m_emitting = false;
    qint64 m_queuedBytes = 0;
    bool m_hadQueued = false;
    LinkCounters m_counters;
    QTimer m_timer;
};

} // namespace hil
