#include "timeseries.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace hil::gui {

void TimeSeries::append(double t, double v) {
    if (!std::isfinite(v) || !std::isfinite(t))
        return;
    if (!m_t.empty() && t < m_t.back())
        t = m_t.back();
    if (m_t.size() >= kMaxPoints)
        compact();
    ++m_appended;
    m_t.push_back(t);
    m_v.push_back(v);
    const std::size_t i = m_v.size() - 1;
    if (i % kBlock == 0) {
        m_blocks.push_back({i, i});
    } else {
        Block &b = m_blocks.back();
        if (v < m_v[b.minAt])
            b.minAt = i;
        if (v > m_v[b.maxAt])
            b.maxAt = i;
    }
}

std::pair<std::size_t, std::size_t> TimeSeries::extremes(std::size_t a, std::size_t b) const {
    std::size_t minAt = a, maxAt = a;
    const auto scan = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i) {
            if (m_v[i] < m_v[minAt])
                minAt = i;
            if (m_v[i] > m_v[maxAt])
                maxAt = i;
        }
    };
    if (b - a < 2 * kBlock) {
        scan(a + 1, b);
        return {minAt, maxAt};
    }
    const std::size_t firstBlock = (a + kBlock - 1) / kBlock, endBlock = b / kBlock;
    scan(a + 1, firstBlock * kBlock);
    for (std::size_t k = firstBlock; k < endBlock; ++k) {
        const Block &blk = m_blocks[k];
        if (m_v[blk.minAt] < m_v[minAt])
            minAt = blk.minAt;
        if (m_v[blk.maxAt] > m_v[maxAt])
            maxAt = blk.maxAt;
    }
    scan(endBlock * kBlock, b);
    return {minAt, maxAt};
}

void TimeSeries::clear() {
    m_t.clear();
    m_v.clear();
    m_blocks.clear();
    m_appended = 0;
    m_compactions = 0;
}

void TimeSeries::compact() {
    // The older half, block by block, becomes each block's extremes in time order; the newer half stays.
    const std::size_t half = (m_t.size() / 2) / kBlock * kBlock;
    std::size_t w = 0;
    for (std::size_t k = 0; k < half / kBlock; ++k) {
        const Block &b = m_blocks[k];
        const std::size_t first = std::min(b.minAt, b.maxAt), second = std::max(b.minAt, b.maxAt);
        m_t[w] = m_t[first];
        m_v[w++] = m_v[first];
        if (second != first) {
            m_t[w] = m_t[second];
            m_v[w++] = m_v[second];
        }
    }
    std::move(m_t.begin() + static_cast<std::ptrdiff_t>(half), m_t.end(),
              m_t.begin() + static_cast<std::ptrdiff_t>(w));
    std::move(m_v.begin() + static_cast<std::ptrdiff_t>(half), m_v.end(),
              m_v.begin() + static_cast<std::ptrdiff_t>(w));
    m_t.resize(m_t.size() - (half - w));
    m_v.resize(m_v.size() - (half - w));
    m_blocks.clear();
    for (std::size_t i = 0; i < m_v.size(); ++i) {
        if (i % kBlock == 0) {
            m_blocks.push_back({i, i});
            continue;
        }
        Block &b = m_blocks.back();
        if (m_v[i] < m_v[b.minAt])
            b.minAt = i;
        if (m_v[i] > m_v[b.maxAt])
            b.maxAt = i;
    }
    ++m_compactions;
}

void TimeSeries::reserve(std::size_t n) {
    m_t.reserve(n);
    m_v.reserve(n);
    m_blocks.reserve(n / kBlock + 1);
}

void TimeSeries::window(double t0, double t1, int columns, Window *out) const {
    out->points.clear();
    out->inside = 0;
    out->decimated = false;
    out->min = std::numeric_limits<double>::infinity();
    out->max = -std::numeric_limits<double>::infinity();
    if (m_t.empty() || t1 < t0)
        return;
    columns = std::max(columns, 1);
    const auto lo = static_cast<std::size_t>(std::lower_bound(m_t.cbegin(), m_t.cend(), t0) - m_t.cbegin());
    const auto hi = static_cast<std::size_t>(std::upper_bound(m_t.cbegin(), m_t.cend(), t1) - m_t.cbegin());
    const std::size_t n = hi - lo;
    out->inside = n;
    // The neighbours outside the window let the line run to the plot's edges.
    if (lo > 0)
        out->points.push_back({m_t[lo - 1], m_v[lo - 1]});
    if (n <= 2 * static_cast<std::size_t>(columns)) {
        for (std::size_t i = lo; i < hi; ++i) {
            out->points.push_back({m_t[i], m_v[i]});
            out->min = std::min(out->min, m_v[i]);
            out->max = std::max(out->max, m_v[i]);
        }
    } else {
        out->decimated = true;
        out->points.reserve(out->points.size() + 2 * static_cast<std::size_t>(columns) + 2);
        const double width = std::max(t1 - t0, 1e-12) / columns;
        std::size_t i = lo;
        for (int column = 0; column < columns && i < hi; ++column) {
            // The first point of a later column; the last column takes the rest.
            const std::size_t end = column == columns - 1
                                        ? hi
                                        : static_cast<std::size_t>(
                                            std::lower_bound(m_t.cbegin() + static_cast<std::ptrdiff_t>(i),
                                                             m_t.cbegin() + static_cast<std::ptrdiff_t>(hi),
                                                             t0 + (column + 1) * width)
                                            - m_t.cbegin());
            if (end == i)
                continue;
            const auto [minAt, maxAt] = extremes(i, end);
            const std::size_t first = std::min(minAt, maxAt), second = std::max(minAt, maxAt);
            out->points.push_back({m_t[first], m_v[first]});
            if (second != first)
                out->points.push_back({m_t[second], m_v[second]});
            out->min = std::min(out->min, m_v[minAt]);
            out->max = std::max(out->max, m_v[maxAt]);
            i = end;
        }
    }
    if (hi < m_t.size())
        out->points.push_back({m_t[hi], m_v[hi]});
}

} // namespace hil::gui
