#include "historypanel.h"

#include "appstyle.h"
#include "core/analysis/runcomparison.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"
#include "core/store/runcatalog.h"
#include "core/store/runquery.h"
#include "report/chartrenderer.h"
#include "resultmodel.h"
#include "runresultsmodel.h"
#include "runsummaryview.h"
#include "tableviews.h"

#include <QApplication>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

namespace hil::gui {

namespace {

enum RunColumn {
    ColId,
    ColStarted,
    ColScenario,
    ColVerdict,
    ColDut,
    ColFirmware,
    ColStation,
    ColDuration,
    ColSteps,
    ColFail,
    ColError,
    ColCount
};

QStandardItem *item(const QVariant &v) {
    auto *i = new QStandardItem;
    i->setData(v, Qt::DisplayRole);
    i->setEditable(false);
    return i;
}

} // namespace

HistoryPanel::HistoryPanel(QWidget *parent)
    : QWidget(parent)
    , m_loader(new StatisticsLoader(this)) {
    setObjectName(QStringLiteral("historyPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *bar = new QWidget(this);
    auto *barLayout = new QHBoxLayout(bar);
    barLayout->setContentsMargins(10, 6, 10, 6);
    m_databaseLabel = new QLabel(bar);
    m_databaseLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *refreshButton = new QPushButton(tr("&Refresh"), bar);
    connect(refreshButton, &QPushButton::clicked, this, &HistoryPanel::refresh);
    m_open = new QPushButton(tr("&Open"), bar);
    m_open->setObjectName(QStringLiteral("historyOpen"));
    m_open->setToolTip(tr("Show the selected run's summary and charts (Enter)"));
    connect(m_open, &QPushButton::clicked, this, &HistoryPanel::openSelected);
    m_compare = new QPushButton(tr("Co&mpare"), bar);
    m_compare->setObjectName(QStringLiteral("historyCompare"));
    m_compare->setToolTip(tr("Compare two selected runs: the older is the baseline"));
    connect(m_compare, &QPushButton::clicked, this, &HistoryPanel::compareSelected);
    m_report = new QPushButton(tr("&Report"), bar);
    m_report->setObjectName(QStringLiteral("historyReport"));
    m_report->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_report->setToolTip(
        tr("Write the selected run's HTML report, as hil report does, and open it (Ctrl+R)"));
    connect(m_report, &QPushButton::clicked, this, &HistoryPanel::openReportOfSelected);
    m_export = new QPushButton(tr("E&xport"), bar);
    m_export->setObjectName(QStringLiteral("historyExport"));
    auto *menu = new QMenu(m_export);
    menu->addAction(tr("HTML report…"), this, [this] { exportAs(Format::Html); });
    menu->addAction(tr("PDF report…"), this, [this] { exportAs(Format::Pdf); });
    menu->addAction(tr("JUnit XML…"), this, [this] { exportAs(Format::JUnit); });
    menu->addAction(tr("CSV files…"), this, [this] { exportAs(Format::Csv); });
    menu->addAction(tr("JSON summary…"), this, [this] { exportAs(Format::Json); });
    m_export->setMenu(menu);
    barLayout->addWidget(m_databaseLabel, 1);
    barLayout->addWidget(refreshButton);
    barLayout->addSpacing(12);
    barLayout->addWidget(m_open);
    barLayout->addWidget(m_compare);
    barLayout->addWidget(m_report);
    barLayout->addWidget(m_export);
    layout->addWidget(bar);

    auto *split = new QSplitter(Qt::Vertical, this);
    m_model = new QStandardItemModel(0, ColCount, this);
    m_model->setHorizontalHeaderLabels({tr("Run"), tr("Started"), tr("Scenario"), tr("Verdict"),
                                        tr("DUT serial"), tr("Firmware"), tr("Station"), tr("Duration"),
                                        tr("Steps"), tr("Fail"), tr("Error")});
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_view = new QTableView(split);
    m_view->setObjectName(QStringLiteral("historyRuns"));
    m_view->setModel(m_proxy);
    tableviews::setUp(m_view);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ColId, Qt::DescendingOrder);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->horizontalHeader()->setSectionResizeMode(ColScenario, QHeaderView::Stretch);
    connect(m_view, &QTableView::activated, this, &HistoryPanel::openSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &HistoryPanel::updateButtons);
    m_summary = new RunSummaryView(split);
    // The open run's step results, every one, read from the file in pages as they are scrolled to.
    m_noWindow = new ResultModel(this);
    m_results = new RunResultsModel(m_noWindow, this);
    m_resultsView = new QTableView(split);
    m_resultsView->setObjectName(QStringLiteral("historyResults"));
    m_resultsView->setModel(m_results);
    tableviews::setUp(m_resultsView);
    split->addWidget(m_view);
    split->addWidget(m_summary);
    split->addWidget(m_resultsView);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    split->setStretchFactor(2, 1);
    const int row = fontMetrics().height() + 8;
    split->setSizes({row * 9, row * 40, row * 8});
    layout->addWidget(split, 1);

    connect(m_loader, &StatisticsLoader::loaded, this, &HistoryPanel::onLoaded);
    updateButtons();
}

void HistoryPanel::setDatabase(const QString &path) {
    m_database = path;
    m_databaseLabel->setText(tr("Database: %1").arg(QDir::toNativeSeparators(path)));
    refresh();
}

void HistoryPanel::refresh() {
    const QList<qint64> selected = selectedIds();
    m_model->removeRows(0, m_model->rowCount());
    if (m_database.isEmpty() || !QFileInfo::exists(m_database)) {
        updateButtons();
        return;
    }
    QString error;
    const std::optional<QList<RunHeader>> runs = listRuns(m_database, &error);
    if (!runs) {
        emit problem(tr("Could not read the runs of %1: %2").arg(m_database, error));
        return;
    }
    for (const RunHeader &r : *runs) {
        QList<QStandardItem *> row(ColCount);
        row[ColId] = item(r.id);
        row[ColStarted] = item(QDateTime::fromMSecsSinceEpoch(r.startedAtNs / 1'000'000)
                                   .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        row[ColScenario] = item(printableText(r.scenario));
        const QString verdict = r.verdict;
        row[ColVerdict] = item(verdict);
        row[ColVerdict]->setForeground(appstyle::verdictColor(verdict));
        QFont bold;
        bold.setBold(true);
        row[ColVerdict]->setFont(bold);
        if (!r.reason.isEmpty())
            row[ColVerdict]->setToolTip(printableText(r.reason));
        row[ColDut] = item(printableText(r.dutSerial));
        row[ColFirmware] = item(printableText(r.firmware));
        row[ColStation] = item(printableText(r.station));
        row[ColDuration] = item(r.durationNs ? formatOffset(*r.durationNs) : tr("unfinished"));
        row[ColSteps] = item(r.pass + r.fail + r.error + r.abort);
        row[ColFail] = item(r.fail);
        row[ColError] = item(r.error);
        if (r.fail)
            row[ColFail]->setForeground(appstyle::fail());
        if (r.error)
            row[ColError]->setForeground(appstyle::error());
        m_model->appendRow(row);
    }
    m_view->resizeColumnsToContents();
    selectRuns(selected);
    updateButtons();
}

int HistoryPanel::runCount() const {
    return m_model->rowCount();
}

QList<qint64> HistoryPanel::runIds() const {
    QList<qint64> ids;
    for (int r = 0; r < m_proxy->rowCount(); ++r)
        ids << m_proxy->index(r, ColId).data().toLongLong();
    return ids;
}

void HistoryPanel::selectRuns(const QList<qint64> &ids) {
    QItemSelection selection;
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        if (ids.contains(m_proxy->index(r, ColId).data().toLongLong()))
            selection.select(m_proxy->index(r, 0), m_proxy->index(r, ColCount - 1));
    }
    m_view->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
    updateButtons();
}

QList<qint64> HistoryPanel::selectedIds() const {
    QList<qint64> ids;
    for (const QModelIndex &i : m_view->selectionModel()->selectedRows(ColId))
        ids << i.data().toLongLong();
    std::sort(ids.begin(), ids.end());
    return ids;
}

void HistoryPanel::updateButtons() {
    const qsizetype n = selectedIds().size();
    m_open->setEnabled(n == 1);
    m_compare->setEnabled(n == 2);
    m_report->setEnabled(n == 1);
    m_export->setEnabled(m_shown.stats != nullptr);
}

void HistoryPanel::openSelected() {
    const QList<qint64> ids = selectedIds();
    if (ids.size() == 1)
        openRun(ids.first());
}

void HistoryPanel::compareSelected() {
    const QList<qint64> ids = selectedIds();
    if (ids.size() == 2)
        compareRuns(ids[0], ids[1]);
}

QString HistoryPanel::writeRunReport(qint64 runId, QString *error) {
    std::optional<LoadedReport> loaded =
        loadReport(m_database, QString::number(runId), QString(), CompareOptions{}.latencyThreshold, error);
    if (!loaded)
        return {};
    const QString folder =
        QStandardPaths::writableLocation(QStandardPaths::TempLocation) + QStringLiteral("/hil-bench-reports");
    if (!QDir().mkpath(folder)) {
        *error = tr("cannot create the folder %1").arg(folder);
        return {};
    }
    // One file per database and run: a run's report written again replaces the older one.
    const QString uuid = loaded->stats ? loaded->stats->run.uuid : QString();
    const QString path = QStringLiteral("%1/run-%2-%3.html").arg(folder).arg(runId).arg(uuid.left(8));
    ReportInput input = loaded->input();
    input.databasePath = QFileInfo(m_database).absoluteFilePath();
    const report::ChartRenderer renderer;
    if (!writeReport(Format::Html, input, path, &renderer, error))
        return {};
    return path;
}

void HistoryPanel::openReportOfSelected() {
    const QList<qint64> ids = selectedIds();
    if (ids.size() != 1)
        return;
    QString error;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const QString path = writeRunReport(ids.first(), &error);
    QApplication::restoreOverrideCursor();
    if (path.isEmpty()) {
        emit problem(tr("The report of run %1 could not be written: %2").arg(ids.first()).arg(error));
        return;
    }
    emit reportWritten(path);
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(path)))
        emit problem(tr("The report of run %1 is in %2; no browser could be started to show it.")
                         .arg(ids.first())
                         .arg(QDir::toNativeSeparators(path)));
}

void HistoryPanel::openRun(qint64 runId) {
    m_summary->showPlaceholder(tr("Computing the statistics of run %1…").arg(runId));
    m_loader->load(m_database, runId);
}

void HistoryPanel::compareRuns(qint64 baselineId, qint64 candidateId) {
    m_summary->showPlaceholder(tr("Comparing run %1 with baseline run %2…").arg(candidateId).arg(baselineId));
    m_loader->load(m_database, candidateId, baselineId);
}

qint64 HistoryPanel::openRunId() const {
    return m_shown.stats ? m_shown.runId : 0;
}

void HistoryPanel::onLoaded() {
    const StatisticsLoader::Result &r = m_loader->result();
    if (!r.error.isEmpty() || !r.stats) {
        m_summary->showPlaceholder(tr("Could not open run %1: %2").arg(r.runId).arg(r.error));
        emit problem(tr("Could not open run %1: %2").arg(r.runId).arg(r.error));
        return;
    }
    m_shown = r;
    m_summary->showRun(r.stats, r.comparison, r.databasePath);
    QString resultsError;
    if (!m_results->showStoredRun(r.databasePath, r.runId, &resultsError))
        emit problem(tr("The step results of run %1 cannot be listed: %2").arg(r.runId).arg(resultsError));
    updateButtons();
    emit runOpened(r.runId);
}

bool HistoryPanel::exportRun(Format format, const QString &path, QString *error) {
    if (!m_shown.stats) {
        *error = tr("open a run first");
        return false;
    }
    const std::unique_ptr<RunQuery> db = RunQuery::open(m_shown.databasePath, error);
    if (!db)
        return false;
    ReportInput input;
    input.stats = m_shown.stats.get();
    input.comparison = m_shown.comparison.get();
    input.db = db.get();
    input.databasePath = QFileInfo(m_shown.databasePath).absoluteFilePath();
    const report::ChartRenderer renderer;
    return writeReport(format, input, path, &renderer, error);
}

void HistoryPanel::exportAs(Format format) {
    if (!m_shown.stats)
        return;
    const QString base = QStringLiteral("run-%1").arg(m_shown.runId);
    QString path;
    switch (format) {
    case Format::Html:
        path = QFileDialog::getSaveFileName(this, tr("Export HTML report"), base + QStringLiteral(".html"),
                                            tr("HTML (*.html)"));
        break;
    case Format::Pdf:
        path = QFileDialog::getSaveFileName(this, tr("Export PDF report"), base + QStringLiteral(".pdf"),
                                            tr("PDF (*.pdf)"));
        break;
    case Format::JUnit:
        path = QFileDialog::getSaveFileName(this, tr("Export JUnit XML"), base + QStringLiteral("-junit.xml"),
                                            tr("XML (*.xml)"));
        break;
    case Format::Json:
        path = QFileDialog::getSaveFileName(this, tr("Export JSON summary"), base + QStringLiteral(".json"),
                                            tr("JSON (*.json)"));
        break;
    case Format::Csv:
        path = QFileDialog::getExistingDirectory(this, tr("Export CSV files into"));
        break;
    }
    if (path.isEmpty())
        return;
    QString error;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = exportRun(format, path, &error);
    QApplication::restoreOverrideCursor();
    if (ok)
        emit exported(path);
    else
        emit problem(tr("Export failed: %1").arg(error));
}

} // namespace hil::gui
