#include "core/link/faulttimeline.h"

#include "core/base/clock.h"

#include <algorithm>
#include <climits>
#include <limits>

namespace hil {

namespace {
constexpr qint64 kNever = std::numeric_limits<qint64>::max();
}

FaultTimeline::FaultTimeline(QObject *owner, Start start, End end)
    : m_start(std::move(start))
    , m_end(std::move(end))
    , m_timer(owner) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_timer, &QTimer::timeout, owner, [this] { onTimer(); });
}

void FaultTimeline::schedule(const QList<TimedLinkFault> &faults, int firstId) {
    for (const Scheduled &s : std::as_const(m_timeline))
        if (s.active)
            m_end(s.id);
    m_timeline.clear();
    const qint64 start = monotonicNs();
    for (qsizetype i = 0; i < faults.size(); ++i) {
        Scheduled s;
        s.fault = faults[i];
        s.id = firstId + static_cast<int>(i);
        s.nextStartNs = start + (faults[i].at ? faults[i].at->count() : 0);
        m_timeline.append(s);
    }
    onTimer();
}

void FaultTimeline::onTimer() {
    const qint64 now = monotonicNs();
    for (qsizetype i = 0; i < m_timeline.size(); ++i) {
        for (;;) {
            Scheduled &s = m_timeline[i];
            const TimedLinkFault &f = s.fault;
            if (!s.active && s.nextStartNs <= now) {
                const qint64 end = f.duration ? s.nextStartNs + f.duration->count() : kNever;
                s.nextStartNs = f.every ? s.nextStartNs + f.every->count() : kNever;
                if (end <= now)
                    continue; // a window missed entirely (the event loop was held up)
                s.active = true;
                s.endNs = end;
                m_start(s.id, f.spec);
            } else if (s.active && s.endNs <= now) {
                s.active = false;
                m_end(s.id);
            } else {
                break;
            }
            if (i >= m_timeline.size())
                return; // a slot replaced the timeline
        }
    }
    rearm();
}

void FaultTimeline::rearm() {
    qint64 next = kNever;
    for (const Scheduled &s : std::as_const(m_timeline))
        next = std::min(next, s.active ? s.endNs : s.nextStartNs);
    if (next == kNever) {
        m_timer.stop();
        return;
    }
    const qint64 wait = std::max<qint64>(next - monotonicNs(), 0);
    m_timer.start(static_cast<int>(std::min<qint64>((wait + 999'999) / 1'000'000, INT_MAX)));
}

} // namespace hil
