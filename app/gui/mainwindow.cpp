#include "mainwindow.h"

#include "appstyle.h"
#include "benchpanel.h"
#include "core/base/clock.h"
#include "core/base/printable.h"
#include "core/config/fixtureloader.h"
#include "eventlogpanel.h"
#include "eventmodel.h"
#include "faultpanel.h"
#include "historypanel.h"
#include "manualfault.h"
#include "messagebar.h"
#include "plotpanel.h"
#include "resultmodel.h"
#include "resultspanel.h"
#include "runstatuspanel.h"
#include "scenarioeditor.h"
#include "trafficconsole.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QShowEvent>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <cmath>

namespace hil::gui {

namespace {

constexpr int kLayoutVersion = 1;
constexpr int kMaxRecent = 8;
const QString kRecentFixtures = QStringLiteral("recent/fixtures");
const QString kRecentScenarios = QStringLiteral("recent/scenarios");

qint64 plannedIterations(const Scenario &s) {
    if (s.repeat.count)
        return *s.repeat.count;
    if (s.repeat.forDuration && s.repeat.every && s.repeat.every->count() > 0)
        return (s.repeat.forDuration->count() + s.repeat.every->count() - 1) / s.repeat.every->count();
    if (!s.repeat.forDuration)
        return 1;
    return -1;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_controller(new RunController(this))
    , m_results(new ResultModel(this))
    , m_events(new EventModel(this))
    , m_drainTimer(new QTimer(this)) {
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
    setCentralWidget(central);

    m_bench = new BenchPanel(this);
    m_faults = new FaultPanel(this);
    m_resultsPanel = new ResultsPanel(m_results, this);
    m_eventLog = new EventLogPanel(m_events, this);
    m_traffic = new TrafficConsole(this);

    buildActions();
    buildMenus();
    buildDocks();

    m_dbLabel = new QLabel(this);
    m_stateLabel = new QLabel(tr("Idle"), this);
    statusBar()->addWidget(m_stateLabel);
    statusBar()->addPermanentWidget(m_dbLabel);

    m_drainTimer->setInterval(kDrainIntervalMs);
    connect(m_drainTimer, &QTimer::timeout, this, &MainWindow::drain);
    connect(m_controller, &RunController::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_controller, &RunController::finished, this, &MainWindow::onFinished);
    // The run's id (from the recorder) and its seed (from the first batch) come by different ways.
    connect(m_controller, &RunController::started, this, [this](qint64 runId) {
        if (m_startMonoNs > 0)
            m_status->setRunId(runId, m_runSeed);
    });
    connect(m_controller, &RunController::startFailed, this, [this](const QString &reason) {
        m_drainTimer->stop();
        m_bench->endRun();
        m_faults->setRunning(false);
        m_status->showIdle(m_runScenario ? m_runScenario->name : QString(),
                           m_fixture ? m_fixture->name : QString());
        m_messages->post(MessageBar::Level::Error, tr("The run could not start: %1").arg(reason));
    });
    connect(m_controller, &RunController::problem, this,
            [this](const QString &message) { m_messages->post(MessageBar::Level::Error, message); });
    connect(m_controller, &RunController::faultRejected, this,
            [this](const QString &text, const QString &reason) {
                m_messages->post(MessageBar::Level::Warning,
                                 tr("Fault not injected (%1): %2").arg(text, reason));
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

void MainWindow::buildActions() {
    const auto make = [this](const QString &text, const QKeySequence &key, QStyle::StandardPixmap icon,
                             const QString &tip) {
        auto *a = new QAction(text, this);
        if (!key.isEmpty())
            a->setShortcut(key);
        if (icon != QStyle::SP_CustomBase)
            a->setIcon(style()->standardIcon(icon));
        a->setToolTip(
            key.isEmpty() ? tip : QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
        a->setStatusTip(tip);
        return a;
    };
    m_openFixture = make(tr("Open &Fixture…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                         QStyle::SP_DirHomeIcon, tr("Open a bench definition"));
    m_openScenario =
        make(tr("&Open Scenario…"), QKeySequence::Open, QStyle::SP_DialogOpenButton, tr("Open a scenario"));
    m_saveScenario =
        make(tr("&Save Scenario"), QKeySequence::Save, QStyle::SP_DialogSaveButton, tr("Save the scenario"));
    m_validate = make(tr("&Validate"), QKeySequence(Qt::Key_F7), QStyle::SP_DialogApplyButton,
                      tr("Check the scenario against the fixture"));
    m_start = make(tr("&Start"), QKeySequence(Qt::Key_F5), QStyle::SP_MediaPlay, tr("Start the run"));
    m_start->setObjectName(QStringLiteral("actionStart"));
    m_pause =
        make(tr("&Pause"), QKeySequence(Qt::Key_F6), QStyle::SP_MediaPause, tr("Pause or resume the run"));
    m_pause->setCheckable(true);
    m_stop = make(tr("S&top"), QKeySequence(Qt::SHIFT | Qt::Key_F5), QStyle::SP_MediaStop,
                  tr("Stop the run (ABORT)"));
    m_recordTraffic = make(tr("&Record Traffic"), QKeySequence(), QStyle::SP_CustomBase,
                           tr("Record every line to and from the devices (traffic console, database)"));
    m_recordTraffic->setCheckable(true);
    m_recordTraffic->setChecked(true);
    m_inject = make(tr("&Inject Fault"), QKeySequence(Qt::CTRL | Qt::Key_I), QStyle::SP_CustomBase,
                    tr("Inject the fault in the Faults panel"));
    m_clearFaults = make(tr("&Clear All Faults"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I),
                         QStyle::SP_CustomBase, tr("End every active fault"));

    connect(m_openFixture, &QAction::triggered, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open fixture"), QString(), tr("YAML (*.yaml *.yml)"));
        if (!path.isEmpty())
            openFixture(path);
    });
    connect(m_openScenario, &QAction::triggered, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open scenario"), QString(), tr("YAML (*.yaml *.yml)"));
        if (!path.isEmpty())
            openScenario(path);
    });
    connect(m_saveScenario, &QAction::triggered, this, [this] {
        QString error;
        if (!m_editor->save(&error))
            m_messages->post(MessageBar::Level::Error, tr("Could not save: %1").arg(error));
    });
    connect(m_validate, &QAction::triggered, this, [this] {
        m_tabs->setCurrentWidget(m_editor);
        m_editor->validate(m_fixture ? &*m_fixture : nullptr);
    });
    connect(m_start, &QAction::triggered, this, &MainWindow::startRun);
    connect(m_pause, &QAction::triggered, this, &MainWindow::togglePause);
    connect(m_stop, &QAction::triggered, this, &MainWindow::stopRun);
    connect(m_inject, &QAction::triggered, this, [this] { m_faults->inject(); });
    connect(m_clearFaults, &QAction::triggered, this,
            [this] { m_controller->clearFaults(QStringLiteral("all")); });

    auto *tools = addToolBar(tr("Run"));
    tools->setObjectName(QStringLiteral("runToolBar"));
    tools->setMovable(false);
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->addAction(m_openFixture);
    tools->addAction(m_openScenario);
    tools->addAction(m_validate);
    tools->addSeparator();
    tools->addAction(m_start);
    tools->addAction(m_pause);
    tools->addAction(m_stop);
    tools->addSeparator();
    tools->addAction(m_recordTraffic);
    auto *seedLabel = new QLabel(tr("  Seed "), tools);
    m_seedEdit = new QLineEdit(tools);
    m_seedEdit->setObjectName(QStringLiteral("seed"));
    m_seedEdit->setPlaceholderText(tr("scenario's"));
    m_seedEdit->setToolTip(
        tr("Seed of the run (overrides the scenario's; empty: the scenario's, or random)"));
    m_seedEdit->setMaximumWidth(fontMetrics().horizontalAdvance(QStringLiteral("18446744073709551615")));
    tools->addWidget(seedLabel);
    tools->addWidget(m_seedEdit);
}

void MainWindow::buildMenus() {
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openFixture);
    m_recentFixtures = file->addMenu(tr("Recent Fi&xtures"));
    file->addAction(m_openScenario);
    m_recentScenarios = file->addMenu(tr("Recent Sc&enarios"));
    file->addAction(m_saveScenario);
    file->addSeparator();
    QAction *db = file->addAction(tr("Results &Database…"));
    connect(db, &QAction::triggered, this, &MainWindow::chooseDatabase);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    connect(m_recentFixtures, &QMenu::aboutToShow, this,
            [this] { fillRecentMenu(m_recentFixtures, kRecentFixtures, true); });
    connect(m_recentScenarios, &QMenu::aboutToShow, this,
            [this] { fillRecentMenu(m_recentScenarios, kRecentScenarios, false); });

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(m_validate);
    run->addSeparator();
    run->addAction(m_start);
    run->addAction(m_pause);
    run->addAction(m_stop);
    run->addSeparator();
    run->addAction(m_recordTraffic);
    run->addSeparator();
    run->addAction(m_inject);
    run->addAction(m_clearFaults);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    const QStringList tabs{tr("&Live"), tr("&Scenario"), tr("&History")};
    for (int i = 0; i < tabs.size(); ++i) {
        QAction *a = m_viewMenu->addAction(tabs[i]);
        a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { showTab(i); });
    }
    m_viewMenu->addSeparator();
    const QStringList spans{tr("Plot the Last &Minute"), tr("Plot the Last &10 Minutes"),
                            tr("Plot the &Whole Run")};
    for (int i = 0; i < spans.size(); ++i) {
        QAction *a = m_viewMenu->addAction(spans[i]);
        a->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this,
                [this, i] { m_plots->setSpan(static_cast<PlotPanel::Span>(i)); });
    }
    QAction *failures = m_viewMenu->addAction(tr("&Failures Only"));
    failures->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    failures->setCheckable(true);
    connect(failures, &QAction::toggled, m_resultsPanel, &ResultsPanel::setFailuresOnly);
    m_viewMenu->addSeparator();

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *keys = help->addAction(tr("&Keyboard Shortcuts"));
    keys->setShortcut(QKeySequence::HelpContents);
    connect(keys, &QAction::triggered, this, &MainWindow::showShortcuts);
    QAction *about = help->addAction(tr("&About hil-bench"));
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(
            this, tr("About hil-bench"),
            tr("<b>hil-bench %1</b><p>The desktop app of the hil hardware-in-the-loop harness: "
               "benches, scenarios, live runs, faults by hand, and the history of every run "
               "recorded in the results database.</p>")
                .arg(QCoreApplication::applicationVersion()));
    });
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
    m_viewMenu->addAction(a);
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
    m_viewMenu->addSeparator();
    QAction *reset = m_viewMenu->addAction(tr("&Reset Layout"));
    connect(reset, &QAction::triggered, this, [this] {
        restoreState(m_defaultLayout, kLayoutVersion);
        for (QDockWidget *d : std::as_const(m_docks))
            d->show();
        applyDefaultDockSizes();
    });
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
    m_recordTraffic->setChecked(s.value(QStringLiteral("run/recordTraffic"), true).toBool());
    const QString db = s.value(QStringLiteral("run/database")).toString();
    if (!db.isEmpty())
        setDatabasePath(db);
    m_plots->setSpan(static_cast<PlotPanel::Span>(s.value(QStringLiteral("view/plotSpan"), 0).toInt()));
}

void MainWindow::saveSettings() {
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState(kLayoutVersion));
    s.setValue(QStringLiteral("run/recordTraffic"), m_recordTraffic->isChecked());
    s.setValue(QStringLiteral("run/database"), m_databasePath);
    s.setValue(QStringLiteral("view/plotSpan"), static_cast<int>(m_plots->span()));
}

void MainWindow::addRecent(const QString &key, const QString &path) {
    QSettings s;
    QStringList list = s.value(key).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxRecent)
        list.removeLast();
    s.setValue(key, list);
}

void MainWindow::fillRecentMenu(QMenu *menu, const QString &key, bool fixture) {
    menu->clear();
    const QStringList list = QSettings().value(key).toStringList();
    for (int i = 0; i < list.size(); ++i) {
        const QString path = list[i];
        QAction *a =
            menu->addAction(QStringLiteral("&%1  %2").arg(i + 1).arg(QDir::toNativeSeparators(path)));
        a->setEnabled(QFileInfo::exists(path));
        connect(a, &QAction::triggered, this, [this, path, fixture] {
            if (fixture)
                openFixture(path);
            else
                openScenario(path);
        });
    }
    if (list.isEmpty())
        menu->addAction(tr("(none)"))->setEnabled(false);
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
    addRecent(kRecentFixtures, path);
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
    addRecent(kRecentScenarios, path);
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
    m_recordTraffic->setChecked(on);
}

void MainWindow::setSeed(std::optional<quint64> seed) {
    m_seedEdit->setText(seed ? QString::number(*seed) : QString());
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
    request.options.recordExchanges = m_recordTraffic->isChecked();
    const QString seedText = m_seedEdit->text().trimmed();
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
    const QStringList devices = runDevices();
    m_counts = RunCounts{};
    m_iterations = 0;
    m_startMonoNs = 0;
    m_loopStartRunNs = -1;
    m_plannedNs = -1;
    m_plannedIterations = plannedIterations(*scenario);
    m_lastVerdict.reset();
    m_results->clear();
    m_events->clear();
    m_messages->dismiss();
    m_plots->beginRun(*scenario);
    m_bench->beginRun(devices);
    m_faults->setBench(fixture, devices);
    m_faults->setRunning(true);
    m_traffic->setDevices(devices);
    m_traffic->setRecording(request.options.recordExchanges);
    m_traffic->clear();
    m_status->beginRun(scenario->name, fixture.name, m_plannedIterations);
    m_tabs->setCurrentWidget(m_plots);
    if (!m_controller->start(std::move(request)))
        return false;
    m_drainTimer->start();
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

void MainWindow::drain() {
    const LiveBatch b = m_controller->drain();
    if (b.started) {
        m_startMonoNs = b.startMonoNs;
        m_runSeed = b.started->seed;
        if (m_controller->runId() > 0)
            m_status->setRunId(m_controller->runId(), m_runSeed);
        m_bench->applyRunInfo(*b.started);
    }
    if (b.infoChanged)
        m_bench->applyRunInfo(*b.infoChanged);
    if (!b.results.isEmpty()) {
        m_results->append(b.results);
        m_plots->addResults(b.results);
        for (const StepResult &r : b.results)
            m_counts.add(r);
        m_status->setLastStep(b.results.last());
    }
    if (!b.events.isEmpty()) {
        m_events->append(b.events);
        m_bench->applyEvents(b.events);
        for (const Event &e : b.events) {
            if (e.kind == u"error")
                m_messages->post(MessageBar::Level::Warning,
                                 e.device.isEmpty() ? printableText(e.detail)
                                                    : tr("%1: %2").arg(e.device, printableText(e.detail)));
        }
    }
    if (!b.faults.isEmpty()) {
        m_plots->applyFaults(b.faults);
        m_bench->applyFaults(b.faults);
        m_faults->applyFaults(b.faults);
    }
    if (!b.exchanges.isEmpty() || b.exchangesDropped > 0)
        m_traffic->append(b.exchanges, b.exchangesDropped);
    if (b.resultsDropped > 0)
        m_messages->post(
            MessageBar::Level::Info,
            tr("%1 results were not shown live (the window fell behind); the database has them all.")
                .arg(b.resultsDropped));
    const qint64 nowRunNs = m_startMonoNs > 0 ? monotonicNs() - m_startMonoNs : 0;
    if (b.progress) {
        m_iterations = b.progress->iterationsDone;
        m_plannedNs = b.progress->plannedNs;
        m_loopStartRunNs = nowRunNs - b.progress->loopElapsedNs;
    }
    qint64 elapsedNs = nowRunNs;
    if (b.summary)
        elapsedNs = b.summary->durationNs;
    qint64 remaining = -1;
    double progress = 0;
    if (m_plannedIterations > 0 && m_runScenario && m_runScenario->repeat.count)
        progress = static_cast<double>(m_iterations) / static_cast<double>(m_plannedIterations);
    if (m_plannedNs > 0 && m_loopStartRunNs >= 0) {
        const qint64 inLoop = nowRunNs - m_loopStartRunNs;
        remaining = std::max<qint64>(0, m_plannedNs - inLoop);
        if (!m_runScenario || !m_runScenario->repeat.count)
            progress = static_cast<double>(inLoop) / static_cast<double>(m_plannedNs);
    }
    if (m_startMonoNs > 0) {
        m_status->update(m_counts, elapsedNs, m_iterations, remaining, progress);
        m_plots->refresh(static_cast<double>(elapsedNs) / 1e9);
    }
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
    drain();
    m_drainTimer->stop();
    m_lastVerdict = verdict;
    m_lastRunId = runId;
    m_status->finish(verdict, reason, m_counts);
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
    const RunController::State s = m_controller->state();
    const bool idle = s == RunController::State::Idle;
    const bool live = s == RunController::State::Running || s == RunController::State::Paused;
    m_start->setEnabled(idle && m_fixture && !m_editor->path().isEmpty());
    m_pause->setEnabled(live);
    m_pause->setChecked(s == RunController::State::Paused);
    m_pause->setText(s == RunController::State::Paused ? tr("&Resume") : tr("&Pause"));
    m_stop->setEnabled(live);
    m_inject->setEnabled(live);
    m_clearFaults->setEnabled(live);
    m_openFixture->setEnabled(idle);
    m_recordTraffic->setEnabled(idle);
    m_seedEdit->setEnabled(idle);
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

void MainWindow::showShortcuts() {
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Keyboard shortcuts"));
    auto *layout = new QVBoxLayout(dialog);
    auto *table = new QTableWidget(dialog);
    table->setColumnCount(2);
    table->setHorizontalHeaderLabels({tr("Action"), tr("Shortcut")});
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    const QList<QAction *> actions = findChildren<QAction *>();
    for (const QAction *a : actions) {
        if (a->shortcut().isEmpty())
            continue;
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(a->text().remove(u'&')));
        table->setItem(row, 1, new QTableWidgetItem(a->shortcut().toString(QKeySequence::NativeText)));
    }
    table->sortItems(0);
    table->resizeColumnsToContents();
    layout->addWidget(table);
    dialog->resize(table->horizontalHeader()->length() + 60, 480);
    dialog->show();
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
