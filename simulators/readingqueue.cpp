#include "readingqueue.h"

#include <utility>

namespace hilsim {

ReadingQueue::ReadingQueue(qsizetype capacity)
    : m_capacity(capacity) {}

qsizetype ReadingQueue::push(Reading reading) {
    qsizetype dropped = 0;
    // Readings held elsewhere cannot be recalled: only the ones still here can make room.
    while (!m_readings.empty() && size() + m_heldElsewhere >= m_capacity) {
        m_readings.pop_front();
        ++dropped;
    }
    if (size() + m_heldElsewhere >= m_capacity) {
        ++dropped; // nothing here to push out: the new reading itself does not fit
    } else {
        m_readings.push_back(std::move(reading));
    }
    m_dropped += static_cast<quint64>(dropped);
    return dropped;
}

qsizetype ReadingQueue::setCapacity(qsizetype capacity) {
    m_capacity = capacity;
    qsizetype dropped = 0;
    while (!m_readings.empty() && size() + m_heldElsewhere > m_capacity) {
        m_readings.pop_front();
        ++dropped;
    }
    m_dropped += static_cast<quint64>(dropped);
    return dropped;
}

Reading ReadingQueue::takeFront() {
    Reading r = std::move(m_readings.front());
    m_readings.pop_front();
    return r;
}

} // namespace hilsim
