#pragma once

#include "core/run/results.h"
#include "core/run/streamtally.h"
#include "core/session/devicesession.h"

#include <QObject>
#include <functional>

namespace hil {

// One window of a `stream:` step on one device: takes the lines its session receives (by their receive
// times) for the window, hands a row per line to `row` (up to the tally's cap) and, when the window ends
// or the device is lost, the summary to `done` (once). Lines queued before the window are stale and
// dropped. The window lasts `for` of time the harness was running: a stall of the harness lengthens it.
//
// Lives on the engine thread. The session must outlive the watch or the watch must be aborted first.
// Either sink may abort the watch (the run ending under it): nothing is called after that.
class StreamWatch : public QObject {
    Q_OBJECT
public:
    struct Sinks {
        std::function<void(StepResult &&row)> row;
        std::function<void(StepResult &&summary, bool deviceLost)> done;
        std::function<qint64(qint64 monoNs)> runNs; // monotonic ns -> ns since the run started
    };

    // `base`: the step's result as the lane starts it (step, device, start, ...); each row copies it.
    StreamWatch(const StreamSpec &spec, DeviceSession *session, StepResult base, bool sent, Sinks sinks,
                QObject *parent = nullptr);

    void start(qint64 startNs);
    // Ends the window now: the summary so far, with `verdict` and `message`. Nothing is reported after.
    StepResult abort(Verdict verdict, const QString &message);

private:
    void listen();
    void onLine(const DeviceSession::Answer &a);
    void finish(qint64 endNs, Verdict verdict, const QString &message, bool lost);

    StreamSpec m_spec;
    DeviceSession *m_session;
    StepResult m_base;
    Sinks m_sinks;
    bool m_sent;
    StreamTally m_tally;
    bool m_active = false;
};

} // namespace hil
