#include "core/analysis/measurementaccumulator.h"

#include <algorithm>

namespace hil {

MeasurementAccumulator::Measurement &
MeasurementAccumulator::at(int stepKey, QByteArrayView name, const StepStatistics *step,
                           const std::function<MeasurementRow::Definition()> &definition) {
    m_key.clear();
    m_key.append(reinterpret_cast<const char *>(&stepKey), sizeof stepKey);
    m_key.append(name.data(), static_cast<size_t>(name.size()));
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
        m.name = QString::fromUtf8(name);
        MeasurementRow::Definition d = definition();
        m.unit = std::move(d.unit);
        m.low = d.low;
        m.high = d.high;
        m.marginalLow = d.marginalLow;
        m.marginalHigh = d.marginalHigh;
        m_measurements.push_back(std::move(acc));
        it = m_byKey.emplace(m_key, static_cast<int>(m_measurements.size()) - 1).first;
    }
    return m_measurements[static_cast<size_t>(it->second)];
}

void MeasurementAccumulator::add(const MeasurementRow &q, int stepKey, const StepStatistics *step,
                                 bool expected, const TimeAxis &axis, int rawLimit) {
    Measurement &acc = at(stepKey, q.name, step, [&q] { return q.definition(); });
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

void MeasurementAccumulator::addCell(const SampleRollupRow &row, int stepKey, const StepStatistics *step,
                                     const TimeAxis &axis) {
    const SampleRollupCell &c = row.cell;
    Measurement &acc = at(stepKey, row.name, step, [&c] {
        MeasurementRow::Definition d;
        d.unit = QString::fromUtf8(c.unit);
        d.low = c.low;
        d.high = c.high;
        d.marginalLow = c.marginalLow;
        d.marginalHigh = c.marginalHigh;
        return d;
    });
    acc.m.samples += c.samples;
    acc.m.expected += c.expected;
    acc.m.fail += c.fail;
    acc.m.marginal += c.marginal;
    acc.m.nonNumeric += c.nonNumeric;
    if (c.count == 0)
        return;
    acc.stats.merge(c.count, c.mean, c.m2, c.min, c.max);
    acc.series.addBinned(axis.bin(c.bin * kRollupBinNs), c.count, c.min, c.max, c.sum, axis);
}

std::vector<MeasurementAccumulator::SmallSeries> MeasurementAccumulator::smallSeries(int rawLimit) const {
    std::vector<SmallSeries> out;
    for (size_t i = 0; i < m_measurements.size(); ++i) {
        const Measurement &acc = m_measurements[i];
        if (acc.series.count() > 0 && acc.series.count() <= rawLimit)
            out.push_back({static_cast<int>(i), acc.stepKey, acc.m.name});
    }
    return out;
}

void MeasurementAccumulator::replaceSeries(int index, SeriesAccumulator series) {
    m_measurements[static_cast<size_t>(index)].series = std::move(series);
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
