#pragma once

#include "core/run/resultlistener.h"
#include "livebatch.h"

#include <mutex>

namespace hil::gui {

// The GUI's listener on the runner thread. Each call appends to a pending batch under a short lock and
// returns; the GUI thread takes the whole batch with drain() on a timer (20-30 times a second), so the
// interface never gets one signal per sample and never slows the runner down.
//
// Memory is bounded while nobody drains (a window that is not painted for a while): beyond the limits
// the oldest pending step results, events and exchanges are dropped and counted; the recorder still has
// all of them in the database.
class LiveBuffer : public ResultListener {
public:
    struct Limits {
        qsizetype results = 10'000;
        qsizetype events = 20'000;
        qsizetype exchanges = 5'000;
    };

    LiveBuffer();
    explicit LiveBuffer(Limits limits);

    // Takes everything reported since the last call. Any thread.
    LiveBatch drain();

    void runStarted(const RunHeader &info) override;
    void runInfoChanged(const RunHeader &info) override;
    void stepFinished(const StepResult &result) override;
    void countsChanged(const RunCounts &counts) override;
    void eventRecorded(const Event &event) override;
    void exchange(qint64 timeNs, const QString &device, Direction dir, const QByteArray &data) override;
    void progress(qint64 iterationsDone, qint64 elapsedNs, qint64 plannedNs) override;
    void faultStarted(const FaultRecord &fault) override;
    void faultEnded(const FaultRecord &fault) override;
    void faultRecovered(const FaultRecord &fault) override;
    void runFinished(const RunSummary &summary) override;

private:
    Limits m_limits;
    std::mutex m_mutex;
    LiveBatch m_pending;
};

} // namespace hil::gui
