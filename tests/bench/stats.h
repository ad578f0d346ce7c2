#pragma once

#include <QtGlobal>
#include <vector>

namespace hilbench {

// Latency percentiles of one sample set, in microseconds. Nearest-rank: every figure is a measured sample.
struct Percentiles {
    double p50 = 0;
    double p90 = 0;
    double p95 = 0;
    double p99 = 0;
    double max = 0;
};

// The samples are nanoseconds; an empty set gives zeros.
Percentiles percentiles(std::vector<qint64> samplesNs);

// The middle value (the mean of the two middle values for an even count); 0 for an empty set.
double median(std::vector<double> values);

} // namespace hilbench
