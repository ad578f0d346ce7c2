#pragma once

#include "resultmodel.h"
#include "resultpager.h"

#include <QAbstractTableModel>

namespace hil::gui {

// Every step result of a run, as one table: the rows the window (ResultModel) no longer holds, read back
// from the run's database in pages (ResultPager), followed by the window's rows. The row count is the
// run's whole length and only grows; when the window drops its oldest rows they do not leave the table,
// they are read from the file instead. Without a database it is the window alone.
//
// For a finished run (showStoredRun) it is the database alone: rowCount() is the run's COUNT(*) and every
// row comes in pages.
//
// At most kMaxRows rows are exposed, the run's newest: a QTableView keeps 8 bytes per row in its vertical
// header, in a list that grows by doubling (16.8 MB for a million rows at its peak, by heaptrack), so beyond
// it the oldest tenth leaves the table at once (as the window does; the reports and `hil export` have every
// row). GUI thread only.
class RunResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr qint64 kMaxRows = 500'000;

    explicit RunResultsModel(ResultModel *window, QObject *parent = nullptr);

    // The live run: the rows before the window come from run runId of the database at path (once the
    // recorder has given the run its id). False with *error; the table is then the window alone.
    bool attachDatabase(const QString &path, qint64 runId, QString *error);
    // A recorded run, every row from the file; the window is not shown. False with *error.
    bool showStoredRun(const QString &path, qint64 runId, QString *error);
    void detach();

    // The bound (kMaxRows by default; a test sets a smaller one). Takes effect as rows come.
    void setMaxRows(qint64 rows) { m_maxRows = std::max<qint64>(rows, 2 * ResultModel::kMaxRows); }
    qint64 maxRows() const { return m_maxRows; }
    // Rows before the window's, from the database, that the table shows.
    qint64 olderRows() const;
    // The run's results before the table's first row (only past kMaxRows).
    qint64 hiddenRows() const { return m_base; }
    ResultPager &pager() { return m_pager; }
    const ResultPager &pager() const { return m_pager; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    ResultModel *m_window;
    mutable ResultPager m_pager; // reads (and caches) on data(), which is const
    // The rows before the window: from the database (or none). olderRows() is this less m_base.
    qint64 rowsBeforeWindow() const;

    std::optional<qint64> m_stored; // showStoredRun: the run's rows, the window unused
    qint64 m_base = 0;              // the run's row shown first
    qint64 m_maxRows = kMaxRows;
};

} // namespace hil::gui
