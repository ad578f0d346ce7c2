#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QTableView;

namespace hil::gui {

class ColumnFilterProxy;
class ResultModel;
class RunResultsModel;

// The step results table: newest at the bottom, followed while the view is scrolled to the end, and a
// filter to the results that did not pass (FAIL, ERROR, ABORT). It shows every result of the run
// (RunResultsModel: the rows older than the window read from the database in pages); the filter works on
// the window of recent rows the app holds (ResultModel::kMaxRows), never on the whole file.
class ResultsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPanel(ResultModel *model, QWidget *parent = nullptr);

    void setFailuresOnly(bool on);
    bool failuresOnly() const;
    QTableView *view() const { return m_view; }
    ColumnFilterProxy *proxy() const { return m_proxy; }
    RunResultsModel *allResults() const { return m_all; }

private:
    void updateCount();

    void followTail();

    ResultModel *m_model;
    RunResultsModel *m_all;
    bool m_atEnd = true;
    ColumnFilterProxy *m_proxy;
    QCheckBox *m_failuresOnly;
    QLabel *m_count;
    QTableView *m_view;
};

} // namespace hil::gui
