#include "runsummaryview.h"

#include "appstyle.h"
#include "core/analysis/runcomparison.h"
#include "core/analysis/runstatistics.h"
#include "report/reportcharts.h"
#include "report/reportstyle.h"
#include "reporttable.h"
#include "verdictbadge.h"

#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <qcustomplot.h>

namespace hil::gui {

namespace {

constexpr int kMaxMeasurementCharts = 8;

QLabel *muted(const QString &text, QWidget *parent) {
    auto *l = new QLabel(text, parent);
    l->setWordWrap(true);
    QPalette p = l->palette();
    p.setColor(QPalette::WindowText, appstyle::subtle());
    l->setPalette(p);
    return l;
}

} // namespace

RunSummaryView::RunSummaryView(QWidget *parent)
    : QScrollArea(parent) {
    setObjectName(QStringLiteral("runSummary"));
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    showPlaceholder(tr("Open a run (Enter or double-click) to see its summary and charts; select two and "
                       "Compare to see what changed."));
}

void RunSummaryView::clearContent() {
    m_charts = 0;
    m_content = new QWidget;
    m_content->setAutoFillBackground(true);
    QPalette p = m_content->palette();
    p.setColor(QPalette::Window, Qt::white);
    m_content->setPalette(p);
    m_layout = new QVBoxLayout(m_content);
    const int m = fontMetrics().height();
    m_layout->setContentsMargins(m, m, m, m);
    m_layout->setSpacing(m / 2);
    setWidget(m_content); // deletes the previous content
    m_badge = nullptr;
}

void RunSummaryView::showPlaceholder(const QString &text) {
    clearContent();
    m_model.reset();
    m_stats.reset();
    auto *l = muted(text, m_content);
    l->setAlignment(Qt::AlignCenter);
    m_layout->addWidget(l, 1);
}

void RunSummaryView::addSection(const QString &title, const QString &note) {
    m_layout->addSpacing(fontMetrics().height() / 2);
    auto *l = new QLabel(title, m_content);
    QFont f = l->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.15);
    l->setFont(f);
    m_layout->addWidget(l);
    if (!note.isEmpty())
        m_layout->addWidget(muted(note, m_content));
}

void RunSummaryView::showRun(std::shared_ptr<const RunStatistics> stats,
                             std::shared_ptr<const RunComparison> comparison, const QString &databasePath) {
    clearContent();
    m_stats = std::move(stats);
    m_model = std::make_unique<report::ReportModel>(
        report::buildReportModel(*m_stats, comparison.get(), databasePath));
    const report::ReportModel &model = *m_model;
    const int m = fontMetrics().height();

    auto *header = new QHBoxLayout;
    header->setSpacing(m);
    m_badge = new VerdictBadge(m_content);
    m_badge->setObjectName(QStringLiteral("summaryVerdict"));
    m_badge->setPointSize(18);
    m_badge->setVerdict(model.verdict, appstyle::verdictColor(model.verdict), VerdictBadge::Style::Solid);
    header->addWidget(m_badge, 0, Qt::AlignTop);
    auto *titles = new QVBoxLayout;
    auto *title = new QLabel(model.title, m_content);
    title->setObjectName(QStringLiteral("summaryTitle"));
    QFont tf = title->font();
    tf.setBold(true);
    tf.setPointSizeF(tf.pointSizeF() * 1.4);
    title->setFont(tf);
    titles->addWidget(title);
    titles->addWidget(muted(model.subtitle, m_content));
    auto *headline = new QLabel(model.headline, m_content);
    headline->setObjectName(QStringLiteral("summaryHeadline"));
    headline->setWordWrap(true);
    QFont hf = headline->font();
    hf.setBold(true);
    headline->setFont(hf);
    QPalette hp = headline->palette();
    hp.setColor(QPalette::WindowText, toneColor(model.verdictTone));
    headline->setPalette(hp);
    titles->addWidget(headline);
    if (!model.headlineDetail.isEmpty())
        titles->addWidget(muted(model.headlineDetail, m_content));
    header->addLayout(titles, 1);
    m_layout->addLayout(header);

    auto *meta = new QGridLayout;
    meta->setHorizontalSpacing(m);
    meta->setVerticalSpacing(2);
    for (int i = 0; i < model.meta.size(); ++i) {
        const report::MetaItem &item = model.meta[i];
        const int row = i / 3, col = (i % 3) * 2;
        meta->addWidget(muted(item.label, m_content), row, col);
        auto *value = new QLabel(item.value, m_content);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        meta->addWidget(value, row, col + 1);
    }
    meta->setColumnStretch(5, 1);
    m_layout->addLayout(meta);

    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(m / 2);
    for (const report::Tile &t : model.tiles) {
        auto *tile = new QFrame(m_content);
        tile->setObjectName(QStringLiteral("summaryTile"));
        tile->setStyleSheet(QStringLiteral(
            "QFrame#summaryTile { background: #f6f8fa; border: 1px solid #eaeef2; border-radius: 6px; }"));
        auto *tl = new QVBoxLayout(tile);
        tl->setSpacing(0);
        tl->addWidget(muted(t.label, tile));
        auto *value = new QLabel(t.value, tile);
        QFont vf = value->font();
        vf.setBold(true);
        vf.setPointSizeF(vf.pointSizeF() * 1.3);
        value->setFont(vf);
        QPalette vp = value->palette();
        vp.setColor(QPalette::WindowText, toneColor(t.tone));
        value->setPalette(vp);
        tl->addWidget(value);
        if (!t.sub.isEmpty())
            tl->addWidget(muted(t.sub, tile));
        tiles->addWidget(tile);
    }
    tiles->addStretch(1);
    m_layout->addLayout(tiles);

    if (!model.findings.isEmpty()) {
        addSection(tr("Findings"));
        for (const Finding &f : model.findings) {
            auto *l = new QLabel(m_content);
            l->setWordWrap(true);
            l->setTextFormat(Qt::RichText);
            l->setText(
                QStringLiteral("<b style='color:%1'>%2</b> &nbsp;%3<br><span style='color:%4'>%5</span>")
                    .arg(toneColor(report::style::severityTone(f.severity)).name(),
                         severityName(f.severity).toHtmlEscaped(), f.title.toHtmlEscaped(),
                         appstyle::subtle().name(), f.detail.toHtmlEscaped()));
            m_layout->addWidget(l);
        }
        if (model.moreFindings > 0)
            m_layout->addWidget(muted(tr("… and %1 more").arg(model.moreFindings), m_content));
    }
    if (model.comparison) {
        addSection(model.comparison->title, model.comparison->note);
        m_layout->addWidget(makeReportTable(*model.comparison, m_content, 10));
    }
    addSection(model.steps.title, model.steps.note);
    m_layout->addWidget(makeReportTable(model.steps, m_content, 10));

    const int width = std::max(640, viewport()->width() - 3 * m);
    QList<report::Chart> charts = model.charts;
    for (int i = 0; i < model.measurementCharts.size() && i < kMaxMeasurementCharts; ++i)
        charts.append(model.measurementCharts[i]);
    if (!charts.isEmpty())
        addSection(tr("Charts"));
    for (const report::Chart &chart : std::as_const(charts)) {
        auto *chartTitle = new QLabel(chart.title, m_content);
        QFont f = chartTitle->font();
        f.setBold(true);
        chartTitle->setFont(f);
        m_layout->addWidget(chartTitle);
        if (!chart.caption.isEmpty())
            m_layout->addWidget(muted(chart.caption, m_content));
        std::unique_ptr<QCustomPlot> plot = report::makeChart(chart, *m_stats, width, chart.height * 3 / 4);
        plot->setParent(m_content);
        plot->setMinimumHeight(chart.height * 3 / 4);
        plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
        plot->axisRect()->setRangeDrag(Qt::Horizontal);
        plot->axisRect()->setRangeZoom(Qt::Horizontal);
        m_layout->addWidget(plot.release());
        ++m_charts;
    }
    if (!model.measurements.rows.isEmpty()) {
        addSection(model.measurements.title, model.measurements.note);
        m_layout->addWidget(makeReportTable(model.measurements, m_content, 8));
    }
    if (model.faults) {
        addSection(model.faults->title, model.faults->note);
        m_layout->addWidget(makeReportTable(*model.faults, m_content, 8));
    }
    if (!model.failuresTable.rows.isEmpty()) {
        addSection(model.failuresTable.title, model.failuresNote);
        m_layout->addWidget(makeReportTable(model.failuresTable, m_content, 8));
    }
    addSection(model.events.title, model.eventsNote);
    m_layout->addWidget(makeReportTable(model.events, m_content, 10));
    m_layout->addStretch(1);
}

} // namespace hil::gui
