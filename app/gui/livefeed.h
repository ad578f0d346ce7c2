#pragma once

#include "core/run/results.h"

#include <QList>
#include <functional>

namespace hil {
class ResultListener;
}

namespace hil::gui {

class EventModel;
class LiveBuffer;
class PlotPanel;
class ResultModel;

// A run's results made up at full speed, for the memory benchmark and the GUI tests: step result i of a
// two-device bench at 20 ms a step, a temperature and a voltage measured, a failure now and then, an event
// every 10,000 results. Deterministic.
StepResult syntheticResult(qint64 i);
Event syntheticEvent(qint64 i);

// The live path of a run without the runner: a thread reports `count` synthetic results (and their
// events and counts) to the listeners as fast as it can, exactly as the runner does (LiveBuffer first,
// then any others, e.g. a Recorder), while the calling (GUI) thread drains the LiveBuffer every
// intervalMs into the models and plots as RunFeed does, repaints the plots and processes events.
// onTick is called on the GUI thread after each drain with the number reported so far. Returns when
// every result was reported and drained.
struct LiveFeedViews {
    ResultModel *results = nullptr;
    EventModel *events = nullptr;
    PlotPanel *plots = nullptr;
};
void feedLive(qint64 count, LiveBuffer *buffer, const QList<ResultListener *> &others,
              const LiveFeedViews &views, int intervalMs, const std::function<void(qint64 reported)> &onTick);

} // namespace hil::gui
