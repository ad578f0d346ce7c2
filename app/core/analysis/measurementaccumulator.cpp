#include "core/analysis/measurementaccumulator.h"

#include <algorithm>

namespace hil {

void MeasurementAccumulator::add(const MeasurementRow &q, int stepKey, const StepStatistics *step,
                                 bool expected, const TimeAxis &axis, int rawLimit) {
    m_key.clear();
    m_key.append(reinterpret_cast<const char *>(&stepKey), sizeof stepKey);
    m_key.append(q.name.data(), static_cast<size_t>(q.name.size()));
    auto it = m_byKey.find(m_key);
    if (it == m_byKey.end()) {
        Measurement acc;
        acc.stepKey = stepKey;
        MeasurementStatistics &m = acc.m;
        if (step) {
            m.phase = step->phase;
            m.stepIndex = step->stepIndex;
            m.step = step->step;
            m.device = step->device;
        }
        m.name = QString::fromUtf8(q.name);
        MeasurementRow::Definition d = q.definition();
        m.unit = std::move(d.unit);
        m.low = d.low;
        m.high = d.high;
        m.marginalLow = d.marginalLow;
        m.marginalHigh = d.marginalHigh;
        m_measurements.push_back(std::move(acc));
        it = m_byKey.emplace(m_key, static_cast<int>(m_measurements.size()) - 1).first;
    }
    Measurement &acc = m_measurements[static_cast<size_t>(it->second)];
    ++acc.m.samples;
    if (expected)
        ++acc.m.expected;
    else if (q.verdict == "FAIL")
        ++acc.m.fail;
    if (q.marginal)
        ++acc.m.marginal;
    if (!q.value) {
        if (!expected)
            ++acc.m.nonNumeric;
        return;
    }
    const double value = *q.value;
    acc.stats.add(value);
    acc.series.add(q.tNs, value, axis, rawLimit);
}

QList<MeasurementStatistics> MeasurementAccumulator::finish(const std::vector<int> &rankOf,
                                                            const TimeAxis &axis, int rawLimit) {
    std::stable_sort(m_measurements.begin(), m_measurements.end(),
                     [&rankOf](const Measurement &a, const Measurement &b) {
                         const int ra = a.stepKey >= 0 ? rankOf[static_cast<size_t>(a.stepKey)] : 1 << 30;
                         const int rb = b.stepKey >= 0 ? rankOf[static_cast<size_t>(b.stepKey)] : 1 << 30;
                         if (ra != rb)
                             return ra < rb;
                         return a.m.name < b.m.name;
                     });
    QList<MeasurementStatistics> out;
    for (Measurement &acc : m_measurements) {
        MeasurementStatistics m = std::move(acc.m);
        m.count = acc.stats.count();
        if (m.count > 0) {
            m.mean = acc.stats.mean();
            m.stddev = acc.stats.stddev();
            m.min = acc.stats.min();
            m.max = acc.stats.max();
        }
        m.cpk = processCapability(m.count, m.mean, m.stddev, m.low, m.high);
        m.series = acc.series.finish(axis, rawLimit);
        out.append(std::move(m));
    }
    return out;
}

} // namespace hil
