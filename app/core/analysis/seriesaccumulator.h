#pragma once

#include "core/analysis/timeaxis.h"
#include "core/analysis/timeseries.h"

#include <vector>

namespace hil {

// A series kept raw while it is small, and binned throughout (the bins are used once it is not).
class SeriesAccumulator {
public:
    void add(qint64 t, double v, const TimeAxis &axis, int rawLimit);
    TimeSeries finish(const TimeAxis &axis, int rawLimit) const;

private:
    struct Bin {
        double min = 0, max = 0, sum = 0;
        qint64 count = 0;
    };
    qint64 m_count = 0;
    std::vector<TimePoint> m_raw;
    std::vector<Bin> m_bins;
};

} // namespace hil
