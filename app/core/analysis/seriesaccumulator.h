#pragma once

#include "core/analysis/timeaxis.h"
#include "core/analysis/timeseries.h"

#include <vector>

namespace hil {

// A series kept raw while it is small, and binned throughout (the bins are used once it is not).
class SeriesAccumulator {
public:
    // Quantiles: also keep a small log-scale sketch per time bin (4 buckets per doubling from 1 us to 68 s,
    // 424 bytes per bin that has values), so that a binned series has each bin's p50 and p99: latency over
    // a long run drawn as percentile bands, not a mean between extremes.
    enum class Kind { Plain, Quantiles };
    explicit SeriesAccumulator(Kind kind = Kind::Plain)
        : m_kind(kind) {}
    void add(qint64 t, double v, const TimeAxis &axis, int rawLimit);
    // Values summarised elsewhere (a rollup cell's) into one bin, binned only: count values between min and
    // max summing to sum; then sketch() places them, by a value each group shares its sketch bucket with.
    void addBinned(int bin, qint64 count, double min, double max, double sum, const TimeAxis &axis);
    void sketch(int bin, double value, qint64 count, const TimeAxis &axis);
    qint64 count() const { return m_count; }
    TimeSeries finish(const TimeAxis &axis, int rawLimit) const;

private:
    struct Bin {
        double min = 0, max = 0, sum = 0;
        qint64 count = 0;
    };
    static constexpr int kSketchBuckets = 106; // below 1 us, 26 doublings x 4, 68 s and above
    static int sketchBucket(double v);
    static double sketchValue(int bucket);
    Kind m_kind;
    qint64 m_count = 0;
    std::vector<TimePoint> m_raw;
    std::vector<Bin> m_bins;
    std::vector<std::vector<quint32>> m_sketches; // per bin, allocated on its first value
};

} // namespace hil
