#include "core/analysis/latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace hil {

namespace {

constexpr int kLinear = 64; // values 0..63 have a bucket each
constexpr int kSub = 1 << LatencyHistogram::kSubBucketBits;

} // namespace

int LatencyHistogram::bucketOf(qint64 value) {
    if (value < kLinear)
        return value < 0 ? 0 : static_cast<int>(value);
    const auto v = static_cast<quint64>(value);
    const int exponent = std::bit_width(v) - 1; // 6..62
    const int sub = static_cast<int>((v >> (exponent - kSubBucketBits)) & (kSub - 1));
    return kLinear + (exponent - 6) * kSub + sub;
}

qint64 LatencyHistogram::bucketLow(int index) {
    if (index < kLinear)
        return index;
    const int exponent = (index - kLinear) / kSub + 6;
    const int sub = (index - kLinear) % kSub;
    return (qint64(1) << exponent) + (qint64(sub) << (exponent - kSubBucketBits));
}

qint64 LatencyHistogram::bucketHigh(int index) {
    if (index + 1 >= kBucketCount)
        return std::numeric_limits<qint64>::max();
    return bucketLow(index + 1);
}

void LatencyHistogram::add(qint64 value) {
    if (value < 0)
        value = 0;
    const int b = bucketOf(value);
    if (static_cast<int>(m_buckets.size()) <= b)
        m_buckets.resize(static_cast<size_t>(b) + 1);
    Bucket &bucket = m_buckets[static_cast<size_t>(b)];
    if (bucket.count == 0 || value < bucket.min)
        bucket.min = value;
    if (bucket.count == 0 || value > bucket.max)
        bucket.max = value;
    ++bucket.count;
    if (m_count == 0 || value < m_min)
        m_min = value;
    if (m_count == 0 || value > m_max)
        m_max = value;
    ++m_count;
    m_sum += static_cast<double>(value);
}

void LatencyHistogram::merge(const LatencyHistogram &other) {
    if (other.m_buckets.size() > m_buckets.size())
        m_buckets.resize(other.m_buckets.size());
    for (size_t i = 0; i < other.m_buckets.size(); ++i) {
        const Bucket &o = other.m_buckets[i];
        if (o.count == 0)
            continue;
        Bucket &b = m_buckets[i];
        b.min = b.count == 0 ? o.min : std::min(b.min, o.min);
        b.max = b.count == 0 ? o.max : std::max(b.max, o.max);
        b.count += o.count;
    }
    if (other.m_count > 0) {
        m_min = m_count == 0 ? other.m_min : std::min(m_min, other.m_min);
        m_max = m_count == 0 ? other.m_max : std::max(m_max, other.m_max);
    }
    m_count += other.m_count;
    m_sum += other.m_sum;
}

bool LatencyHistogram::rankBucket(qint64 rank, int *bucket, qint64 *rankInBucket) const {
    if (rank < 1 || rank > m_count)
        return false;
    qint64 before = 0;
    for (size_t i = 0; i < m_buckets.size(); ++i) {
        const qint64 c = m_buckets[i].count;
        if (before + c >= rank) {
            *bucket = static_cast<int>(i);
            *rankInBucket = rank - before;
            return true;
        }
        before += c;
    }
    return false;
}

std::optional<qint64> LatencyHistogram::approximatePercentile(double p) const {
    if (m_count == 0)
        return std::nullopt;
    const qint64 rank =
        std::clamp<qint64>(static_cast<qint64>(std::ceil(p * static_cast<double>(m_count))), 1, m_count);
    int bucket = 0;
    qint64 within = 0;
    if (!rankBucket(rank, &bucket, &within))
        return std::nullopt;
    const Bucket &b = m_buckets[static_cast<size_t>(bucket)];
    if (b.count <= 1 || b.min == b.max)
        return b.max;
    return b.min + (b.max - b.min) * (within - 1) / (b.count - 1);
}

} // namespace hil
