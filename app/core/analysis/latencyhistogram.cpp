#include "core/analysis/latencyhistogram.h"

#include <algorithm>
#include <cmath>

namespace hil {

int LatencyHistogram::bucketOf(qint64 value) {
    return LatencyBuckets::of(value);
}

qint64 LatencyHistogram::bucketLow(int index) {
    return LatencyBuckets::low(index);
}

qint64 LatencyHistogram::bucketHigh(int index) {
    return LatencyBuckets::high(index);
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

void LatencyHistogram::addBucket(int index, const Bucket &b) {
    if (b.count <= 0 || index < 0 || index >= kBucketCount)
        return;
    if (static_cast<int>(m_buckets.size()) <= index)
        m_buckets.resize(static_cast<size_t>(index) + 1);
    Bucket &mine = m_buckets[static_cast<size_t>(index)];
    mine.min = mine.count == 0 ? b.min : std::min(mine.min, b.min);
    mine.max = mine.count == 0 ? b.max : std::max(mine.max, b.max);
    mine.count += b.count;
    m_min = m_count == 0 ? b.min : std::min(m_min, b.min);
    m_max = m_count == 0 ? b.max : std::max(m_max, b.max);
    m_count += b.count;
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
