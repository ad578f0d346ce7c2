#include "core/run/deadlinetimer.h"

#include "core/base/clock.h"

#include <algorithm>

namespace hil {

namespace {
constexpr qint64 kSlackNs = 20'000;
}

DeadlineTimer::DeadlineTimer(QObject *parent)
    : QObject(parent) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &DeadlineTimer::check);
}

void DeadlineTimer::at(qint64 deadlineNs, std::function<void()> fire) {
    m_deadlineNs = deadlineNs;
    m_fire = std::move(fire);
    const qint64 remaining = m_deadlineNs - monotonicNs();
    if (remaining > 1'500'000)
        m_timer.start(
            static_cast<int>(std::min<qint64>((remaining - 1'000'000) / 1'000'000, 24LL * 3600 * 1000)));
    else
        m_timer.start(0);
}

void DeadlineTimer::stop() {
    m_timer.stop();
    m_fire = nullptr;
}

void DeadlineTimer::shift(qint64 ns) {
    if (!m_fire)
        return;
    at(m_deadlineNs + ns, std::move(m_fire));
}

void DeadlineTimer::check() {
    if (!m_fire)
        return;
    const qint64 remaining = m_deadlineNs - monotonicNs();
    if (remaining > kSlackNs) {
        at(m_deadlineNs, std::move(m_fire));
        return;
    }
    std::function<void()> fire = std::move(m_fire);
    m_fire = nullptr;
    fire();
}

} // namespace hil
