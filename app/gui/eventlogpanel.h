#pragma once

#include <QWidget>

class QComboBox;
class QTableView;

namespace hil::gui {

class ColumnFilterProxy;
class EventModel;
class RunEventsModel;

// The event log: every event of the run (RunEventsModel: the older ones read back from its database), or,
// filtered by device or kind, the events the window holds (a filter over the whole run would read every
// page of it).
class EventLogPanel : public QWidget {
    Q_OBJECT
public:
    explicit EventLogPanel(EventModel *model, QWidget *parent = nullptr);

    // Empty: all.
    void setDeviceFilter(const QString &device);
    void setKindFilter(const QString &kind);
    QTableView *view() const { return m_view; }
    ColumnFilterProxy *proxy() const { return m_proxy; }
    RunEventsModel *allEvents() const { return m_all; }

private:
    void refillCombos();
    void applyFilters();

    EventModel *m_model;
    RunEventsModel *m_all;
    ColumnFilterProxy *m_proxy;
    QComboBox *m_device;
    QComboBox *m_kind;
    QTableView *m_view;
};

} // namespace hil::gui
