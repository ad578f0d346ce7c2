#pragma once

#include "core/config/faultspecparser.h"

#include <QList>
#include <QObject>
#include <QTimer>
#include <functional>

namespace hil {

// The scheduled link faults of a proxy (`at`/`for`/`every`), on absolute deadlines from schedule(): a
// late timer shortens a window, it does not shift the ones after it. Starting and ending a window call the
// owner's functions; one precise timer waits for the next deadline. Shared by the TCP and UDP proxies.
class FaultTimeline {
public:
    using Start = std::function<void(int id, const LinkFaultSpec &spec)>;
    using End = std::function<void(int id)>;

    FaultTimeline(QObject *owner, Start start, End end);

    // Replaces the timeline (ending the windows still open through end) and runs what is already due.
    // Fault i gets id firstId + i.
    void schedule(const QList<TimedLinkFault> &faults, int firstId);
    void stop() { m_timer.stop(); }

private:
    struct Scheduled {
        TimedLinkFault fault;
        int id = 0;
        qint64 nextStartNs = 0; // monotonic; max when it never starts again
        qint64 endNs = 0;       // monotonic, while active; max when it lasts to the end
        bool active = false;
    };

    void onTimer();
    void rearm();

    Start m_start;
    End m_end;
    QList<Scheduled> m_timeline;
    QTimer m_timer;
};

} // namespace hil
