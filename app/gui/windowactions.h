#pragma once

#include "plotpanel.h"
#include "runcontroller.h"

#include <QObject>

class QAction;
class QLineEdit;
class QMainWindow;
class QMenu;

namespace hil::gui {

// The main window's commands: its actions with their shortcuts, the run tool bar (with the seed field),
// the menus and the recent files. The actions, tool bar and menus are the window's children, so that
// their shortcuts act anywhere in it and the shortcuts list finds them; this object only builds them,
// keeps them enabled as the run allows, and turns a choice (a file dialog, a recent file, a view) into
// a signal. What an action does with the run or the panels is the window's to wire.
class WindowActions : public QObject {
    Q_OBJECT
public:
    explicit WindowActions(QMainWindow *window);

    QAction *openFixture() const { return m_openFixture; }
    QAction *openScenario() const { return m_openScenario; }
    QAction *saveScenario() const { return m_saveScenario; }
    QAction *validate() const { return m_validate; }
    QAction *start() const { return m_start; }
    QAction *pause() const { return m_pause; }
    QAction *stop() const { return m_stop; }
    QAction *recordTraffic() const { return m_recordTraffic; }
    QAction *inject() const { return m_inject; }
    QAction *clearFaults() const { return m_clearFaults; }
    QLineEdit *seedEdit() const { return m_seedEdit; }
    // The View menu; the window appends its docks' toggles to it.
    QMenu *viewMenu() const { return m_viewMenu; }

    // Puts `path` first in its recent list (kept in QSettings, at most eight).
    void addRecentFixture(const QString &path);
    void addRecentScenario(const QString &path);
    // Enables what the run's state allows; `canStart` says whether a fixture and a scenario are open.
    void update(RunController::State state, bool canStart);

signals:
    void fixtureChosen(const QString &path);
    void scenarioChosen(const QString &path);
    void databaseRequested();
    void tabRequested(int index);
    void plotSpanRequested(hil::gui::PlotPanel::Span span);
    void failuresOnlyToggled(bool on);

private:
    void buildActions();
    void buildToolBar();
    void buildMenus();
    void fillRecentMenu(QMenu *menu, const QString &key, bool fixture);
    void showShortcuts();

    QMainWindow *m_window;
    QAction *m_openFixture = nullptr;
    QAction *m_openScenario = nullptr;
    QAction *m_saveScenario = nullptr;
    QAction *m_validate = nullptr;
    QAction *m_start = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_recordTraffic = nullptr;
    QAction *m_inject = nullptr;
    QAction *m_clearFaults = nullptr;
    QLineEdit *m_seedEdit = nullptr;
    QMenu *m_recentFixtures = nullptr;
    QMenu *m_recentScenarios = nullptr;
    QMenu *m_viewMenu = nullptr;
};

} // namespace hil::gui
