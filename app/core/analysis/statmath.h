#pragma once

#include <QtGlobal>
#include <algorithm>
#include <optional>

namespace hil {

// Small statistics used by the run reports. Pure functions, no Qt beyond its integer types; any thread.

// A share of successes among trials with its 95 % Wilson score interval (z = 1.959964). Wilson rather
// than the normal approximation because soak runs mostly show rates near 0 or 1 and small counts, where
// the normal interval leaves [0, 1] or collapses to zero width. Empty (trials == 0): rate and bounds 0.
struct Proportion {
    qint64 successes = 0;
    qint64 trials = 0;
    double rate = 0;
    double low = 0;
    double high = 0;
};
Proportion wilsonInterval(qint64 successes, qint64 trials);

// Mean and standard deviation in one pass (Welford), stable for values with a large common offset
// (a temperature of 21.5 ± 0.001 loses nothing, unlike sum-of-squares formulas).
class RunningStats {
public:
    void add(double x) {
        ++m_n;
        const double d = x - m_mean;
        m_mean += d / static_cast<double>(m_n);
        m_m2 += d * (x - m_mean);
        if (m_n == 1 || x < m_min)
            m_min = x;
        if (m_n == 1 || x > m_max)
            m_max = x;
    }
    // Values summarised elsewhere (a rollup cell's): n values with this mean, sum of squared deviations
    // and extremes, merged as Chan et al. do, so that mean and deviation are those of all the values.
    void merge(qint64 n, double mean, double m2, double min, double max) {
        if (n <= 0)
            return;
        const qint64 total = m_n + n;
        const double d = mean - m_mean;
        const double share = static_cast<double>(n) / static_cast<double>(total);
        m_m2 += m2 + d * d * static_cast<double>(m_n) * share;
        m_mean += d * share;
        m_min = m_n == 0 ? min : std::min(m_min, min);
        m_max = m_n == 0 ? max : std::max(m_max, max);
        m_n = total;
    }
    qint64 count() const { return m_n; }
    double mean() const { return m_mean; }
    // Sample standard deviation (n - 1); 0 for fewer than two values.
    double stddev() const;
    double min() const { return m_min; }
    double max() const { return m_max; }

private:
    qint64 m_n = 0;
    double m_mean = 0;
    double m_m2 = 0;
    double m_min = 0;
    double m_max = 0;
};

// Process capability against the limits: min(high - mean, mean - low) / (3 sigma), one-sided when only
// one limit is set. None without limits, with sigma 0 or with fewer than two values.
std::optional<double> processCapability(qint64 n, double mean, double sigma, std::optional<double> low,
                                        std::optional<double> high);

// The 1-based rank of the nearest-rank percentile perMille/1000 among n sorted values: ceil(n * q),
// at least 1. Integer arithmetic, so p99.9 of 1000 values is exactly the 999th.
qint64 nearestRank(qint64 n, int perMille);

} // namespace hil
