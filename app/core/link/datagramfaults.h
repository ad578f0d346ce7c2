#pragma once

#include "core/config/linkfault.h"
#include "core/link/faultpipeline.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <map>
#include <memory>
#include <vector>

namespace hil {

// What one direction of a datagram link did. Every datagram pushed is out, dropped, or still held, once
// duplicates are counted in: in + duplicated == out + dropped + held().
struct DatagramCounters {
    qint64 in = 0;         // datagrams pushed
    qint64 out = 0;        // datagrams emitted by output() (a duplicate counts again)
    qint64 dropped = 0;    // by blackout or loss
    qint64 duplicated = 0; // extra copies made by duplicate
    qint64 reordered = 0;  // held back by reorder
    qint64 corrupted = 0;  // datagrams with at least one flipped bit
    qint64 bitsFlipped = 0;
    qint64 delayed = 0; // datagrams held back by latency, reorder or bandwidth
    qint64 bytesIn = 0;
    qint64 bytesOut = 0;

    DatagramCounters &operator+=(const DatagramCounters &o);
    DatagramCounters &operator-=(const DatagramCounters &o);
    friend DatagramCounters operator+(DatagramCounters a, const DatagramCounters &b) { return a += b; }
    friend DatagramCounters operator-(DatagramCounters a, const DatagramCounters &b) { return a -= b; }
    // The stream pipeline's counters, for callers that report both kinds of link alike (chunks are
    // datagrams; bytesDropped counts the bytes of dropped datagrams).
    LinkCounters toLinkCounters() const;
};

// One direction of a datagram link with its active faults, as tc netem treats packets: each datagram is
// kept whole or dropped whole, never cut or merged. push() takes a datagram in; output() gives it out
// after the faults: at once, from inside push(), when nothing holds it back, else later from one timer.
// The owner decides which direction a fault belongs to (LinkFaultSpec::direction is not looked at).
//
// A datagram meets the faults in this fixed order (faults of the same kind in activation order):
//   blackout, loss, duplicate, corrupt, reorder, bandwidth, latency.
// - blackout: dropped. A datagram held back that comes due while a blackout is active is dropped too.
// - loss: dropped with p (one draw), or by the Gilbert-Elliott chain (two draws: lost in the state it
//   finds, then the chain moves), as in the stream pipeline.
// - duplicate: with p (one draw) a second copy is made; it goes through the later faults first, on its
//   own (its own corrupt, reorder and latency draws), then the original.
// - corrupt: bits flipped with p per bit; one geometric draw per flip gives the distance to the next
//   one, counted over every bit of the direction since activation.
// - reorder: with p (one draw) the datagram is held back by `delay`, so the ones after it overtake it.
// - bandwidth: the link sends one datagram after the other at rate bytes/s: each leaves when the link
//   has finished sending it (a running budget from its arrival), in arrival order.
// - latency: delay plus jitter drawn uniformly from [-jitter, +jitter] (one draw) per datagram, each on
//   its own: unlike the stream pipeline, a large jitter reorders datagrams, as netem does without rate.
// The delays add up: a datagram is due at arrival + reorder hold + bandwidth wait + latency. Datagrams due
// at the same time leave in the order they came in.
//
// Determinism: each activated fault draws from its own xoshiro256** generator seeded from the stage's
// seed, the fault's id and how often that id was activated before (as FaultPipeline does), so a seed and
// the same sequence of datagrams give the same drops, copies, flips and delays.
//
// Timing: deadlines on hil::monotonicNs(); a precise timer armed for the earliest due datagram, rounded
// up to the millisecond, so a held datagram leaves up to ~1 ms after its due time, never before.
//
// Threads: lives on one thread; everything must be called from it.
class DatagramFaults : public QObject {
    Q_OBJECT
public:
    explicit DatagramFaults(quint64 seed, QObject *parent = nullptr);
    ~DatagramFaults() override;

    void push(const QByteArray &datagram);

    // Starts a fault under an id (an id already active is deactivated first). The caller has checked
    // that the kind applies to datagrams (LinkFaultSpec::inapplicableOnDatagrams()); other kinds pass
    // datagrams through untouched.
    void activate(int id, const LinkFaultSpec &spec);
    // Stops a fault and returns the counters of its window. Datagrams it holds still leave as scheduled.
    DatagramCounters deactivate(int id);
    void clear();
    bool isActive(int id) const;
    DatagramCounters windowCounters(int id) const;

    // Drops every held datagram (counted as dropped).
    void discard();
    qint64 held() const { return static_cast<qint64>(m_held.size()); }
    DatagramCounters counters() const { return m_counters; }

signals:
    void output(const QByteArray &datagram);

private:
    struct Fault;

    void run(QByteArray datagram, std::size_t from, qint64 now);
    void onTimer();
    void releaseDue(qint64 now);
    void rearm();
    bool blackedOut() const;

    quint64 m_seed;
    std::vector<std::unique_ptr<Fault>> m_faults; // in composition order
    QHash<int, quint64> m_activations;
    std::multimap<qint64, QByteArray> m_held; // by due time; equal times keep insertion order
    DatagramCounters m_counters;
    QTimer m_timer;
};

} // namespace hil
