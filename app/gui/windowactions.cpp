#include "windowactions.h"

#include <QAction>
#include <QCoreApplication>
#include <QDialog>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStyle>
#include <QTableWidget>
#include <QToolBar>
#include <QVBoxLayout>

namespace hil::gui {

namespace {

constexpr int kMaxRecent = 8;
const QString kRecentFixtures = QStringLiteral("recent/fixtures");
const QString kRecentScenarios = QStringLiteral("recent/scenarios");

void addRecent(const QString &key, const QString &path) {
    QSettings s;
    QStringList list = s.value(key).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > kMaxRecent)
        list.removeLast();
    s.setValue(key, list);
}

} // namespace

WindowActions::WindowActions(QMainWindow *window)
    : QObject(window)
    , m_window(window) {
    buildActions();
    buildToolBar();
    buildMenus();
}

void WindowActions::buildActions() {
    const auto make = [this](const QString &text, const QKeySequence &key, QStyle::StandardPixmap icon,
                             const QString &tip) {
        auto *a = new QAction(text, m_window);
        if (!key.isEmpty())
            a->setShortcut(key);
        if (icon != QStyle::SP_CustomBase)
            a->setIcon(m_window->style()->standardIcon(icon));
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
            QFileDialog::getOpenFileName(m_window, tr("Open fixture"), QString(), tr("YAML (*.yaml *.yml)"));
        if (!path.isEmpty())
            emit fixtureChosen(path);
    });
    connect(m_openScenario, &QAction::triggered, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(m_window, tr("Open scenario"), QString(), tr("YAML (*.yaml *.yml)"));
        if (!path.isEmpty())
            emit scenarioChosen(path);
    });
}

void WindowActions::buildToolBar() {
    auto *tools = m_window->addToolBar(tr("Run"));
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
    m_seedEdit->setMaximumWidth(
        m_window->fontMetrics().horizontalAdvance(QStringLiteral("18446744073709551615")));
    tools->addWidget(seedLabel);
    tools->addWidget(m_seedEdit);
}

void WindowActions::buildMenus() {
    QMenuBar *bar = m_window->menuBar();
    QMenu *file = bar->addMenu(tr("&File"));
    file->addAction(m_openFixture);
    m_recentFixtures = file->addMenu(tr("Recent Fi&xtures"));
    file->addAction(m_openScenario);
    m_recentScenarios = file->addMenu(tr("Recent Sc&enarios"));
    file->addAction(m_saveScenario);
    file->addSeparator();
    QAction *db = file->addAction(tr("Results &Database…"));
    connect(db, &QAction::triggered, this, &WindowActions::databaseRequested);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, m_window, &QWidget::close);
    connect(m_recentFixtures, &QMenu::aboutToShow, this,
            [this] { fillRecentMenu(m_recentFixtures, kRecentFixtures, true); });
    connect(m_recentScenarios, &QMenu::aboutToShow, this,
            [this] { fillRecentMenu(m_recentScenarios, kRecentScenarios, false); });

    QMenu *run = bar->addMenu(tr("&Run"));
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

    m_viewMenu = bar->addMenu(tr("&View"));
    const QStringList tabs{tr("&Live"), tr("&Scenario"), tr("&History")};
    for (int i = 0; i < tabs.size(); ++i) {
        QAction *a = m_viewMenu->addAction(tabs[i]);
        a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { emit tabRequested(i); });
    }
    m_viewMenu->addSeparator();
    const QStringList spans{tr("Plot the Last &Minute"), tr("Plot the Last &10 Minutes"),
                            tr("Plot the &Whole Run")};
    for (int i = 0; i < spans.size(); ++i) {
        QAction *a = m_viewMenu->addAction(spans[i]);
        a->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this,
                [this, i] { emit plotSpanRequested(static_cast<PlotPanel::Span>(i)); });
    }
    QAction *failures = m_viewMenu->addAction(tr("&Failures Only"));
    failures->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    failures->setCheckable(true);
    connect(failures, &QAction::toggled, this, &WindowActions::failuresOnlyToggled);
    m_viewMenu->addSeparator();

    QMenu *help = bar->addMenu(tr("&Help"));
    QAction *keys = help->addAction(tr("&Keyboard Shortcuts"));
    keys->setShortcut(QKeySequence::HelpContents);
    connect(keys, &QAction::triggered, this, &WindowActions::showShortcuts);
    QAction *about = help->addAction(tr("&About hil-bench"));
    connect(about, &QAction::triggered, this, [this] {
        QMessageBox::about(
            m_window, tr("About hil-bench"),
            tr("<b>hil-bench %1</b><p>The desktop app of the hil hardware-in-the-loop harness: "
               "benches, scenarios, live runs, faults by hand, and the history of every run "
               "recorded in the results database.</p>")
                .arg(QCoreApplication::applicationVersion()));
    });
}

void WindowActions::addRecentFixture(const QString &path) {
    addRecent(kRecentFixtures, path);
}

void WindowActions::addRecentScenario(const QString &path) {
    addRecent(kRecentScenarios, path);
}

void WindowActions::fillRecentMenu(QMenu *menu, const QString &key, bool fixture) {
    menu->clear();
    const QStringList list = QSettings().value(key).toStringList();
    for (int i = 0; i < list.size(); ++i) {
        const QString path = list[i];
        QAction *a =
            menu->addAction(QStringLiteral("&%1  %2").arg(i + 1).arg(QDir::toNativeSeparators(path)));
        a->setEnabled(QFileInfo::exists(path));
        connect(a, &QAction::triggered, this, [this, path, fixture] {
            if (fixture)
                emit fixtureChosen(path);
            else
                emit scenarioChosen(path);
        });
    }
    if (list.isEmpty())
        menu->addAction(tr("(none)"))->setEnabled(false);
}

void WindowActions::update(RunController::State state, bool canStart) {
    const bool idle = state == RunController::State::Idle;
    const bool live = state == RunController::State::Running || state == RunController::State::Paused;
    m_start->setEnabled(idle && canStart);
    m_pause->setEnabled(live);
    m_pause->setChecked(state == RunController::State::Paused);
    m_pause->setText(state == RunController::State::Paused ? tr("&Resume") : tr("&Pause"));
    m_stop->setEnabled(live);
    m_inject->setEnabled(live);
    m_clearFaults->setEnabled(live);
    m_openFixture->setEnabled(idle);
    m_recordTraffic->setEnabled(idle);
    m_seedEdit->setEnabled(idle);
}

void WindowActions::showShortcuts() {
    auto *dialog = new QDialog(m_window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Keyboard shortcuts"));
    auto *layout = new QVBoxLayout(dialog);
    auto *table = new QTableWidget(dialog);
    table->setColumnCount(2);
    table->setHorizontalHeaderLabels({tr("Action"), tr("Shortcut")});
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    const QList<QAction *> actions = m_window->findChildren<QAction *>();
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

} // namespace hil::gui
