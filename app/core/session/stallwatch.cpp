#include "core/session/stallwatch.h"

#include "core/base/clock.h"

#include <algorithm>

namespace hil {

namespace {
constexpr qint64 kKeepNs = 60'000'000'000;
}

StallWatch::StallWatch(qint64 thresholdNs, QObject *parent)
    : QObject(parent)
    , m_thresholdNs(thresholdNs)
    , m_lastAliveNs(monotonicNs()) {
    m_heartbeat.setTimerType(Qt::PreciseTimer);
    connect(&m_heartbeat, &QTimer::timeout, this, [this] { checkpoint(monotonicNs()); });
    m_heartbeat.start(kHeartbeatMs);
}

void StallWatch::checkpoint(qint64 nowNs) {
    // The heartbeat is due every kHeartbeatMs: a gap is the part of the silence beyond that.
    const qint64 gap = nowNs - m_lastAliveNs;
    if (gap > m_thresholdNs + kHeartbeatMs * 1'000'000LL) {
        const Stall s{m_lastAliveNs + kHeartbeatMs * 1'000'000LL, nowNs};
        m_stalls.push_back(s);
        ++m_count;
        while (!m_stalls.empty() && m_stalls.front().endNs < nowNs - kKeepNs)
            m_stalls.pop_front();
        m_lastAliveNs = nowNs;
        emit stalled(s.startNs, s.endNs);
        return;
    }
    m_lastAliveNs = std::max(m_lastAliveNs, nowNs);
}

qint64 StallWatch::stalledWithin(qint64 fromNs, qint64 toNs) const {
    qint64 total = 0;
    for (const Stall &s : m_stalls) {
        const qint64 a = std::max(fromNs, s.startNs);
        const qint64 b = std::min(toNs, s.endNs);
        if (b > a)
            total += b - a;
    }
    return total;
}

} // namespace hil
