#include "mainwindow.h"

#include "benchpanel.h"
#include "core/config/fixtureloader.h"
#include "eventlogpanel.h"
#include "eventmodel.h"
#include "faultpanel.h"
#include "historypanel.h"
#include "manualfault.h"
#include "messagebar.h"
#include "operatorview.h"
#include "plotpanel.h"
#include "promptdialog.h"
#include "resultmodel.h"
#include "resultspanel.h"
#include "runfeed.h"
#include "runstatuspanel.h"
#include "scenarioeditor.h"
#include "trafficconsole.h"
#include "windowactions.h"

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QShowEvent>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace hil::gui {

namespace {

constexpr int kLayoutVersion = 1;

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_controller(new RunController(this))
    , m_results(new ResultModel(this))
    , m_events(new EventModel(this)) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(style()->standardIcon(QStyle::SP_ComputerIcon));
    setDockNestingEnabled(true);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_messages = new MessageBar(central);
    m_status = new RunStatusPanel(central);
    auto *rule = new QFrame(central);
    rule->setFrameShape(QFrame::HLine);
    rule->setStyleSheet(QStringLiteral("color: #d0d7de;"));
    m_tabs = new QTabWidget(central);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_tabs->setDocumentMode(true);
    m_plots = new PlotPanel(m_tabs);
    m_editor = new ScenarioEditor(m_tabs);
    m_history = new HistoryPanel(m_tabs);
    m_tabs->addTab(m_plots, tr("Live"));
    m_tabs->addTab(m_editor, tr("Scenario"));
    m_tabs->addTab(m_history, tr("History"));
    layout->addWidget(m_messages);
    layout->addWidget(m_status);
    layout->addWidget(rule);
    layout->addWidget(m_tabs, 1);
    // The operator view (F11) takes the window's place of this, drawn from the same status panel.
    m_centralStack = new QStackedWidget(this);
    m_centralStack->addWidget(central);
    m_operator = new OperatorView(m_status, m_centralStack);
    m_centralStack->addWidget(m_operator);
    setCentralWidget(m_centralStack);

    m_bench = new BenchPanel(this);
    m_faults = new FaultPanel(this);
    m_resultsPanel = new ResultsPanel(m_results, this);
    m_eventLog = new EventLogPanel(m_events, this);
    m_traffic = new TrafficConsole(this);

    m_actions = new WindowActions(this);
    buildDocks();
    wireActions();

    m_dbLabel = new QLabel(this);
    m_stateLabel = new QLabel(tr("Idle"), this);
    statusBar()->addWidget(m_stateLabel);
    statusBar()->addPermanentWidget(m_dbLabel);

    m_feed = new RunFeed(m_controller,
                         {m_results, m_events, m_status, m_plots, m_bench, m_faults, m_traffic, m_messages,
                          m_resultsPanel->allResults(), m_eventLog->allEvents()},
                         this);
    connect(m_controller, &RunController::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_controller, &RunController::finished, this, &MainWindow::onFinished);
    connect(m_controller, &RunController::promptAsked, this,
            [this](const hil::PromptRequest &request, quint64 id) {
                auto *dialog = new PromptDialog(request, id, this);
                connect(dialog, &PromptDialog::answered, m_controller,
                        [this](quint64 answeredId, const std::optional<QString> &text) {
                            m_controller->answerPrompt(answeredId, text.has_value(),
                                                       text.value_or(QString()));
                        });
                connect(m_controller, &RunController::promptWithdrawn, dialog, [dialog](quint64 withdrawn) {
                    if (withdrawn == dialog->id()) {
                        dialog->blockSignals(true); // the run no longer waits: nothing to answer
                        dialog->close();
                    }
                });
                connect(m_controller, &RunController::finished, dialog, [dialog] {
                    dialog->blockSignals(true);
                    dialog->close();
                });
                dialog->show();
                dialog->raise();
                dialog->activateWindow();
            });
    connect(m_controller, &RunController::startFailed, this, [this](const QString &reason) {
        m_feed->stop();
        m_bench->endRun();
        m_faults->setRunning(false);
        m_status->showIdle(m_runScenario ? m_runScenario->name : QString(),
                           m_fixture ? m_fixture->name : QString());
        m_messages->post(MessageBar::Level::Error, tr("The run could not start: %1").arg(reason));
    });
    connect(m_controller, &RunController::faultInjected, this, [this](int id, const QString &text) {
        statusBar()->showMessage(tr("Manual fault #%1 started: %2").arg(id).arg(text), 5000);
    });
    connect(m_faults, &FaultPanel::injectRequested, m_controller, &RunController::injectFault);
    connect(m_faults, &FaultPanel::clearRequested, m_controller, &RunController::clearFaults);
    connect(m_bench, &BenchPanel::powerRequested, this, &MainWindow::requestPower);
    connect(m_bench, &BenchPanel::problem, this,
            [this](const QString &message) { m_messages->post(MessageBar::Level::Warning, message); });
    connect(m_history, &HistoryPanel::problem, this,
            [this](const QString &message) { m_messages->post(MessageBar::Level::Error, message); });
    connect(m_history, &HistoryPanel::exported, this, [this](const QString &path) {
        statusBar()->showMessage(tr("Exported %1").arg(QDir::toNativeSeparators(path)), 8000);
    });
    connect(m_editor, &ScenarioEditor::modificationChanged, this, &MainWindow::updateTitle);

    const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    setDatabasePath(QDir(dataDir).filePath(QStringLiteral("results.db")));
    restoreSettings();
    updateActions();
    updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::wireActions() {
    connect(m_actions, &WindowActions::fixtureChosen, this, &MainWindow::openFixture);
    connect(m_actions, &WindowActions::scenarioChosen, this, &MainWindow::openScenario);
    connect(m_actions, &WindowActions::databaseRequested, this, &MainWindow::chooseDatabase);
    connect(m_actions, &WindowActions::tabRequested, this, &MainWindow::showTab);
    connect(m_actions, &WindowActions::plotSpanRequested, m_plots, &PlotPanel::setSpan);
    connect(m_actions, &WindowActions::failuresOnlyToggled, m_resultsPanel, &ResultsPanel::setFailuresOnly);
    connect(m_actions->saveScenario(), &QAction::triggered, this, [this] {
        QString error;
        if (!m_editor->save(&error))
            m_messages->post(MessageBar::Level::Error, tr("Could not save: %1").arg(error));
    });
    connect(m_actions->validate(), &QAction::triggered, this, [this] {
        m_tabs->setCurrentWidget(m_editor);
        m_editor->validate(m_fixture ? &*m_fixture : nullptr);
    });
    connect(m_actions->start(), &QAction::triggered, this, &MainWindow::startRun);
    connect(m_actions->pause(), &QAction::triggered, this, &MainWindow::togglePause);
    connect(m_actions->stop(), &QAction::triggered, this, &MainWindow::stopRun);
    connect(m_actions->inject(), &QAction::triggered, this, [this] { m_faults->inject(); });
    connect(m_actions->clearFaults(), &QAction::triggered, this,
            [this] { m_controller->clearFaults(QStringLiteral("all")); });
}

QDockWidget *MainWindow::addDock(const QString &title, const QString &name, QWidget *widget,
                                 Qt::DockWidgetArea area, const QKeySequence &toggle) {
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(name);
    dock->setWidget(widget);
    dock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable
                      | QDockWidget::DockWidgetFloatable);
    addDockWidget(area, dock);
    QAction *a = dock->toggleViewAction();
    a->setShortcut(toggle);
    m_actions->viewMenu()->addAction(a);
    return dock;
}

void MainWindow::buildDocks() {
    QDockWidget *bench = addDock(tr("Bench"), QStringLiteral("benchDock"), m_bench, Qt::LeftDockWidgetArea,
                                 QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_B));
    QDockWidget *faults = addDock(tr("Faults"), QStringLiteral("faultDock"), m_faults, Qt::LeftDockWidgetArea,
                                  QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_F));
    QDockWidget *results = addDock(tr("Results"), QStringLiteral("resultsDock"), m_resultsPanel,
                                   Qt::BottomDockWidgetArea, QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_R));
    QDockWidget *events = addDock(tr("Events"), QStringLiteral("eventsDock"), m_eventLog,
                                  Qt::BottomDockWidgetArea, QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_E));
    QDockWidget *traffic = addDock(tr("Traffic"), QStringLiteral("trafficDock"), m_traffic,
                                   Qt::BottomDockWidgetArea, QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_T));
    splitDockWidget(bench, faults, Qt::Vertical);
    splitDockWidget(results, events, Qt::Horizontal);
    tabifyDockWidget(events, traffic);
    events->raise();
    m_docks = {bench, faults, results, events};
    m_actions->viewMenu()->addSeparator();
    m_operatorAction = m_actions->viewMenu()->addAction(tr("&Operator View"));
    m_operatorAction->setCheckable(true);
    m_operatorAction->setShortcut(QKeySequence(Qt::Key_F11));
    m_operatorAction->setToolTip(
        tr("The verdict, progress and counts, large enough to read across the bench"));
    connect(m_operatorAction, &QAction::toggled, this, &MainWindow::setOperatorView);
    QAction *reset = m_actions->viewMenu()->addAction(tr("&Reset Layout"));
    connect(reset, &QAction::triggered, this, [this] {
        restoreState(m_defaultLayout, kLayoutVersion);
        for (QDockWidget *d : std::as_const(m_docks))
            d->show();
        applyDefaultDockSizes();
    });
}

void MainWindow::setOperatorView(bool on) {
    if (on == (m_centralStack->currentWidget() == m_operator))
        return;
    if (on) {
        // The docks make way, and come back as they were.
        m_layoutBeforeOperator = saveState(kLayoutVersion);
        for (QDockWidget *d : findChildren<QDockWidget *>())
            d->hide();
        m_centralStack->setCurrentWidget(m_operator);
    } else {
        m_centralStack->setCurrentIndex(0);
        restoreState(m_layoutBeforeOperator, kLayoutVersion);
    }
    const QSignalBlocker block(m_operatorAction);
    m_operatorAction->setChecked(on);
}

bool MainWindow::operatorViewShown() const {
    return m_centralStack->currentWidget() == m_operator;
}

void MainWindow::applyDefaultDockSizes() {
    // In proportion to the font, so that the layout is the same on any screen density.
    const int em = fontMetrics().horizontalAdvance(u'M');
    const int line = fontMetrics().height();
    resizeDocks({m_docks[0]}, {em * 40}, Qt::Horizontal);
    resizeDocks({m_docks[0], m_docks[1]}, {line * 20, line * 24}, Qt::Vertical);
    resizeDocks({m_docks[2]}, {line * 15}, Qt::Vertical);
    resizeDocks({m_docks[2], m_docks[3]}, {em * 70, em * 50}, Qt::Horizontal);
}

void MainWindow::showEvent(QShowEvent *event) {
    QMainWindow::showEvent(event);
    if (m_defaultSizesPending) {
        m_defaultSizesPending = false;
        applyDefaultDockSizes();
    }
}

void MainWindow::restoreSettings() {
    m_defaultLayout = saveState(kLayoutVersion);
    QSettings s;
    if (!restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1440, 900);
    m_defaultSizesPending =
        !restoreState(s.value(QStringLiteral("window/state")).toByteArray(), kLayoutVersion);
    m_actions->recordTraffic()->setChecked(s.value(QStringLiteral("run/recordTraffic"), true).toBool());
    const QString db = s.value(QStringLiteral("run/database")).toString();
    if (!db.isEmpty())
        setDatabasePath(db);
    m_plots->setSpan(static_cast<PlotPanel::Span>(s.value(QStringLiteral("view/plotSpan"), 0).toInt()));
}

void MainWindow::saveSettings() {
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState(kLayoutVersion));
    s.setValue(QStringLiteral("run/recordTraffic"), m_actions->recordTraffic()->isChecked());
    s.setValue(QStringLiteral("run/database"), m_databasePath);
    s.setValue(QStringLiteral("view/plotSpan"), static_cast<int>(m_plots->span()));
}

bool MainWindow::openFixture(const QString &path) {
    if (m_controller->isActive()) {
        m_messages->post(MessageBar::Level::Warning, tr("A fixture can be opened between runs."));
        return false;
    }
    SourceErrors errors;
    std::optional<Fixture> fixture = loadFixture(path, &errors);
    if (!fixture) {
        m_messages->post(MessageBar::Level::Error,
                         tr("The fixture has problems:\n%1").arg(formatErrors(errors).trimmed()));
        return false;
    }
    m_fixture = std::move(fixture);
    m_bench->setFixture(*m_fixture);
    m_faults->setBench(*m_fixture, runDevices());
    m_traffic->setDevices(runDevices());
    m_actions->addRecentFixture(path);
    m_status->showIdle(m_runScenario ? m_runScenario->name : QFileInfo(m_editor->path()).completeBaseName(),
                       m_fixture->name);
    if (!m_editor->path().isEmpty())
        m_editor->validate(&*m_fixture);
    updateActions();
    updateTitle();
    return true;
}

bool MainWindow::openScenario(const QString &path) {
    QString error;
    if (!m_editor->openFile(path, &error)) {
        m_messages->post(MessageBar::Level::Error, tr("Could not open the scenario: %1").arg(error));
        return false;
    }
    m_actions->addRecentScenario(path);
    std::optional<Scenario> scenario = m_fixture ? m_editor->validate(&*m_fixture) : std::nullopt;
    const QString name = scenario ? scenario->name : QFileInfo(path).completeBaseName();
    if (!m_controller->isActive())
        m_status->showIdle(name, m_fixture ? m_fixture->name : QString());
    if (scenario && m_fixture && !m_controller->isActive()) {
        m_faults->setBench(m_bench->fixture(),
                           scenario->devices.isEmpty() ? runDevices() : scenario->devices);
        m_traffic->setDevices(scenario->devices.isEmpty() ? runDevices() : scenario->devices);
    }
    updateActions();
    updateTitle();
    return true;
}

const RunCounts &MainWindow::counts() const {
    return m_feed->counts();
}

QStringList MainWindow::runDevices() const {
    if (m_runScenario && !m_runScenario->devices.isEmpty())
        return m_runScenario->devices;
    QStringList names;
    if (m_fixture) {
        for (const DeviceConfig &d : m_fixture->devices)
            names << d.name;
    }
    return names;
}

void MainWindow::setDatabasePath(const QString &path) {
    m_databasePath = QFileInfo(path).absoluteFilePath();
    m_dbLabel->setText(tr("Database: %1").arg(QDir::toNativeSeparators(m_databasePath)));
    m_history->setDatabase(m_databasePath);
}

void MainWindow::chooseDatabase() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Results database"), m_databasePath,
                                                      tr("SQLite databases (*.db *.sqlite);;All files (*)"),
                                                      nullptr, QFileDialog::DontConfirmOverwrite);
    if (!path.isEmpty())
        setDatabasePath(path);
}

void MainWindow::setRecordExchanges(bool on) {
    m_actions->recordTraffic()->setChecked(on);
}

void MainWindow::setSeed(std::optional<quint64> seed) {
    m_actions->seedEdit()->setText(seed ? QString::number(*seed) : QString());
}

void MainWindow::showTab(int index) {
    m_tabs->setCurrentIndex(index);
}

bool MainWindow::startRun() {
    if (m_controller->isActive())
        return false;
    if (!m_fixture) {
        m_messages->post(MessageBar::Level::Warning, tr("Open a fixture first (Ctrl+Shift+O)."));
        return false;
    }
    if (m_editor->path().isEmpty()) {
        m_messages->post(MessageBar::Level::Warning, tr("Open a scenario first (Ctrl+O)."));
        return false;
    }
    if (m_editor->isModified()) {
        const auto answer = QMessageBox::question(this, tr("Unsaved scenario"),
                                                  tr("The scenario has unsaved changes. Save them and run?"),
                                                  QMessageBox::Save | QMessageBox::Cancel, QMessageBox::Save);
        QString error;
        if (answer != QMessageBox::Save)
            return false;
        if (!m_editor->save(&error)) {
            m_messages->post(MessageBar::Level::Error, tr("Could not save: %1").arg(error));
            return false;
        }
    }
    const Fixture fixture = m_bench->fixture();
    std::optional<Scenario> scenario = m_editor->validate(&fixture);
    if (!scenario) {
        m_tabs->setCurrentWidget(m_editor);
        m_messages->post(MessageBar::Level::Error,
                         tr("The scenario has %n problem(s); nothing was started.", nullptr,
                            static_cast<int>(std::max<qsizetype>(1, m_editor->errors().size()))));
        return false;
    }
    RunRequest request;
    request.fixture = fixture;
    request.scenario = *scenario;
    request.options.recordExchanges = m_actions->recordTraffic()->isChecked();
    const QString seedText = m_actions->seedEdit()->text().trimmed();
    if (!seedText.isEmpty()) {
        bool ok = false;
        const quint64 seed = seedText.toULongLong(&ok);
        if (!ok) {
            m_messages->post(MessageBar::Level::Error, tr("The seed must be a whole number ≥ 0."));
            return false;
        }
        request.options.seed = seed;
    }
    request.databasePath = m_databasePath;
    QDir().mkpath(QFileInfo(m_databasePath).absolutePath());

    m_runScenario = *scenario;
    m_lastVerdict.reset();
    m_feed->prepare(fixture, *scenario, runDevices(), request.options.recordExchanges);
    m_tabs->setCurrentWidget(m_plots);
    if (!m_controller->start(std::move(request)))
        return false;
    m_feed->start();
    updateTitle();
    return true;
}

void MainWindow::stopRun() {
    m_controller->stop(tr("stopped by the operator"));
}

void MainWindow::togglePause() {
    if (m_controller->state() == RunController::State::Running)
        m_controller->pause();
    else if (m_controller->state() == RunController::State::Paused)
        m_controller->resume();
}

void MainWindow::requestPower(const QString &device, bool on) {
    QString error;
    const std::optional<FaultEntry> fault =
        manualPowerFault(m_bench->fixture(), runDevices(), device,
                         on ? PowerFaultSpec::Action::On : PowerFaultSpec::Action::Off, QString(), &error);
    if (!fault) {
        m_messages->post(MessageBar::Level::Warning, error);
        return;
    }
    m_controller->injectFault(*fault);
}

void MainWindow::onStateChanged(RunController::State state) {
    switch (state) {
    case RunController::State::Idle:
        m_stateLabel->setText(tr("Idle"));
        break;
    case RunController::State::Running:
        m_stateLabel->setText(tr("Running"));
        m_status->setPaused(false);
        break;
    case RunController::State::Paused:
        m_stateLabel->setText(tr("Paused"));
        m_status->setPaused(true);
        break;
    case RunController::State::Stopping:
        m_stateLabel->setText(tr("Stopping…"));
        m_status->setStopping();
        break;
    }
    updateActions();
}

void MainWindow::onFinished(Verdict verdict, const QString &reason, qint64 runId) {
    m_feed->drain();
    m_feed->stop();
    m_lastVerdict = verdict;
    m_lastRunId = runId;
    m_status->finish(verdict, reason, m_feed->counts());
    m_bench->endRun();
    m_faults->setRunning(false);
    m_history->refresh();
    m_history->selectRuns({runId});
    statusBar()->showMessage(tr("Run %1 finished: %2").arg(runId).arg(verdictName(verdict)), 10000);
    updateActions();
    updateTitle();
    emit runFinished(verdict, runId);
    if (m_closeAfterRun)
        close();
}

void MainWindow::updateActions() {
    m_actions->update(m_controller->state(), m_fixture && !m_editor->path().isEmpty());
}

void MainWindow::updateTitle() {
    QString title = QStringLiteral("hil-bench");
    if (!m_editor->path().isEmpty())
        title = QFileInfo(m_editor->path()).fileName()
                + (m_editor->isModified() ? QStringLiteral("*") : QString()) + QStringLiteral(" — ") + title;
    if (m_fixture)
        title += QStringLiteral(" — ") + m_fixture->name;
    setWindowTitle(title);
}

void MainWindow::closeEvent(QCloseEvent *event) {
    if (m_controller->isActive()) {
        if (!m_closeAfterRun) {
            const bool stop =
                m_confirmClose ? m_confirmClose()
                               : QMessageBox::question(this, tr("Run in progress"),
                                                       tr("A run is in progress. Stop it (ABORT) and close?"),
                                                       QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
                                     == QMessageBox::Yes;
            if (!stop) {
                event->ignore();
                return;
            }
            m_closeAfterRun = true;
            m_controller->stop(tr("the window was closed"));
        }
        // Closes once the run has stopped cleanly (onFinished).
        event->ignore();
        return;
    }
    if (m_editor->isModified()) {
        const auto answer = QMessageBox::question(
            this, tr("Unsaved scenario"), tr("Save the changes to the scenario?"),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        QString error;
        if (answer == QMessageBox::Cancel || (answer == QMessageBox::Save && !m_editor->save(&error))) {
            if (!error.isEmpty())
                m_messages->post(MessageBar::Level::Error, tr("Could not save: %1").arg(error));
            event->ignore();
            return;
        }
    }
    saveSettings();
    event->accept();
}

} // namespace hil::gui
