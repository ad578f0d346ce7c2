#pragma once

#include <QWidget>

class QComboBox;
class QTableView;

namespace hil::gui {

class ColumnFilterProxy;
class EventModel;

// The event log, filtered by device and by kind (each "all" or one value).
class EventLogPanel : public QWidget {
    Q_OBJECT
public:
    explicit EventLogPanel(EventModel *model, QWidget *parent = nullptr);

    // Empty: all.
    void setDeviceFilter(const QString &device);
    void setKindFilter(const QString &kind);
    QTableView *view() const { return m_view; }
    ColumnFilterProxy *proxy() const { return m_proxy; }

private:
    void refillCombos();
    void applyFilters();

    EventModel *m_model;
    ColumnFilterProxy *m_proxy;
    QComboBox *m_device;
    QComboBox *m_kind;
    QTableView *m_view;
};

} // namespace hil::gui
