#include "stats.h"

#include <algorithm>
#include <cmath>

namespace hilbench {

namespace {

double nearestRank(const std::vector<qint64> &sorted, double p) {
    const auto n = static_cast<double>(sorted.size());
    const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p * n)));
    return static_cast<double>(sorted[std::min(rank, sorted.size()) - 1]) / 1000.0;
}

} // namespace

Percentiles percentiles(std::vector<qint64> samplesNs) {
    Percentiles p;
    if (samplesNs.empty())
        return p;
    std::sort(samplesNs.begin(), samplesNs.end());
    p.p50 = nearestRank(samplesNs, 0.50);
    p.p90 = nearestRank(samplesNs, 0.90);
    p.p95 = nearestRank(samplesNs, 0.95);
    p.p99 = nearestRank(samplesNs, 0.99);
    p.max = static_cast<double>(samplesNs.back()) / 1000.0;
    return p;
}

double median(std::vector<double> values) {
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

} // namespace hilbench
