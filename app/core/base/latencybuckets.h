#pragma once

#include <QtGlobal>
#include <bit>
#include <limits>

namespace hil {

// The log-linear latency buckets shared by the report's histograms (analysis/latencyhistogram) and the
// recorder's per-interval rollups (store/steprollup): values below 64 each have their own bucket; above,
// every power of two is split into 32 equal buckets, so a bucket is at most 1/32 (3.1 %) of its lower
// bound wide. 1888 buckets cover the whole qint64 range.
struct LatencyBuckets {
    static constexpr int kSubBucketBits = 5;
    static constexpr int kLinear = 64; // values 0..63 have a bucket each
    static constexpr int kSub = 1 << kSubBucketBits;
    static constexpr int kCount = kLinear + (62 - 6 + 1) * kSub;

    // The bucket index of a value (negative values count as 0).
    static int of(qint64 value) {
        if (value < kLinear)
            return value < 0 ? 0 : static_cast<int>(value);
        const auto v = static_cast<quint64>(value);
        const int exponent = std::bit_width(v) - 1; // 6..62
        const int sub = static_cast<int>((v >> (exponent - kSubBucketBits)) & (kSub - 1));
        return kLinear + (exponent - 6) * kSub + sub;
    }
    // The smallest value of a bucket.
    static qint64 low(int index) {
        if (index < kLinear)
            return index;
        const int exponent = (index - kLinear) / kSub + 6;
        const int sub = (index - kLinear) % kSub;
        return (qint64(1) << exponent) + (qint64(sub) << (exponent - kSubBucketBits));
    }
    // One past a bucket's largest value (the lower bound of the next).
    static qint64 high(int index) {
        return index + 1 >= kCount ? std::numeric_limits<qint64>::max() : low(index + 1);
    }
};

} // namespace hil
