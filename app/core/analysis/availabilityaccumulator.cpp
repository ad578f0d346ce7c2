#include "core/analysis/availabilityaccumulator.h"

#include <algorithm>

namespace hil {

void AvailabilityAccumulator::add(ResultClass v, qint64 start, qint64 end, const TimeAxis &axis) {
    const qint64 from = m_seen ? std::min(m_prevEnd, end) : std::min(start, end);
    m_prevEnd = m_seen ? std::max(m_prevEnd, end) : end;
    m_seen = true;
    const qint64 len = std::max<qint64>(0, end - from);
    if (v == ResultClass::Pass) {
        m_a.upNs += len;
        axis.spread(m_up, from, end);
        axis.spread(m_known, from, end);
        closeOutage();
        m_state = 0;
    } else if (v == ResultClass::Fail) {
        m_a.downNs += len;
        axis.spread(m_known, from, end);
        if (m_state != 1) {
            ++m_a.failureEpisodes;
            m_inOutage = true;
            m_outageStart = from;
        }
        m_outageEnd = end;
        m_state = 1;
    } else if (v == ResultClass::Expected) {
        m_a.faultNs += len;
    } else {
        m_a.unknownNs += len;
    }
}

DeviceAvailability AvailabilityAccumulator::finish(const TimeAxis &axis) {
    closeOutage();
    DeviceAvailability a = m_a;
    if (a.upNs + a.downNs > 0)
        a.availability = static_cast<double>(a.upNs) / static_cast<double>(a.upNs + a.downNs);
    if (a.failureEpisodes > 0)
        a.mtbfNs = static_cast<double>(a.upNs) / static_cast<double>(a.failureEpisodes);
    a.timeline.reserve(axis.bins);
    for (int b = 0; b < axis.bins; ++b) {
        const double known = m_known.empty() ? 0.0 : m_known[static_cast<size_t>(b)];
        const double up = m_up.empty() ? 0.0 : m_up[static_cast<size_t>(b)];
        a.timeline.append(known > 0 ? static_cast<float>(up / known) : -1.0f);
    }
    return a;
}

void AvailabilityAccumulator::addTotals(qint64 upNs, qint64 downNs, qint64 faultNs, qint64 unknownNs,
                                        qint64 episodes) {
    m_seen = true;
    m_a.upNs += upNs;
    m_a.downNs += downNs;
    m_a.faultNs += faultNs;
    m_a.unknownNs += unknownNs;
    m_a.failureEpisodes += episodes;
}

void AvailabilityAccumulator::addSpread(int axisBin, qint64 upNs, qint64 knownNs, const TimeAxis &axis) {
    if (knownNs <= 0 && upNs <= 0)
        return;
    if (m_up.empty())
        m_up.assign(static_cast<size_t>(axis.bins), 0.0);
    if (m_known.empty())
        m_known.assign(static_cast<size_t>(axis.bins), 0.0);
    m_up[static_cast<size_t>(axisBin)] += static_cast<double>(upNs);
    m_known[static_cast<size_t>(axisBin)] += static_cast<double>(knownNs);
}

void AvailabilityAccumulator::addOutage(qint64 lengthNs, qint64 startNs) {
    if (lengthNs > m_a.longestOutageNs) {
        m_a.longestOutageNs = lengthNs;
        m_a.longestOutageStartNs = startNs;
    }
}

void AvailabilityAccumulator::setState(bool inOutage, qint64 outageStartNs, qint64 outageEndNs) {
    m_inOutage = inOutage;
    m_outageStart = outageStartNs;
    m_outageEnd = outageEndNs;
}

void AvailabilityAccumulator::closeOutage() {
    if (!m_inOutage)
        return;
    const qint64 len = m_outageEnd - m_outageStart;
    if (len > m_a.longestOutageNs) {
        m_a.longestOutageNs = len;
        m_a.longestOutageStartNs = m_outageStart;
    }
    m_inOutage = false;
}

} // namespace hil
