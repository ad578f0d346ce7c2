#include "core/link/datagramfaults.h"

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

int rank(Kind k) {
    switch (k) {
    case Kind::Blackout:
        return 0;
    case Kind::Loss:
        return 1;
    case Kind::Duplicate:
        return 2;
    case Kind::Corrupt:
        return 3;
    case Kind::Reorder:
        return 4;
    case Kind::Bandwidth:
        return 5;
    case Kind::Latency:
        return 6;
    case Kind::Slice:
    case Kind::Disconnect:
    case Kind::DropFirst:
    case Kind::CloseAfter:
    case Kind::DropBytes:
        break;
    }
    return 7;
}

} // namespace

DatagramCounters &DatagramCounters::operator+=(const DatagramCounters &o) {
    in += o.in;
    out += o.out;
    dropped += o.dropped;
    duplicated += o.duplicated;
    reordered += o.reordered;
    corrupted += o.corrupted;
    bitsFlipped += o.bitsFlipped;
    delayed += o.delayed;
    bytesIn += o.bytesIn;
    bytesOut += o.bytesOut;
    return *this;
}

DatagramCounters &DatagramCounters::operator-=(const DatagramCounters &o) {
    in -= o.in;
    out -= o.out;
    dropped -= o.dropped;
    duplicated -= o.duplicated;
    reordered -= o.reordered;
    corrupted -= o.corrupted;
    bitsFlipped -= o.bitsFlipped;
    delayed -= o.delayed;
    bytesIn -= o.bytesIn;
    bytesOut -= o.bytesOut;
    return *this;
}

LinkCounters DatagramCounters::toLinkCounters() const {
    LinkCounters c;
    c.bytesIn = bytesIn;
    c.bytesOut = bytesOut;
    c.bytesDropped = std::max<qint64>(bytesIn - bytesOut, 0);
    c.bytesCorrupted = corrupted;
    c.bitsFlipped = bitsFlipped;
    c.chunksIn = in;
    c.chunksDropped = dropped;
    return c;
}

struct DatagramFaults::Fault {
    Fault(int id_, const LinkFaultSpec &spec_, FaultDraws draws)
        : id(id_)
        , spec(spec_)
        , rng(draws) {}

    int id;
    LinkFaultSpec spec;
    FaultDraws rng;
    DatagramCounters snapshot;
    qint64 bitPosition = 0;   // corrupt: bits seen since activation
    qint64 nextFlip = kNever; // corrupt: bit index of the next flip
    double busyUntil = 0;     // bandwidth: when the link finishes what it was given (ns)

    qint64 corruptGap() { return rng.corruptGap(spec.probability); }
};

DatagramFaults::DatagramFaults(quint64 seed, QObject *parent)
    : QObject(parent)
    , m_seed(seed)
    , m_timer(this) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &DatagramFaults::onTimer);
}

DatagramFaults::~DatagramFaults() = default;

void DatagramFaults::activate(int id, const LinkFaultSpec &spec) {
    deactivate(id);
    // The stream pipeline's draws: same id, same activation count, same generator.
    auto fault = std::make_unique<Fault>(id, spec, FaultDraws(m_seed, id, m_activations[id]++));
    fault->snapshot = m_counters;
    if (spec.kind == Kind::Corrupt)
        fault->nextFlip = fault->corruptGap();
    const int r = rank(spec.kind);
    const auto at = std::find_if(m_faults.begin(), m_faults.end(),
                                 [r](const std::unique_ptr<Fault> &f) { return rank(f->spec.kind) > r; });
    m_faults.insert(at, std::move(fault));
}

DatagramCounters DatagramFaults::deactivate(int id) {
    const auto it = std::find_if(m_faults.begin(), m_faults.end(),
                                 [id](const std::unique_ptr<Fault> &f) { return f->id == id; });
    if (it == m_faults.end())
        return {};
    const DatagramCounters window = m_counters - (*it)->snapshot;
    m_faults.erase(it);
    return window;
}

void DatagramFaults::clear() {
    m_faults.clear();
}

bool DatagramFaults::isActive(int id) const {
    return std::any_of(m_faults.begin(), m_faults.end(),
                       [id](const std::unique_ptr<Fault> &f) { return f->id == id; });
}

DatagramCounters DatagramFaults::windowCounters(int id) const {
    for (const auto &f : m_faults)
        if (f->id == id)
            return m_counters - f->snapshot;
    return {};
}

void DatagramFaults::discard() {
    m_counters.dropped += static_cast<qint64>(m_held.size());
    m_held.clear();
    m_timer.stop();
}

bool DatagramFaults::blackedOut() const {
    return std::any_of(m_faults.begin(), m_faults.end(),
                       [](const std::unique_ptr<Fault> &f) { return f->spec.kind == Kind::Blackout; });
}

void DatagramFaults::push(const QByteArray &datagram) {
    ++m_counters.in;
    m_counters.bytesIn += datagram.size();
    run(datagram, 0, monotonicNs());
}

void DatagramFaults::run(QByteArray datagram, std::size_t from, qint64 now) {
    qint64 due = now;
    for (std::size_t i = from; i < m_faults.size(); ++i) {
        Fault &f = *m_faults[i];
        switch (f.spec.kind) {
        case Kind::Blackout:
            ++m_counters.dropped;
            return;
        case Kind::Loss: {
            if (f.rng.lost(f.spec)) {
                ++m_counters.dropped;
                return;
            }
            break;
        }
        case Kind::Duplicate:
            if (f.rng.uniform() < f.spec.probability) {
                ++m_counters.duplicated;
                // The copy goes on first, meeting the later faults (and their draws) on its own.
                run(datagram, i + 1, now);
                // The faults list may have changed inside output() slots: stop if this one is gone.
                if (i >= m_faults.size() || m_faults[i].get() != &f)
                    return;
            }
            break;
        case Kind::Corrupt: {
            const qint64 end = f.bitPosition + 8 * static_cast<qint64>(datagram.size());
            bool touched = false;
            while (f.nextFlip < end) {
                const qint64 offset = f.nextFlip - f.bitPosition;
                char &c = datagram.data()[offset / 8];
                c = static_cast<char>(static_cast<unsigned char>(c) ^ (1U << (offset % 8)));
                ++m_counters.bitsFlipped;
                touched = true;
                const qint64 gap = f.corruptGap();
                f.nextFlip = gap == kNever ? kNever : f.nextFlip + 1 + gap;
            }
            f.bitPosition = end;
            if (touched)
                ++m_counters.corrupted;
            break;
        }
        case Kind::Reorder:
            if (f.rng.uniform() < f.spec.probability) {
                ++m_counters.reordered;
                due += std::max<qint64>(f.spec.delay.count(), 0);
            }
            break;
        case Kind::Bandwidth:
            if (f.spec.bytesPerSecond > 0) {
                f.busyUntil = std::max(static_cast<double>(due), f.busyUntil)
                              + static_cast<double>(datagram.size()) * 1e9 / f.spec.bytesPerSecond;
                due = std::max(due, std::llround(f.busyUntil));
            }
            break;
        case Kind::Latency: {
            qint64 offset = f.spec.delay.count();
            const qint64 jitter = f.spec.jitter.count();
            if (jitter > 0)
                offset += std::llround((2.0 * f.rng.uniform() - 1.0) * static_cast<double>(jitter));
            due += std::max<qint64>(offset, 0);
            break;
        }
        case Kind::Slice:
        case Kind::Disconnect:
        case Kind::DropFirst:
        case Kind::CloseAfter:
        case Kind::DropBytes:
            break; // refused on datagram links by every loader; pass through
        }
    }
    if (due <= now) {
        // Held datagrams already due came first; a datagram held back for later is overtaken.
        releaseDue(now);
        ++m_counters.out;
        m_counters.bytesOut += datagram.size();
        emit output(datagram);
        return;
    }
    ++m_counters.delayed;
    m_held.emplace(due, std::move(datagram));
    rearm();
}

void DatagramFaults::onTimer() {
    releaseDue(monotonicNs());
    rearm();
}

void DatagramFaults::releaseDue(qint64 now) {
    while (!m_held.empty() && m_held.begin()->first <= now) {
        QByteArray datagram = std::move(m_held.begin()->second);
        m_held.erase(m_held.begin());
        if (blackedOut()) {
            ++m_counters.dropped;
            continue;
        }
        ++m_counters.out;
        m_counters.bytesOut += datagram.size();
        emit output(datagram);
    }
}

void DatagramFaults::rearm() {
    if (m_held.empty()) {
        m_timer.stop();
        return;
    }
    const qint64 wait = std::max<qint64>(m_held.begin()->first - monotonicNs(), 0);
    m_timer.start(static_cast<int>(std::min<qint64>((wait + 999'999) / 1'000'000, INT_MAX)));
}

} // namespace hil
