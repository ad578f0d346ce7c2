#pragma once

#include <QObject>
#include <QTimer>
#include <deque>

namespace hil {

// The harness watching itself: a heartbeat on the engine thread's event loop notes when the thread last
// ran, and every decision point (a line read, a timeout, a deadline) calls checkpoint() first. A gap longer
// than the threshold means the thread was not running (the process stopped, the CPU starved, the host
// suspended): a stall [start, end], reported once by stalled(). Exchanges in flight across a stall are
// not billed to the device: their timeouts are extended by the stalled time, their latencies excluded.
//
// Lives on the engine thread; every function must be called from that thread. Keeps the stalls of the
// last minute, enough for any exchange's window.
class StallWatch : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 kDefaultThresholdNs = 25'000'000;
    static constexpr int kHeartbeatMs = 5;

    explicit StallWatch(qint64 thresholdNs = kDefaultThresholdNs, QObject *parent = nullptr);

    qint64 thresholdNs() const { return m_thresholdNs; }
    // Records a stall if the thread was not running for longer than the threshold before `nowNs`.
    void checkpoint(qint64 nowNs);
    // Nanoseconds of [fromNs, toNs] (monotonic) that fell inside recorded stalls.
    qint64 stalledWithin(qint64 fromNs, qint64 toNs) const;
    qint64 stallCount() const { return m_count; }

signals:
    void stalled(qint64 startNs, qint64 endNs);

private:
    struct Stall {
        qint64 startNs;
        qint64 endNs;
    };
    qint64 m_thresholdNs;
    qint64 m_lastAliveNs;
    qint64 m_count = 0;
    std::deque<Stall> m_stalls;
    QTimer m_heartbeat;
};

} // namespace hil
