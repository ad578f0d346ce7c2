#pragma once

#include <QList>
#include <limits>

namespace hil {

// A value over time: one point per sample when there are few, else per time bin (min, mean, max).
struct TimePoint {
    qint64 tNs = 0; // the sample's time, or the middle of its bin
    double min = 0;
    double mean = 0;
    double max = 0;
    qint64 count = 0;
    // Binned latency series only (SeriesAccumulator::Quantiles): the bin's p50 and p99, each within one
    // sketch bucket (at most 9 % off); NaN elsewhere.
    double p50 = std::numeric_limits<double>::quiet_NaN();
    double p99 = std::numeric_limits<double>::quiet_NaN();
};
struct TimeSeries {
    bool binned = false;
    qint64 binNs = 0;
    QList<TimePoint> points;
};

} // namespace hil
