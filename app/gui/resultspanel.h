#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QTableView;

namespace hil::gui {

class ColumnFilterProxy;
class ResultModel;

// The step results table: newest at the bottom, followed while the view is scrolled to the end, and a
// filter to the results that did not pass (FAIL, ERROR, ABORT).
class ResultsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPanel(ResultModel *model, QWidget *parent = nullptr);

    void setFailuresOnly(bool on);
    bool failuresOnly() const;
    QTableView *view() const { return m_view; }
    ColumnFilterProxy *proxy() const { return m_proxy; }

private:
    void updateCount();

    ResultModel *m_model;
    ColumnFilterProxy *m_proxy;
    QCheckBox *m_failuresOnly;
    QLabel *m_count;
    QTableView *m_view;
};

} // namespace hil::gui
