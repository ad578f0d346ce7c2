#pragma once

#include <QtGlobal>
#include <algorithm>
#include <vector>

namespace hil {

// The run's time axis, cut into equal bins. With binNs set, the bins are that many ns wide from 0 (whole
// multiples of the rollups' bin, so that rollup bins fall into them whole) and bins * binNs >= span.
struct TimeAxis {
    qint64 span = 1;
    int bins = 1;
    qint64 binNs = 0;

    qint64 width() const { return binNs > 0 ? binNs : std::max<qint64>(1, span / bins); }
    int bin(qint64 t) const {
        if (t <= 0)
            return 0;
        if (t >= span)
            return bins - 1;
        if (binNs > 0)
            return std::min<qint64>(bins - 1, t / binNs);
        return std::min(bins - 1,
                        static_cast<int>(static_cast<double>(t) / static_cast<double>(span) * bins));
    }
    double binStart(int b) const {
        return binNs > 0 ? static_cast<double>(binNs * b) : static_cast<double>(span) * b / bins;
    }
    // Adds the part of [from, to) that falls in each bin to v.
    void spread(std::vector<double> &v, qint64 from, qint64 to) const {
        if (to <= from)
            return;
        if (v.empty())
            v.assign(static_cast<size_t>(bins), 0.0);
        const int b0 = bin(from);
        const int b1 = bin(to);
        for (int b = b0; b <= b1; ++b) {
            const double lo = std::max(static_cast<double>(from), b == 0 ? -1e300 : binStart(b));
            const double hi = std::min(static_cast<double>(to), b == bins - 1 ? 1e300 : binStart(b + 1));
            if (hi > lo)
                v[static_cast<size_t>(b)] += hi - lo;
        }
    }
};

} // namespace hil
