#pragma once

#include "resultpager.h"

#include <QAbstractTableModel>

namespace hil::gui {

class ResultModel;

// Every step result of a run, as one table: the rows the window (ResultModel) no longer holds, read back
// from the run's database in pages (ResultPager), followed by the window's rows. The row count is the
// run's whole length and only grows; when the window drops its oldest rows they do not leave the table,
// they are read from the file instead. Without a database it is the window alone.
//
// For a finished run (showStoredRun) it is the database alone: rowCount() is the run's COUNT(*) and every
// row comes in pages. GUI thread only.
class RunResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit RunResultsModel(ResultModel *window, QObject *parent = nullptr);

    // The live run: the rows before the window come from run runId of the database at path (once the
    // recorder has given the run its id). False with *error; the table is then the window alone.
    bool attachDatabase(const QString &path, qint64 runId, QString *error);
    // A recorded run, every row from the file; the window is not shown. False with *error.
    bool showStoredRun(const QString &path, qint64 runId, QString *error);
    void detach();

    // Rows before the window's, from the database.
    qint64 olderRows() const;
    ResultPager &pager() { return m_pager; }
    const ResultPager &pager() const { return m_pager; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    ResultModel *m_window;
    mutable ResultPager m_pager;    // reads (and caches) on data(), which is const
    std::optional<qint64> m_stored; // showStoredRun: the run's rows, the window unused
};

} // namespace hil::gui
