#pragma once

#include "core/base/latencybuckets.h"

#include <QtGlobal>
#include <optional>
#include <vector>

namespace hil {

// A streaming histogram of non-negative integers (latencies in ns) with log-linear buckets, as in HDR
// histograms: values below 64 each have their own bucket; above, every power of two is split into 32
// equal buckets, so a bucket is at most 1/32 (3.1 %) of its lower bound wide. 1888 buckets cover the whole
// qint64 range, so memory is bounded (45 KiB when full) whatever the count. Each bucket keeps the count,
// minimum and maximum of its values.
//
// Percentiles are exact, in two steps: rankBucket() names the bucket that holds a given rank; when that
// bucket's minimum equals its maximum the value is known, otherwise the caller collects the bucket's values
// in a second pass over the data and selects the rank among them (RunStatistics does this).
class LatencyHistogram {
public:
    struct Bucket {
        qint64 count = 0;
        qint64 min = 0;
        qint64 max = 0;
    };

    static constexpr int kSubBucketBits = LatencyBuckets::kSubBucketBits;
    static constexpr int kBucketCount = LatencyBuckets::kCount;

    // The bucket index of a value (negative values count as 0).
    static int bucketOf(qint64 value);
    // The smallest value of a bucket, and one past its largest (the lower bound of the next).
    static qint64 bucketLow(int index);
    static qint64 bucketHigh(int index);

    void add(qint64 value);
    void merge(const LatencyHistogram &other);
    // Adds a bucket of values summarised elsewhere (a rollup's), and their sum, which the buckets lack.
    void addBucket(int index, const Bucket &b);
    void addSum(double sum) { m_sum += sum; }

    qint64 count() const { return m_count; }
    qint64 min() const { return m_min; }
    qint64 max() const { return m_max; }
    double mean() const { return m_count ? m_sum / static_cast<double>(m_count) : 0.0; }
    // Buckets 0 .. size()-1; empty ones have count 0.
    const std::vector<Bucket> &buckets() const { return m_buckets; }

    // The bucket holding the rank-th smallest value (1-based) and the rank within that bucket (1-based).
    // Returns false if rank is outside 1..count().
    bool rankBucket(qint64 rank, int *bucket, qint64 *rankInBucket) const;
    // The p-quantile (0..1, nearest rank) read from the buckets alone: exact when its bucket holds one
    // distinct value, otherwise interpolated between the bucket's minimum and maximum (within 3.1 %).
    // nullopt when empty.
    std::optional<qint64> approximatePercentile(double p) const;

private:
    std::vector<Bucket> m_buckets;
    qint64 m_count = 0;
    qint64 m_min = 0;
    qint64 m_max = 0;
    double m_sum = 0;
};

} // namespace hil
