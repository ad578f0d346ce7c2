#include "core/analysis/failureclusters.h"

#include <algorithm>
#include <cmath>

namespace hil {

namespace {

constexpr double kFalseClusterChance = 0.01; // for the whole run
constexpr int kMaxRounds = 8;

// Runs of marked bins, merged across a gap of at most one unmarked bin.
QList<FailureCluster> runsOf(const QList<qint64> &bins, const QList<bool> &marked, qint64 binNs) {
    QList<FailureCluster> out;
    qsizetype last = -3;
    for (qsizetype i = 0; i < bins.size(); ++i) {
        if (!marked[i])
            continue;
        if (i - last <= 2 && !out.isEmpty()) {
            for (qsizetype j = last + 1; j <= i; ++j)
                out.last().failures += bins[j];
            out.last().endNs = (i + 1) * binNs;
        } else {
            out.append({i * binNs, (i + 1) * binNs, bins[i]});
        }
        last = i;
    }
    return out;
}

// Bins in a block of 1, 2, 4, ... bins whose count the background rate makes improbable. Narrow blocks
// first; a wider block counts only the bins not marked yet, so that a short burst does not mark the wide
// blocks around it.
QList<bool> elevated(const QList<qint64> &bins, double rate) {
    const qsizetype n = bins.size();
    QList<bool> out(n, false);
    const double p = kFalseClusterChance / (2.0 * static_cast<double>(n)); // about 2n blocks are tested
    for (qsizetype width = 1; width <= std::max<qsizetype>(1, n / 2); width *= 2) {
        // Most blocks have no bin marked yet: their threshold is the width's.
        const qint64 whole = poissonUpperThreshold(rate * static_cast<double>(width), p);
        for (qsizetype at = 0; at + width <= n; at += width) {
            qint64 sum = 0, free = 0;
            for (qsizetype i = at; i < at + width; ++i)
                if (!out[i]) {
                    sum += bins[i];
                    ++free;
                }
            const qint64 threshold =
                free == width ? whole : poissonUpperThreshold(rate * static_cast<double>(free), p);
            if (sum > 0 && sum >= threshold)
                for (qsizetype i = at; i < at + width; ++i)
                    out[i] = out[i] || bins[i] > 0;
        }
    }
    return out;
}

} // namespace

qint64 poissonUpperThreshold(double mean, double p) {
    if (mean <= 0)
        return 1;
    if (mean > 200) {
        // Normal approximation: z with erfc(z / sqrt 2) / 2 = p, by bisection.
        double lo = 0, hi = 40;
        for (int i = 0; i < 100; ++i) {
            const double mid = (lo + hi) / 2;
            (std::erfc(mid / std::sqrt(2.0)) / 2 > p ? lo : hi) = mid;
        }
        return static_cast<qint64>(std::ceil(mean + hi * std::sqrt(mean) + 0.5));
    }
    // P(X >= k) = 1 - P(X <= k - 1), summed upwards from 0 in log space.
    double cdf = 0;
    for (qint64 k = 0;; ++k) {
        const double pmf = std::exp(static_cast<double>(k) * std::log(mean) - mean
                                    - std::lgamma(static_cast<double>(k) + 1));
        cdf += pmf;
        if (1 - cdf < p || (k > mean && pmf < p * 1e-3))
            return k + 1;
    }
}

FailureClusters failureClusters(const QList<qint64> &bins, qint64 binNs) {
    FailureClusters out;
    qint64 total = 0;
    for (const qint64 b : bins)
        total += b;
    if (total == 0 || bins.isEmpty())
        return out;
    if (total <= kFewFailures) {
        QList<bool> any(bins.size());
        for (qsizetype i = 0; i < bins.size(); ++i)
            any[i] = bins[i] > 0;
        out.clusters = runsOf(bins, any, binNs);
        return out;
    }
    double rate = static_cast<double>(total) / static_cast<double>(bins.size());
    QList<bool> marked;
    for (int round = 0; round < kMaxRounds; ++round) {
        const QList<bool> next = elevated(bins, rate);
        qint64 outsideFailures = 0, outsideBins = 0;
        for (qsizetype i = 0; i < bins.size(); ++i)
            if (!next[i]) {
                outsideFailures += bins[i];
                ++outsideBins;
            }
        rate = outsideBins ? static_cast<double>(outsideFailures) / static_cast<double>(outsideBins) : 0;
        const bool settled = next == marked;
        marked = next;
        if (settled)
            break;
    }
    out.clusters = runsOf(bins, marked, binNs);
    qint64 inClusters = 0;
    for (const FailureCluster &c : out.clusters)
        inClusters += c.failures;
    out.backgroundFailures = total - inClusters;
    out.backgroundPerBin = out.backgroundFailures > 0 ? rate : 0;
    return out;
}

} // namespace hil
