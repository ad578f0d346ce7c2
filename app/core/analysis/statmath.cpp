#include "core/analysis/statmath.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hil {

Proportion wilsonInterval(qint64 successes, qint64 trials) {
    Proportion p;
    p.successes = successes;
    p.trials = trials;
    if (trials <= 0)
        return p;
    constexpr double z = 1.959963984540054;
    const double n = static_cast<double>(trials);
    const double phat = static_cast<double>(successes) / n;
    const double z2 = z * z;
    const double denominator = 1 + z2 / n;
    const double centre = (phat + z2 / (2 * n)) / denominator;
    const double half = z * std::sqrt(phat * (1 - phat) / n + z2 / (4 * n * n)) / denominator;
    p.rate = phat;
    p.low = std::max(0.0, centre - half);
    p.high = std::min(1.0, centre + half);
    return p;
}

double RunningStats::stddev() const {
    return m_n > 1 ? std::sqrt(m_m2 / static_cast<double>(m_n - 1)) : 0.0;
}

std::optional<double> processCapability(qint64 n, double mean, double sigma, std::optional<double> low,
                                        std::optional<double> high) {
    if (n < 2 || !(sigma > 0) || (!low && !high))
        return std::nullopt;
    double cpk = std::numeric_limits<double>::infinity();
    if (high)
        cpk = std::min(cpk, (*high - mean) / (3 * sigma));
    if (low)
        cpk = std::min(cpk, (mean - *low) / (3 * sigma));
    return cpk;
}

qint64 nearestRank(qint64 n, int perMille) {
    if (n <= 0)
        return 0;
    // ceil(n * perMille / 1000) without overflow for any n a database can hold.
    const qint64 whole = n / 1000 * perMille;
    const qint64 rest = n % 1000 * perMille;
    return std::max<qint64>(1, whole + (rest + 999) / 1000);
}

} // namespace hil
