#include "core/analysis/seriesaccumulator.h"

#include <algorithm>
#include <cmath>

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
    if (m_kind == Kind::Quantiles) {
        if (m_sketches.empty())
            m_sketches.resize(static_cast<size_t>(axis.bins));
        std::vector<quint32> &sketch = m_sketches[static_cast<size_t>(axis.bin(t))];
        if (sketch.empty())
            sketch.assign(kSketchBuckets, 0);
        ++sketch[static_cast<size_t>(sketchBucket(v))];
    }
}

void SeriesAccumulator::addBinned(int bin, qint64 count, double min, double max, double sum,
                                  const TimeAxis &axis) {
    if (count <= 0)
        return;
    m_count += count;
    m_raw.clear();
    if (m_bins.empty())
        m_bins.resize(static_cast<size_t>(axis.bins));
    Bin &b = m_bins[static_cast<size_t>(bin)];
    if (b.count == 0 || min < b.min)
        b.min = min;
    if (b.count == 0 || max > b.max)
        b.max = max;
    b.sum += sum;
    b.count += count;
}

void SeriesAccumulator::sketch(int bin, double value, qint64 count, const TimeAxis &axis) {
    if (m_kind != Kind::Quantiles || count <= 0)
        return;
    if (m_sketches.empty())
        m_sketches.resize(static_cast<size_t>(axis.bins));
    std::vector<quint32> &sketch = m_sketches[static_cast<size_t>(bin)];
    if (sketch.empty())
        sketch.assign(kSketchBuckets, 0);
    sketch[static_cast<size_t>(sketchBucket(value))] += static_cast<quint32>(count);
}

int SeriesAccumulator::sketchBucket(double v) {
    if (!(v >= 1024))
        return 0; // below 2^10 ns (about 1 us), and NaN
    int exponent = 0;
    const double mantissa = std::frexp(v, &exponent); // v = mantissa * 2^exponent, mantissa in [0.5, 1)
    const int octave = exponent - 11;                 // 2^10 .. 2^11 is octave 0
    if (octave >= 26)
        return kSketchBuckets - 1;
    return 1 + octave * 4 + std::min(3, static_cast<int>((mantissa - 0.5) * 8));
}

double SeriesAccumulator::sketchValue(int bucket) {
    if (bucket <= 0)
        return 1024;
    if (bucket >= kSketchBuckets - 1)
        return std::ldexp(1.0, 36);
    const int octave = (bucket - 1) / 4, sub = (bucket - 1) % 4;
    // The middle of the bucket: [2^(10+octave) * (1 + sub/4), ... * (1 + (sub+1)/4)).
    return std::ldexp(1.0 + (sub + 0.5) / 4, 10 + octave);
}

TimeSeries SeriesAccumulator::finish(const TimeAxis &axis, int rawLimit) const {
    TimeSeries s;
    if (m_count <= rawLimit) {
        s.points = QList<TimePoint>(m_raw.cbegin(), m_raw.cend());
        return s;
    }
    s.binned = true;
    s.binNs = axis.width();
    for (size_t i = 0; i < m_bins.size(); ++i) {
        const Bin &b = m_bins[i];
        if (b.count == 0)
            continue;
        const auto mid = static_cast<qint64>(
            (axis.binStart(static_cast<int>(i)) + axis.binStart(static_cast<int>(i) + 1)) / 2);
        TimePoint p{mid, b.min, b.sum / static_cast<double>(b.count), b.max, b.count};
        if (i < m_sketches.size() && !m_sketches[i].empty()) {
            // Nearest rank in the sketch, kept within the bin's true minimum and maximum.
            const auto quantile = [&](double q) {
                const auto rank = static_cast<qint64>(std::ceil(q * static_cast<double>(b.count)));
                qint64 seen = 0;
                for (int k = 0; k < kSketchBuckets; ++k) {
                    seen += m_sketches[i][static_cast<size_t>(k)];
                    if (seen >= rank)
                        return std::clamp(sketchValue(k), b.min, b.max);
                }
                return b.max;
            };
            p.p50 = quantile(0.50);
            p.p99 = quantile(0.99);
        }
        s.points.append(p);
    }
    return s;
}

} // namespace hil
