#pragma once

#include <QObject>
#include <QTimer>
#include <functional>

namespace hil {

// Calls a function at an absolute monotonic deadline, within tens of microseconds of it: a millisecond
// timer fires up to about a millisecond late, so it sleeps to just short of the deadline and covers the
// last stretch with zero-time timers (at most about a millisecond of busy waiting per deadline).
// A deadline already past runs from the event loop at once, never from inside at().
class DeadlineTimer : public QObject {
    Q_OBJECT
public:
    explicit DeadlineTimer(QObject *parent = nullptr);

    void at(qint64 deadlineNs, std::function<void()> fire);
    void stop();
    bool isArmed() const { return static_cast<bool>(m_fire); }
    qint64 deadline() const { return m_deadlineNs; }
    // Moves an armed deadline later by `ns` (a pause).
    void shift(qint64 ns);

private:
    void check();

    QTimer m_timer;
    qint64 m_deadlineNs = 0;
    std::function<void()> m_fire;
};

} // namespace hil
