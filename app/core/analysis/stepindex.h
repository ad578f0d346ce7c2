#pragma once

#include <QtGlobal>
#include <algorithm>
#include <vector>

namespace hil {

// Finds the step of a step result id through the ids of pass 1, kept in order. A key is the step's index
// times four, plus one when the result was an expected failure, plus two when it was a retried try.
class StepIndex {
public:
    void append(qint64 id, int key) {
        m_ids.push_back(id);
        m_keys.push_back(key);
    }
    // The key, or -1 if the id is not one of the run's step results.
    int find(qint64 id) {
        if (m_cursor < m_ids.size() && m_ids[m_cursor] == id)
            return m_keys[m_cursor];
        if (m_cursor + 1 < m_ids.size() && m_ids[m_cursor + 1] == id)
            return m_keys[++m_cursor];
        const auto it = std::lower_bound(m_ids.cbegin(), m_ids.cend(), id);
        if (it == m_ids.cend() || *it != id)
            return -1;
        m_cursor = static_cast<size_t>(it - m_ids.cbegin());
        return m_keys[m_cursor];
    }
    void rewind() { m_cursor = 0; }
    size_t size() const { return m_ids.size(); }

private:
    std::vector<qint64> m_ids;
    std::vector<int> m_keys;
    size_t m_cursor = 0;
};

} // namespace hil
