#include "core/analysis/latencypercentiles.h"

#include "core/analysis/statmath.h"

#include <algorithm>

namespace hil {

namespace {

constexpr int kPercentiles[] = {500, 900, 950, 990, 999};

qint64 *percentileSlot(LatencySummary &l, int i) {
    switch (i) {
    case 0:
        return &l.p50Ns;
    case 1:
        return &l.p90Ns;
    case 2:
        return &l.p95Ns;
    case 3:
        return &l.p99Ns;
    default:
        return &l.p999Ns;
    }
}

} // namespace

bool LatencyPercentiles::plan(std::vector<const LatencyHistogram *> hists,
                              std::vector<LatencySummary *> summaries, qint64 maxCollected) {
    m_hists = std::move(hists);
    m_summaries = std::move(summaries);
    qint64 toCollect = 0;
    for (size_t h = 0; h < m_hists.size(); ++h) {
        const LatencyHistogram &hist = *m_hists[h];
        LatencySummary &sum = *m_summaries[h];
        sum = {};
        sum.count = hist.count();
        if (hist.count() == 0)
            continue;
        sum.minNs = hist.min();
        sum.maxNs = hist.max();
        sum.meanNs = hist.mean();
        for (int p = 0; p < 5; ++p) {
            int bucket = 0;
            qint64 rankIn = 0;
            hist.rankBucket(nearestRank(hist.count(), kPercentiles[p]), &bucket, &rankIn);
            const auto &b = hist.buckets()[static_cast<size_t>(bucket)];
            qint64 *slot = percentileSlot(sum, p);
            if (b.min == b.max) {
                *slot = b.min;
                continue;
            }
            if (!m_collect.count(key(h, bucket))) {
                m_collect[key(h, bucket)];
                toCollect += b.count;
            }
            m_requests.push_back({h, bucket, rankIn, slot});
        }
    }
    if (m_requests.empty())
        return false;
    if (toCollect > maxCollected) {
        for (const Request &r : m_requests) {
            const auto &b = m_hists[r.hist]->buckets()[static_cast<size_t>(r.bucket)];
            *r.slot =
                b.min
                + static_cast<qint64>(static_cast<double>(b.max - b.min) * (static_cast<double>(r.rank) - 0.5)
                                      / static_cast<double>(b.count));
            m_summaries[r.hist]->exact = false;
        }
        return false;
    }
    return true;
}

void LatencyPercentiles::offer(size_t hist, qint64 latencyNs) {
    const auto it = m_collect.find(key(hist, LatencyHistogram::bucketOf(latencyNs)));
    if (it != m_collect.end())
        it->second.push_back(latencyNs);
}

void LatencyPercentiles::resolve() {
    for (const Request &r : m_requests) {
        std::vector<qint64> &values = m_collect[key(r.hist, r.bucket)];
        if (values.empty() || r.rank > static_cast<qint64>(values.size())) {
            m_summaries[r.hist]->exact = false; // the data changed between the passes
            continue;
        }
        const auto nth = values.begin() + (r.rank - 1);
        std::nth_element(values.begin(), nth, values.end());
        *r.slot = *nth;
    }
}

LatencySummary approximateSummary(const LatencyHistogram &h) {
    LatencySummary s;
    s.count = h.count();
    if (s.count == 0)
        return s;
    s.minNs = h.min();
    s.maxNs = h.max();
    s.meanNs = h.mean();
    s.p50Ns = h.approximatePercentile(0.50).value_or(0);
    s.p90Ns = h.approximatePercentile(0.90).value_or(0);
    s.p95Ns = h.approximatePercentile(0.95).value_or(0);
    s.p99Ns = h.approximatePercentile(0.99).value_or(0);
    s.p999Ns = h.approximatePercentile(0.999).value_or(0);
    s.exact = false;
    return s;
}

} // namespace hil
