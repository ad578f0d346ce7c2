#pragma once

#include "core/run/results.h"

#include <QList>
#include <optional>

namespace hil::gui {

// One raw line to or from a device (ResultListener::exchange), as the traffic console shows it.
struct ExchangeLine {
    qint64 timeNs = 0;
    QString device;
    Direction direction = Direction::ToDevice;
    QByteArray data;
};

struct ProgressUpdate {
    qint64 iterationsDone = 0;
    qint64 loopElapsedNs = 0; // since the scenario's loop started (after setup)
    qint64 plannedNs = -1;    // the loop's planned length, or -1 when open-ended
};

struct FaultUpdate {
    enum class Kind { Started, Ended, Recovered };
    Kind kind = Kind::Started;
    FaultRecord fault;
};

// Everything a run produced since the last drain, in the order the runner reported it within each list.
// Plain data: the runner thread fills one, the GUI thread takes it whole (LiveBuffer::drain()).
struct LiveBatch {
    std::optional<RunHeader> started;     // runStarted
    qint64 startMonoNs = 0;               // hil::monotonicNs() at runStarted, to tell "now" in run time
    std::optional<RunHeader> infoChanged; // the latest runInfoChanged
    QList<StepResult> results;
    qint64 resultsDropped = 0;       // beyond LiveBuffer's bound while nobody drained (still in the database)
    std::optional<RunCounts> counts; // the engine's counts after the last result: what the window shows
    QList<Event> events;
    qint64 eventsDropped = 0;
    QList<FaultUpdate> faults;
    QList<ExchangeLine> exchanges;
    qint64 exchangesDropped = 0;
    std::optional<ProgressUpdate> progress; // the latest
    std::optional<RunSummary> summary;      // runFinished

    bool isEmpty() const {
        return !started && !infoChanged && !counts && results.isEmpty() && events.isEmpty()
               && faults.isEmpty() && exchanges.isEmpty() && !progress && !summary && resultsDropped == 0
               && eventsDropped == 0 && exchangesDropped == 0;
    }
};

} // namespace hil::gui
