#pragma once

#include "core/analysis/latencyhistogram.h"
#include "core/analysis/latencysummary.h"

#include <unordered_map>
#include <vector>

namespace hil {

// Exact nearest-rank percentiles of several latency histograms at once. A percentile whose histogram
// bucket holds one value is known from the histogram; the others need the values of their buckets, which
// one more pass over the run collects (only those buckets, so memory stays small), unless there are more
// of them than maxCollected: then those percentiles are interpolated within their buckets.
class LatencyPercentiles {
public:
    // Fills summaries[i] from hists[i] as far as the histograms tell. True when offer() and resolve()
    // are needed for the rest.
    bool plan(std::vector<const LatencyHistogram *> hists, std::vector<LatencySummary *> summaries,
              qint64 maxCollected);
    // One recorded latency (>= 0) of histogram hist, in the collecting pass.
    void offer(size_t hist, qint64 latencyNs);
    void resolve();

private:
    struct Request {
        size_t hist;
        int bucket;
        qint64 rank;
        qint64 *slot;
    };
    static qint64 key(size_t hist, qint64 bucket) { return static_cast<qint64>(hist) << 16 | bucket; }

    std::vector<const LatencyHistogram *> m_hists;
    std::vector<LatencySummary *> m_summaries;
    std::vector<Request> m_requests;
    std::unordered_map<qint64, std::vector<qint64>> m_collect; // key(hist, bucket)
};

// A summary read from a histogram's buckets alone, without a pass over the values: each percentile within
// one bucket (3.1 %), so `exact` is false. For figures that split a run's latencies (outside and during
// faults) where a second collecting pass would cost more than the split tells.
LatencySummary approximateSummary(const LatencyHistogram &histogram);

} // namespace hil
