#pragma once

#include <QtGlobal>
#include <algorithm>
#include <vector>

namespace hil {

// Finds the step of a step result id through the ids of pass 1, kept in order. A key is the step's index
// times four, plus one when the result was an expected failure, plus two when it was a retried try.
//
// Memory is what bounds a report of a long soak, so ids are kept as runs of consecutive ids (a run's step
// results are numbered consecutively by its recorder: one segment for a whole run of one file) and keys as
// 16 bits: 2 bytes per step result. Past `limit` entries (or a key of 16 bits or more) the index gives up
// and says so (available() false, its memory freed); callers then read the step of each row from the
// database instead (RunScan's joined scans), which costs time but no memory.
class StepIndex {
public:
    static constexpr qint64 kDefaultLimit = 16'000'000; // 32 MB of keys

    explicit StepIndex(qint64 limit = kDefaultLimit)
        : m_limit(limit) {}

    void append(qint64 id, int key) {
        if (!m_available)
            return;
        if (key < 0 || key > 0xFFFF || static_cast<qint64>(m_keys.size()) >= m_limit) {
            giveUp();
            return;
        }
        if (m_segments.empty() || id != m_lastId + 1) {
            if (!m_segments.empty() && id <= m_lastId) { // ids of pass 1 are increasing
                giveUp();
                return;
            }
            m_segments.push_back({id, m_keys.size()});
        }
        m_lastId = id;
        m_keys.push_back(static_cast<quint16>(key));
    }
    // The key, or -1 if the id is not one of the run's step results. Only when available().
    int find(qint64 id) {
        if (m_cursor < m_keys.size() && idAt(m_cursor) == id)
            return m_keys[m_cursor];
        if (m_cursor + 1 < m_keys.size() && idAt(m_cursor + 1) == id) {
            advance();
            return m_keys[m_cursor];
        }
        // The segment whose first id is the last one <= id.
        auto it = std::upper_bound(m_segments.cbegin(), m_segments.cend(), id,
                                   [](qint64 v, const Segment &s) { return v < s.firstId; });
        if (it == m_segments.cbegin())
            return -1;
        --it;
        const size_t seg = static_cast<size_t>(it - m_segments.cbegin());
        const size_t pos = it->firstPos + static_cast<size_t>(id - it->firstId);
        if (pos >= segmentEnd(seg))
            return -1;
        m_segment = seg;
        m_cursor = pos;
        return m_keys[m_cursor];
    }
    void rewind() {
        m_cursor = 0;
        m_segment = 0;
    }
    size_t size() const { return m_keys.size(); }
    // False once the index gave up (too many step results for its limit): find() knows nothing then.
    bool available() const { return m_available; }

private:
    struct Segment {
        qint64 firstId;
        size_t firstPos;
    };

    size_t segmentEnd(size_t seg) const {
        return seg + 1 < m_segments.size() ? m_segments[seg + 1].firstPos : m_keys.size();
    }
    qint64 idAt(size_t pos) {
        while (m_segment + 1 < m_segments.size() && m_segments[m_segment + 1].firstPos <= pos)
            ++m_segment;
        while (m_segment > 0 && m_segments[m_segment].firstPos > pos)
            --m_segment;
        const Segment &s = m_segments[m_segment];
        return s.firstId + static_cast<qint64>(pos - s.firstPos);
    }
    void advance() { ++m_cursor; }
    void giveUp() {
        m_available = false;
        std::vector<quint16>().swap(m_keys);
        std::vector<Segment>().swap(m_segments);
        rewind();
    }

    qint64 m_limit;
    bool m_available = true;
    std::vector<quint16> m_keys;
    std::vector<Segment> m_segments;
    qint64 m_lastId = 0;
    size_t m_cursor = 0;
    size_t m_segment = 0;
};

} // namespace hil
