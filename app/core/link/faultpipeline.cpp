#include "core/link/faultpipeline.h"

#include "core/base/clock.h"
#include "core/link/faultdraws.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

namespace hil {

namespace {

using Kind = LinkFaultSpec::Kind;

constexpr qint64 kNever = std::numeric_limits<qint64>::max();
// "No previous piece": far enough back that adding a slice delay cannot overflow.
constexpr qint64 kLongAgo = std::numeric_limits<qint64>::min() / 4;
// Bandwidth hands bytes on in pieces of about this much traffic, so that a large chunk trickles out at the
// rate instead of arriving whole at the end of its budget.
constexpr double kBandwidthPieceSeconds = 0.010;

int rank(Kind k) {
    switch (k) {
    case Kind::Disconnect:
        return 0;
    case Kind::CloseAfter:
        return 1;
    case Kind::DropFirst:
        return 2;
    case Kind::Blackout:
        return 3;
    case Kind::Loss:
    case Kind::DropBytes:
        return 4;
    case Kind::Corrupt:
        return 5;
    case Kind::Slice:
        return 6;
    case Kind::Latency:
        return 7;
    case Kind::Bandwidth:
        return 8;
    case Kind::Duplicate: // datagram kinds: refused at load on streams, passed through here
    case Kind::Reorder:
        return 9;
    }
    return 9;
}

qint64 count(Nanoseconds d) {
    return static_cast<qint64>(d.count());
}

} // namespace

LinkCounters &LinkCounters::operator+=(const LinkCounters &o) {
    bytesIn += o.bytesIn;
    bytesOut += o.bytesOut;
    bytesDropped += o.bytesDropped;
    bytesCorrupted += o.bytesCorrupted;
    bitsFlipped += o.bitsFlipped;
    bytesDelayed += o.bytesDelayed;
    chunksIn += o.chunksIn;
    chunksDropped += o.chunksDropped;
    retransmissions += o.retransmissions;
    return *this;
}

LinkCounters &LinkCounters::operator-=(const LinkCounters &o) {
    bytesIn -= o.bytesIn;
    bytesOut -= o.bytesOut;
    bytesDropped -= o.bytesDropped;
    bytesCorrupted -= o.bytesCorrupted;
    bitsFlipped -= o.bitsFlipped;
    bytesDelayed -= o.bytesDelayed;
    chunksIn -= o.chunksIn;
    chunksDropped -= o.chunksDropped;
    retransmissions -= o.retransmissions;
    return *this;
}

struct FaultPipeline::Fault {
    Fault(int id_, const LinkFaultSpec &spec_, FaultDraws draws, quint64 sequence_)
        : id(id_)
        , spec(spec_)
        , sequence(sequence_)
        , rng(draws) {}

    int id;
    LinkFaultSpec spec;
    quint64 sequence;
    FaultDraws rng;
    // False once deactivated: a timing stage stays, as a plain FIFO, until the bytes it holds are out.
    bool active = true;
    LinkCounters snapshot;

    qint64 bitPosition = 0;   // corrupt: bits of the stream seen since activation
    qint64 nextFlip = kNever; // corrupt: stream bit index of the next bit to flip
    qint64 linesDropped = 0;  // drop_first
    qsizetype matched = 0;    // drop_first: terminator bytes matched so far
    std::deque<Queued> queue; // slice, latency, bandwidth: due times never decrease
    qint64 lastDue = kLongAgo;
    double busyUntil = 0;     // bandwidth: when the link finishes sending what it was given (ns)
    qint64 deadline = kNever; // close_after; reliable blackout's user timeout; a given-up chunk's reset
    QString deadlineReason;   // the reset's, for the last two

    bool transmissionLost() { return rng.lost(spec); }
    qint64 corruptGap() { return rng.corruptGap(spec.probability); }
};

FaultPipeline::FaultPipeline(quint64 seed, LinkMode mode, QObject *parent)
    : QObject(parent)
    , m_seed(seed)
    , m_mode(mode)
    , m_timer(this) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &FaultPipeline::onTimer);
    setTerminator(m_terminator);
}

FaultPipeline::~FaultPipeline() = default;

void FaultPipeline::push(const QByteArray &bytes) {
    if (bytes.isEmpty())
        return;
    m_counters.bytesIn += bytes.size();
    ++m_counters.chunksIn;
    if (m_faults.empty() && m_ready.empty() && !m_emitting) {
        m_counters.bytesOut += bytes.size();
        emit output(bytes);
        return;
    }
    const qint64 now = monotonicNs();
    run(Item{bytes, now, false}, 0);
    // Stages with nothing to wait for (slice without delay, latency 0) hand on at once.
    release(now);
    emitReady();
    reschedule();
    checkDrained();
}

void FaultPipeline::activate(int id, const LinkFaultSpec &spec) {
    deactivate(id);
    // Same id, same activation count, same seed: a timeline replays the same faults.
    auto fault = std::make_unique<Fault>(id, spec, FaultDraws(m_seed, id, m_activations[id]++), m_sequence++);
    fault->snapshot = m_counters;
    if (spec.kind == Kind::Corrupt)
        fault->nextFlip = fault->corruptGap();
    if (spec.kind == Kind::CloseAfter)
        fault->deadline = monotonicNs() + std::max<qint64>(spec.after.count(), 0);
    if (spec.kind == Kind::Blackout && m_mode == LinkMode::Reliable)
        fault->deadline = monotonicNs() + count(spec.userTimeout);
    const int r = rank(spec.kind);
    const auto at = std::find_if(m_faults.begin(), m_faults.end(),
                                 [r](const std::unique_ptr<Fault> &f) { return rank(f->spec.kind) > r; });
    m_faults.insert(at, std::move(fault));
    reschedule();
    if (spec.kind == Kind::Disconnect)
        emit closeRequested(QStringLiteral("disconnect fault"));
}

LinkCounters FaultPipeline::deactivate(int id) {
    const auto it = std::find_if(m_faults.begin(), m_faults.end(),
                                 [id](const std::unique_ptr<Fault> &f) { return f->active && f->id == id; });
    if (it == m_faults.end())
        return {};
    const LinkCounters window = m_counters - (*it)->snapshot;
    // A timing stage keeps what it holds; reliable loss keeps a given-up chunk's reset, drawn when the
    // chunk arrived, and holds everything behind it until then.
    if (isTiming(**it) && (!(*it)->queue.empty() || (*it)->deadline != kNever))
        (*it)->active = false;
    else
        m_faults.erase(it);
    reschedule();
    // A reliable blackout ending lets what it held go.
    if (!m_ready.empty()) {
        emitReady();
        checkDrained();
    }
    return window;
}

void FaultPipeline::clear() {
    for (const int id : activeIds())
        deactivate(id);
}

bool FaultPipeline::isActive(int id) const {
    return std::any_of(m_faults.cbegin(), m_faults.cend(),
                       [id](const std::unique_ptr<Fault> &f) { return f->active && f->id == id; });
}

QList<int> FaultPipeline::activeIds() const {
    QList<int> ids;
    for (const auto &f : m_faults)
        if (f->active)
            ids.append(f->id);
    return ids;
}

LinkCounters FaultPipeline::windowCounters(int id) const {
    for (const auto &f : m_faults)
        if (f->active && f->id == id)
            return m_counters - f->snapshot;
    return {};
}

bool FaultPipeline::refusesConnections() const {
    return std::any_of(m_faults.cbegin(), m_faults.cend(), [](const std::unique_ptr<Fault> &f) {
        return f->active && f->spec.kind == Kind::Disconnect;
    });
}

void FaultPipeline::setTerminator(const QByteArray &terminator) {
    m_terminator = terminator.isEmpty() ? QByteArrayLiteral("\n") : terminator;
    // Knuth-Morris-Pratt, so that "\r\r\n" still ends a line with terminator "\r\n".
    m_terminatorFailure.assign(static_cast<std::size_t>(m_terminator.size()), 0);
    qsizetype k = 0;
    for (qsizetype i = 1; i < m_terminator.size(); ++i) {
        while (k > 0 && m_terminator[i] != m_terminator[k])
            k = m_terminatorFailure[static_cast<std::size_t>(k - 1)];
        if (m_terminator[i] == m_terminator[k])
            ++k;
        m_terminatorFailure[static_cast<std::size_t>(i)] = k;
    }
    for (const auto &f : m_faults)
        f->matched = 0;
}

void FaultPipeline::connectionStarted() {
    const qint64 now = monotonicNs();
    for (const auto &f : m_faults)
        if (f->active && f->spec.kind == Kind::CloseAfter)
            f->deadline = now + std::max<qint64>(f->spec.after.count(), 0);
        else if (f->active && f->spec.kind == Kind::Blackout && m_mode == LinkMode::Reliable)
            f->deadline = now + count(f->spec.userTimeout);
    reschedule();
}

void FaultPipeline::discard() {
    qint64 dropped = 0;
    for (const auto &f : m_faults) {
        for (const Queued &q : f->queue)
            dropped += q.item.bytes.size();
        f->queue.clear();
        f->lastDue = kLongAgo;
        f->busyUntil = 0;
        if (f->spec.kind == Kind::Loss)
            f->deadline = kNever; // a given-up chunk's reset: that connection is gone
    }
    for (const Item &item : m_ready)
        dropped += item.bytes.size();
    m_ready.clear();
    drop(dropped, false);
    m_queuedBytes = 0;
    m_hadQueued = false;
    std::erase_if(m_faults, [](const std::unique_ptr<Fault> &f) { return !f->active; });
    reschedule();
}

void FaultPipeline::resetCounters() {
    m_counters = {};
    for (const auto &f : m_faults)
        f->snapshot = {};
}

bool FaultPipeline::isTiming(const Fault &f) const {
    const Kind k = f.spec.kind;
    return k == Kind::Slice || k == Kind::Latency || k == Kind::Bandwidth
           || (k == Kind::Loss && m_mode == LinkMode::Reliable);
}

void FaultPipeline::run(Item item, std::size_t from) {
    for (std::size_t j = from; j < m_faults.size(); ++j) {
        Fault &f = *m_faults[j];
        if (isTiming(f)) {
            enqueue(f, std::move(item));
            return;
        }
        if (!applyImmediate(f, item) || item.bytes.isEmpty())
            return;
    }
    m_queuedBytes += item.bytes.size();
    m_ready.push_back(std::move(item));
}

bool FaultPipeline::applyImmediate(Fault &f, Item &item) {
    const qsizetype n = item.bytes.size();
    switch (f.spec.kind) {
    case Kind::Blackout:
        if (m_mode == LinkMode::Reliable)
            return true; // held at the output: outputHeld()
        drop(n, true);
        return false;
    case Kind::Disconnect:
        drop(n, true);
        return false;
    case Kind::CloseAfter:
        return true;
    case Kind::DropFirst: {
        qsizetype i = 0;
        while (i < n && f.linesDropped < f.spec.lines) {
            const char c = item.bytes[i++];
            while (f.matched > 0 && m_terminator[f.matched] != c)
                f.matched = m_terminatorFailure[static_cast<std::size_t>(f.matched - 1)];
            if (m_terminator[f.matched] == c)
                ++f.matched;
            if (f.matched == m_terminator.size()) {
                ++f.linesDropped;
                f.matched = 0;
            }
        }
        if (i == 0)
            return true;
        drop(i, i == n);
        if (i == n)
            return false;
        item.bytes = item.bytes.mid(i);
        return true;
    }
    case Kind::Loss: // lossy mode only: reliable loss is a timing stage
    case Kind::DropBytes: {
        const bool lost = f.transmissionLost();
        if (lost)
            drop(n, true);
        return !lost;
    }
    case Kind::Corrupt: {
        const qint64 end = f.bitPosition + 8 * static_cast<qint64>(n);
        qsizetype lastByte = -1;
        while (f.nextFlip < end) {
            const qint64 offset = f.nextFlip - f.bitPosition;
            const auto byte = static_cast<qsizetype>(offset / 8);
            // data() detaches: only a chunk that is really corrupted is copied.
            char &c = item.bytes.data()[byte];
            c = static_cast<char>(static_cast<unsigned char>(c) ^ (1U << (offset % 8)));
            ++m_counters.bitsFlipped;
            if (byte != lastByte) {
                ++m_counters.bytesCorrupted;
                lastByte = byte;
            }
            const qint64 gap = f.corruptGap();
            f.nextFlip = gap == kNever ? kNever : f.nextFlip + 1 + gap;
        }
        f.bitPosition = end;
        return true;
    }
    case Kind::Slice:
    case Kind::Latency:
    case Kind::Bandwidth:
    case Kind::Duplicate:
    case Kind::Reorder:
        break;
    }
    return true;
}

void FaultPipeline::enqueue(Fault &f, Item item) {
    // A FIFO behind the bytes already scheduled: a deactivated stage, or a bandwidth of zero.
    const qint64 behind = std::max(item.t, f.lastDue);
    if (!f.active) {
        schedulePiece(f, std::move(item), behind);
        return;
    }
    const qsizetype n = item.bytes.size();
    switch (f.spec.kind) {
    case Kind::Loss:
        scheduleRetransmitted(f, std::move(item));
        return;
    case Kind::Latency: {
        qint64 offset = f.spec.delay.count();
        const qint64 jitter = f.spec.jitter.count();
        if (jitter > 0)
            offset += std::llround((2.0 * f.rng.uniform() - 1.0) * static_cast<double>(jitter));
        const qint64 due = std::max(item.t + std::max<qint64>(offset, 0), f.lastDue);
        schedulePiece(f, std::move(item), due);
        return;
    }
    case Kind::Slice: {
        const qsizetype size = std::max(f.spec.sliceBytes, 1);
        const qint64 spacing = std::max<qint64>(f.spec.sliceDelay.count(), 0);
        for (qsizetype pos = 0; pos < n; pos += size)
            schedulePiece(f, Item{item.bytes.mid(pos, size), item.t, item.delayed},
                          std::max(item.t, f.lastDue + spacing));
        return;
    }
    case Kind::Bandwidth: {
        const double rate = f.spec.bytesPerSecond;
        if (!(rate > 0)) {
            schedulePiece(f, std::move(item), behind);
            return;
        }
        const auto size = static_cast<qsizetype>(
            std::clamp(std::llround(rate * kBandwidthPieceSeconds), static_cast<long long>(1), 65536LL));
        for (qsizetype pos = 0; pos < n; pos += size) {
            Item piece{item.bytes.mid(pos, size), item.t, item.delayed};
            f.busyUntil = std::max(static_cast<double>(item.t), f.busyUntil)
                          + static_cast<double>(piece.bytes.size()) * 1e9 / rate;
            schedulePiece(f, std::move(piece), std::max(std::llround(f.busyUntil), f.lastDue));
        }
        return;
    }
    default:
        break;
    }
    schedulePiece(f, std::move(item), behind);
}

void FaultPipeline::schedulePiece(Fault &f, Item piece, qint64 due) {
    const qsizetype n = piece.bytes.size();
    if (due > piece.t && !piece.delayed) {
        m_counters.bytesDelayed += n;
        piece.delayed = true;
    }
    f.lastDue = due;
    m_queuedBytes += n;
    m_hadQueued = true;
    f.queue.push_back(Queued{std::move(piece), due});
}

void FaultPipeline::scheduleRetransmitted(Fault &f, Item item) {
    // Every transmission of the chunk is drawn now; each lost one costs a retransmission timeout, which
    // doubles up to the fault's rto_max. The original and kMaxRetransmissions retransmissions lost: given up.
    qint64 wait = 0;
    qint64 rto = count(f.spec.rto);
    int losses = 0;
    while (f.transmissionLost()) {
        ++m_counters.retransmissions;
        wait += rto;
        rto = std::min(rto * 2, count(f.spec.rtoMax));
        if (++losses > kMaxRetransmissions) {
            const qint64 at = item.t + wait;
            if (at < f.deadline) {
                f.deadline = at;
                f.deadlineReason = QStringLiteral("reset: a chunk was lost %1 times (retransmissions gave up "
                                                  "after %2)")
                                       .arg(losses)
                                       .arg(formatDuration(Nanoseconds(wait)));
            }
            // The connection ends at the reset; nothing behind the chunk gets through before it.
            drop(item.bytes.size(), true);
            f.lastDue = kNever;
            return;
        }
    }
    const qint64 due = f.lastDue == kNever ? kNever : std::max(item.t + wait, f.lastDue);
    schedulePiece(f, std::move(item), due);
}

void FaultPipeline::release(qint64 now) {
    for (std::size_t j = 0; j < m_faults.size(); ++j) {
        Fault &f = *m_faults[j];
        while (!f.queue.empty() && f.queue.front().due <= now) {
            Queued q = std::move(f.queue.front());
            f.queue.pop_front();
            m_queuedBytes -= q.item.bytes.size();
            // The next stage sees the piece arrive when it was due, however late the timer fired.
            q.item.t = q.due;
            run(std::move(q.item), j + 1);
        }
    }
    std::erase_if(m_faults, [](const std::unique_ptr<Fault> &f) {
        return !f->active && f->queue.empty() && f->deadline == kNever;
    });
}

void FaultPipeline::emitReady() {
    if (m_emitting)
        return; // the emitting frame further up the stack takes what was added
    m_emitting = true;
    while (!m_ready.empty()) {
        if (outputHeld()) {
            m_hadQueued = true; // drained() once the blackout ends and the bytes are out
            for (Item &held : m_ready)
                if (!held.delayed) {
                    m_counters.bytesDelayed += held.bytes.size();
                    held.delayed = true;
                }
            break;
        }
        const Item item = std::move(m_ready.front());
        m_ready.pop_front();
        m_queuedBytes -= item.bytes.size();
        if (outputBlocked()) {
            drop(item.bytes.size(), false);
            continue;
        }
        m_counters.bytesOut += item.bytes.size();
        emit output(item.bytes);
    }
    m_emitting = false;
}

void FaultPipeline::onTimer() {
    const qint64 now = monotonicNs();
    release(now);
    QStringList reasons;
    for (const auto &f : m_faults) {
        if (f->deadline > now)
            continue;
        f->deadline = kNever;
        if (f->spec.kind == Kind::CloseAfter)
            reasons.append(QStringLiteral("close_after fault (%1)").arg(formatDuration(f->spec.after)));
        else if (f->spec.kind == Kind::Blackout)
            reasons.append(QStringLiteral("reset: blackout outlasted user timeout %1")
                               .arg(formatDuration(f->spec.userTimeout)));
        else
            reasons.append(f->deadlineReason);
    }
    emitReady();
    reschedule();
    checkDrained();
    for (const QString &reason : std::as_const(reasons))
        emit closeRequested(reason);
}

void FaultPipeline::reschedule() {
    qint64 next = kNever;
    for (const auto &f : m_faults) {
        if (!f->queue.empty())
            next = std::min(next, f->queue.front().due);
        next = std::min(next, f->deadline);
    }
    if (next == kNever) {
        m_timer.stop();
        return;
    }
    // Whole milliseconds first; the last fraction with zero-time timers (see the class comment).
    const qint64 wait = next - monotonicNs();
    m_timer.start(wait <= 0 ? 0 : static_cast<int>(std::min<qint64>(wait / 1'000'000, INT_MAX)));
}

void FaultPipeline::checkDrained() {
    if (m_hadQueued && m_queuedBytes == 0) {
        m_hadQueued = false;
        emit drained();
    }
}

bool FaultPipeline::outputBlocked() const {
    const bool lossy = m_mode == LinkMode::Lossy;
    return std::any_of(m_faults.cbegin(), m_faults.cend(), [lossy](const std::unique_ptr<Fault> &f) {
        return f->active && ((lossy && f->spec.kind == Kind::Blackout) || f->spec.kind == Kind::Disconnect);
    });
}

bool FaultPipeline::outputHeld() const {
    if (m_mode != LinkMode::Reliable)
        return false;
    return std::any_of(m_faults.cbegin(), m_faults.cend(), [](const std::unique_ptr<Fault> &f) {
        return f->active && f->spec.kind == Kind::Blackout;
    });
}

void FaultPipeline::drop(qint64 bytes, bool wholeChunk) {
    m_counters.bytesDropped += bytes;
    if (wholeChunk)
        ++m_counters.chunksDropped;
}

} // namespace hil
