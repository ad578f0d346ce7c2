#include "core/analysis/seriesaccumulator.h"

namespace hil {

void SeriesAccumulator::add(qint64 t, double v, const TimeAxis &axis, int rawLimit) {
    ++m_count;
    if (m_count <= rawLimit) {
        m_raw.push_back({t, v, v, v, 1});
    } else if (!m_raw.empty()) {
        m_raw.clear();
        m_raw.shrink_to_fit();
    }
    if (m_bins.empty())
        m_bins.resize(static_cast<size_t>(axis.bins));
    Bin &b = m_bins[static_cast<size_t>(axis.bin(t))];
    if (b.count == 0 || v < b.min)
        b.min = v;
    if (b.count == 0 || v > b.max)
        b.max = v;
    b.sum += v;
    ++b.count;
}

TimeSeries SeriesAccumulator::finish(const TimeAxis &axis, int rawLimit) const {
    TimeSeries s;
    if (m_count <= rawLimit) {
        s.points = QList<TimePoint>(m_raw.cbegin(), m_raw.cend());
        return s;
    }
    s.binned = true;
    s.binNs = std::max<qint64>(1, axis.span / axis.bins);
    for (size_t i = 0; i < m_bins.size(); ++i) {
        const Bin &b = m_bins[i];
        if (b.count == 0)
            continue;
        const auto mid = static_cast<qint64>(
            (axis.binStart(static_cast<int>(i)) + axis.binStart(static_cast<int>(i) + 1)) / 2);
        s.points.append({mid, b.min, b.sum / static_cast<double>(b.count), b.max, b.count});
    }
    return s;
}

} // namespace hil
