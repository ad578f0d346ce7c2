#pragma once

#include "core/config/fixture.h"
#include "core/config/scenario.h"
#include "core/run/results.h"
#include "runcontroller.h"

#include <QMainWindow>
#include <functional>
#include <optional>

class QDockWidget;
class QLabel;
class QTabWidget;
class QStackedWidget;
class QAction;

namespace hil::gui {

class BenchPanel;
class EventLogPanel;
class EventModel;
class FaultPanel;
class HistoryPanel;
class MessageBar;
class PlotPanel;
class ResultModel;
class ResultsPanel;
class RunFeed;
class RunStatusPanel;
class OperatorView;
class ScenarioEditor;
class TrafficConsole;
class WindowActions;

// hil-bench's window: it arranges the panels, keeps the layout and options in QSettings, and wires the
// panels to one RunController. It holds no engine logic: loading and validation are core's, running is
// the controller's (on its own thread), and every panel only shows what the run's batches say, which a
// RunFeed hands them. The actions, menus and recent files are WindowActions'.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    bool openFixture(const QString &path);
    bool openScenario(const QString &path);
    void setDatabasePath(const QString &path);
    const QString &databasePath() const { return m_databasePath; }
    // Validates and starts a run; false (with the reason in the message bar) if it cannot start.
    bool startRun();
    void stopRun();
    void togglePause();
    void setRecordExchanges(bool on);
    void setSeed(std::optional<quint64> seed);
    // What closing the window during a run asks; the default asks with a message box.
    void setCloseConfirmation(std::function<bool()> confirm) { m_confirmClose = std::move(confirm); }
    void showTab(int index); // 0 live, 1 scenario, 2 history

    RunController *controller() const { return m_controller; }
    ResultModel *resultModel() const { return m_results; }
    EventModel *eventModel() const { return m_events; }
    RunStatusPanel *statusPanel() const { return m_status; }
    // View > Operator View (F11): the run drawn large across the window; the docks hide and come back.
    void setOperatorView(bool on);
    bool operatorViewShown() const;
    OperatorView *operatorView() const { return m_operator; }
    PlotPanel *plotPanel() const { return m_plots; }
    BenchPanel *benchPanel() const { return m_bench; }
    FaultPanel *faultPanel() const { return m_faults; }
    ScenarioEditor *scenarioEditor() const { return m_editor; }
    HistoryPanel *historyPanel() const { return m_history; }
    ResultsPanel *resultsPanel() const { return m_resultsPanel; }
    EventLogPanel *eventLogPanel() const { return m_eventLog; }
    TrafficConsole *trafficConsole() const { return m_traffic; }
    MessageBar *messageBar() const { return m_messages; }
    const RunCounts &counts() const;
    std::optional<Verdict> lastVerdict() const { return m_lastVerdict; }
    qint64 lastRunId() const { return m_lastRunId; }

signals:
    void runFinished(hil::Verdict verdict, qint64 runId);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void wireActions();
    void buildDocks();
    QDockWidget *addDock(const QString &title, const QString &name, QWidget *widget, Qt::DockWidgetArea area,
                         const QKeySequence &toggle);
    void restoreSettings();
    void applyDefaultDockSizes();
    void saveSettings();
    void onStateChanged(RunController::State state);
    void onFinished(Verdict verdict, const QString &reason, qint64 runId);
    void requestPower(const QString &device, bool on);
    void chooseDatabase();
    void updateActions();
    void updateTitle();
    QStringList runDevices() const;

    RunController *m_controller;
    ResultModel *m_results;
    EventModel *m_events;
    MessageBar *m_messages = nullptr;
    RunStatusPanel *m_status = nullptr;
    QTabWidget *m_tabs = nullptr;
    PlotPanel *m_plots = nullptr;
    ScenarioEditor *m_editor = nullptr;
    HistoryPanel *m_history = nullptr;
    BenchPanel *m_bench = nullptr;
    FaultPanel *m_faults = nullptr;
    ResultsPanel *m_resultsPanel = nullptr;
    EventLogPanel *m_eventLog = nullptr;
    TrafficConsole *m_traffic = nullptr;
    QLabel *m_dbLabel = nullptr;
    QLabel *m_stateLabel = nullptr;
    WindowActions *m_actions = nullptr;
    RunFeed *m_feed = nullptr;

    QByteArray m_defaultLayout;
    QStackedWidget *m_centralStack = nullptr;
    OperatorView *m_operator = nullptr;
    QAction *m_operatorAction = nullptr;
    QByteArray m_layoutBeforeOperator;
    QList<QDockWidget *> m_docks; // bench, faults, results, events
    bool m_defaultSizesPending = false;

    std::optional<Fixture> m_fixture;
    std::optional<Scenario> m_runScenario; // of the run going on, or last run
    QString m_databasePath;
    std::optional<Verdict> m_lastVerdict;
    qint64 m_lastRunId = 0;
    bool m_closeAfterRun = false;
    std::function<bool()> m_confirmClose;
};

} // namespace hil::gui
