#pragma once

#include "core/export/reportpipeline.h"
#include "statisticsloader.h"

#include <QWidget>
#include <optional>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;

namespace hil::gui {

class ResultModel;
class RunResultsModel;
class RunSummaryView;

// The runs of a results database (hil::listRuns: verdict, date, DUT serial, firmware, counts), newest
// first. Open one to see its summary and charts, select two and compare them (the older is the
// baseline), open any run's HTML report in the browser, and export the open run as HTML, PDF, JUnit, CSV
// or JSON with the same writers as `hil report`.
class HistoryPanel : public QWidget {
    Q_OBJECT
public:
    using Format = ReportFormat;

    explicit HistoryPanel(QWidget *parent = nullptr);

    void setDatabase(const QString &path);
    const QString &database() const { return m_database; }
    // Reads the runs again (after a run, or when another process recorded one).
    void refresh();
    int runCount() const;
    QList<qint64> runIds() const;
    void selectRuns(const QList<qint64> &ids);

    // Asynchronous: runOpened() or a problem() follows.
    void openRun(qint64 runId);
    void compareRuns(qint64 baselineId, qint64 candidateId);
    // The run shown (0: none), and its baseline when comparing.
    qint64 openRunId() const;
    bool isLoading() const { return m_loader->busy(); }
    // Writes run runId's HTML report (loadReport and writeReport, as `hil report --html` does) to a file
    // of its own in the temporary folder and returns its path; empty with *error. Open report (Ctrl+R)
    // does this for the selected run and opens the file in the browser.
    QString writeRunReport(qint64 runId, QString *error);
    // Writes the open run (with its comparison, where the format shows one). CSV: path is a directory.
    bool exportRun(Format format, const QString &path, QString *error);
    RunSummaryView *summary() const { return m_summary; }
    // Every step result of the open run, read from its database in pages.
    RunResultsModel *runResults() const { return m_results; }
    QTableView *view() const { return m_view; }

signals:
    void runOpened(qint64 runId);
    void problem(const QString &message);
    void exported(const QString &path);
    void reportWritten(const QString &path);

private:
    void onLoaded();
    void openSelected();
    void compareSelected();
    void openReportOfSelected();
    void exportAs(Format format);
    QList<qint64> selectedIds() const;
    void updateButtons();

    QString m_database;
    QLabel *m_databaseLabel;
    QStandardItemModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_view;
    QPushButton *m_open;
    QPushButton *m_compare;
    QPushButton *m_report;
    QPushButton *m_export;
    RunSummaryView *m_summary;
    ResultModel *m_noWindow; // a finished run has no live rows
    RunResultsModel *m_results;
    QTableView *m_resultsView;
    StatisticsLoader *m_loader;
    StatisticsLoader::Result m_shown;
};

} // namespace hil::gui
