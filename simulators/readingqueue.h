#pragma once

#include <QByteArray>
#include <QtGlobal>
#include <deque>

namespace hilsim {

// One reading the gateway has taken and not yet handed to the broker: its topic and JSON payload.
struct Reading {
    QByteArray topic;
    QByteArray payload;
};

// The gateway's store-and-forward buffer: readings in the order they were taken, at most `capacity` of
// them. A reading that does not fit pushes the oldest out, which is counted as dropped (never silently
// lost). Pure data, no I/O.
class ReadingQueue {
public:
    explicit ReadingQueue(qsizetype capacity);

    qsizetype capacity() const { return m_capacity; }
    // A new capacity (at least 1); readings beyond it are dropped oldest first, counted. Returns how many.
    qsizetype setCapacity(qsizetype capacity);
    // How many readings this queue may hold while `held` others (handed over, not yet acknowledged)
    // count against the same capacity.
    void setHeldElsewhere(qsizetype held) { m_heldElsewhere = held; }

    // Appends a reading; drops the oldest first while the queue (plus the readings held elsewhere) is
    // full. Returns how many were dropped by this call.
    qsizetype push(Reading reading);
    const Reading &front() const { return m_readings.front(); }
    Reading takeFront();
    bool isEmpty() const { return m_readings.empty(); }
    qsizetype size() const { return static_cast<qsizetype>(m_readings.size()); }
    quint64 dropped() const { return m_dropped; }

private:
    qsizetype m_capacity;
    qsizetype m_heldElsewhere = 0;
    std::deque<Reading> m_readings;
    quint64 m_dropped = 0;
};

} // namespace hilsim
