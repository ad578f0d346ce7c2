#include "core/analysis/histogrambins.h"

#include <algorithm>
#include <cmath>

namespace hil {

QList<HistogramBin> logBins(const LatencyHistogram &h, qint64 lowNs, qint64 highNs, int bins) {
    QList<HistogramBin> out;
    if (bins < 1 || lowNs <= 0 || highNs <= lowNs)
        return out;
    const double l0 = std::log(static_cast<double>(lowNs));
    const double l1 = std::log(static_cast<double>(highNs));
    for (int i = 0; i < bins; ++i) {
        HistogramBin b;
        b.lowNs = static_cast<qint64>(std::exp(l0 + (l1 - l0) * i / bins));
        b.highNs = static_cast<qint64>(std::exp(l0 + (l1 - l0) * (i + 1) / bins));
        out.append(b);
    }
    out.first().lowNs = lowNs;
    out.last().highNs = highNs;
    const auto &buckets = h.buckets();
    for (size_t i = 0; i < buckets.size(); ++i) {
        const auto &b = buckets[i];
        if (b.count == 0)
            continue;
        // A fine bucket goes where the middle of its values lies (its own width is at most 3.1 %).
        const double mid = std::max(1.0, (static_cast<double>(b.min) + static_cast<double>(b.max)) / 2);
        int k = static_cast<int>((std::log(mid) - l0) / (l1 - l0) * bins);
        k = std::clamp(k, 0, bins - 1);
        out[k].count += b.count;
    }
    return out;
}

} // namespace hil
