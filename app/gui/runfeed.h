#pragma once

#include "core/config/fixture.h"
#include "core/config/scenario.h"
#include "core/run/results.h"

#include <QObject>
#include <QStringList>

class QTimer;

namespace hil::gui {

class BenchPanel;
class EventModel;
class FaultPanel;
class MessageBar;
class PlotPanel;
class ResultModel;
class RunController;
class RunEventsModel;
class RunResultsModel;
class RunStatusPanel;
class TrafficConsole;

// The run's way into the panels: while a run goes on, its batches are drained 25 times a second
// (kDrainIntervalMs) and handed to the models, the plots and the panels in one go, so the window costs
// the run one batch per tick however fast results come. It also keeps what the panels show across
// batches: the counts, and the progress worked out from the scenario's plan and the runner's reports.
// The run's problems and refused faults go to the message bar.
//
// GUI thread only. The views are not owned: they belong to the window, as this object does.
class RunFeed : public QObject {
    Q_OBJECT
public:
    static constexpr int kDrainIntervalMs = 40;

    // Where the batches go.
    struct Views {
        ResultModel *results = nullptr;
        EventModel *events = nullptr;
        RunStatusPanel *status = nullptr;
        PlotPanel *plots = nullptr;
        BenchPanel *bench = nullptr;
        FaultPanel *faults = nullptr;
        TrafficConsole *traffic = nullptr;
        MessageBar *messages = nullptr;
        // Every result of the run: the older rows read back from the run's database.
        RunResultsModel *allResults = nullptr;
        // Every event of the run, likewise.
        RunEventsModel *allEvents = nullptr;
    };

    RunFeed(RunController *controller, const Views &views, QObject *parent);

    // Clears the views and sets them up for a run of `scenario` on `devices` of `fixture`; draining
    // starts with start(), once the controller has taken the run.
    void prepare(const Fixture &fixture, const Scenario &scenario, const QStringList &devices,
                 bool recordExchanges);
    void start();
    // Stops draining; what the run still reports stays with the controller.
    void stop();
    // Hands everything the run reported since the last call to the views.
    void drain();

    const RunCounts &counts() const { return m_counts; }

private:
    // The live table's older rows come from the run's database once the recorder has given its id.
    void attachDatabase(qint64 runId);

    RunController *m_controller;
    Views m_views;
    QTimer *m_timer;
    RunCounts m_counts;
    bool m_countedRepeat = false; // the scenario repeats a number of times, not for a duration
    qint64 m_startMonoNs = 0;
    quint64 m_runSeed = 0;
    qint64 m_loopStartRunNs = -1;
    qint64 m_plannedNs = -1;
    qint64 m_plannedIterations = -1;
    qint64 m_iterations = 0;
};

} // namespace hil::gui
