#include "liveplot.h"

#include "appstyle.h"
#include "core/base/reportformat.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace hil::gui {

namespace {

constexpr int kMaxFaultItems = 200;

QFont smallFont(const QWidget *w, double scale = 0.9) {
    QFont f = w->font();
    f.setPointSizeF(f.pointSizeF() * scale);
    return f;
}

void styleAxis(QCPAxis *axis, const QFont &font) {
    const QColor line = appstyle::line();
    axis->setBasePen(QPen(line, 1));
    axis->setTickPen(QPen(line, 1));
    axis->setSubTickPen(Qt::NoPen);
    axis->setTickLabelColor(appstyle::subtle());
    axis->setTickLabelFont(font);
    axis->setLabelColor(appstyle::subtle());
    axis->setLabelFont(font);
    axis->grid()->setPen(QPen(QColor(0xea, 0xee, 0xf2), 1));
    axis->grid()->setZeroLinePen(Qt::NoPen);
    axis->grid()->setSubGridVisible(false);
}

void setRatioX(QCPItemPosition *p, double x, double y) {
    p->setTypeX(QCPItemPosition::ptAxisRectRatio);
    p->setTypeY(QCPItemPosition::ptPlotCoords);
    p->setCoords(x, y);
}

void setRatioY(QCPItemPosition *p, double x, double y) {
    p->setTypeX(QCPItemPosition::ptPlotCoords);
    p->setTypeY(QCPItemPosition::ptAxisRectRatio);
    p->setCoords(x, y);
}

// Hands the points to the graph, breaking the line (a NaN point) where consecutive points are further
// apart than `gap`: missing data (a blackout, a device that did not answer) shows as a hole, not as a
// straight line across it.
void setGraphData(QCPGraph *graph, const std::vector<TimeSeries::Point> &points, double gap = 0) {
    QVector<QCPGraphData> data;
    data.reserve(static_cast<qsizetype>(points.size()) + 8);
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (gap > 0 && i > 0 && points[i].t - points[i - 1].t > gap)
            data.append(
                QCPGraphData((points[i].t + points[i - 1].t) / 2, std::numeric_limits<double>::quiet_NaN()));
        data.append(QCPGraphData(points[i].t, points[i].v));
    }
    graph->data()->set(data, true);
}

} // namespace

LivePlot::LivePlot(const QString &title, const QString &subtitle, const QString &unit, QWidget *parent)
    : QFrame(parent)
    , m_title(title)
    , m_unit(unit) {
    setObjectName(QStringLiteral("livePlot"));
    setFrameShape(QFrame::NoFrame);
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, Qt::white);
    setPalette(pal);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 6, 10, 2);
    layout->setSpacing(0);
    auto *header = new QHBoxLayout;
    m_titleLabel = new QLabel(this);
    m_titleLabel->setTextFormat(Qt::RichText);
    m_titleLabel->setText(
        QStringLiteral("<b>%1</b>&nbsp;&nbsp;<span style='color:%2'>%3</span>")
            .arg(title.toHtmlEscaped(), appstyle::subtle().name(), subtitle.toHtmlEscaped()));
    m_valueLabel = new QLabel(this);
    m_valueLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    QFont vf = font();
    vf.setBold(true);
    m_valueLabel->setFont(vf);
    header->addWidget(m_titleLabel, 1);
    header->addWidget(m_valueLabel);
    layout->addLayout(header);

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("plot"));
    m_plot->setMinimumHeight(90);
    m_plot->setBackground(QBrush(Qt::white));
    m_plot->setPlottingHints(QCP::phCacheLabels | QCP::phFastPolylines);
    m_plot->addLayer(QStringLiteral("bands"), m_plot->layer(QStringLiteral("grid")), QCustomPlot::limBelow);
    const QFont axisFont = smallFont(this, 0.85);
    styleAxis(m_plot->xAxis, axisFont);
    styleAxis(m_plot->yAxis, axisFont);
    m_plot->xAxis2->setVisible(false);
    m_plot->yAxis2->setVisible(false);
    auto ticker = QSharedPointer<QCPAxisTickerTime>::create();
    ticker->setTimeFormat(QStringLiteral("%h:%m:%s"));
    m_plot->xAxis->setTicker(ticker);
    m_plot->yAxis->setLabel(unit);
    m_plot->axisRect()->setMinimumMargins(QMargins(64, 4, 12, 4));
    layout->addWidget(m_plot, 1);

    const auto makeBand = [this](const QColor &c) {
        auto *r = new QCPItemRect(m_plot);
        r->setLayer(QStringLiteral("bands"));
        r->setPen(Qt::NoPen);
        r->setBrush(c);
        r->setSelectable(false);
        r->setVisible(false);
        r->setAntialiased(false); // axis-aligned: antialiased alpha fills cost most of a frame for nothing
        return r;
    };
    m_goodBand = makeBand(appstyle::tint(appstyle::pass(), 22));
    m_lowBand = makeBand(appstyle::tint(appstyle::marginal(), 34));
    m_highBand = makeBand(appstyle::tint(appstyle::marginal(), 34));
    const auto makeLine = [this] {
        auto *l = new QCPItemStraightLine(m_plot);
        l->setLayer(QStringLiteral("bands"));
        l->setPen(QPen(appstyle::fail(), 1.2, Qt::DashLine));
        l->setSelectable(false);
        l->setVisible(false);
        return l;
    };
    m_lowLine = makeLine();
    m_highLine = makeLine();
}

LivePlot::~LivePlot() = default;

void LivePlot::setLimits(const Range &limits, const Range &marginal) {
    m_limits = limits;
    m_marginal = marginal;
    m_haveRange = false;
    m_headerDirty = true;
}

int LivePlot::addSeries(const QString &name, const QColor &color) {
    Series s;
    s.name = name;
    s.color = color;
    s.line = m_plot->addGraph();
    s.line->setName(name);
    s.line->setPen(QPen(color, 1.6));
    s.line->setLineStyle(QCPGraph::lsLine);
    s.marginalMarks = m_plot->addGraph();
    s.marginalMarks->setLineStyle(QCPGraph::lsNone);
    s.marginalMarks->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDiamond, appstyle::marginal(), appstyle::marginal(), 7));
    s.failMarks = m_plot->addGraph();
    s.failMarks->setLineStyle(QCPGraph::lsNone);
    s.failMarks->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDisc, appstyle::fail(), appstyle::fail(), 7));
    m_series.push_back(std::move(s));
    m_headerDirty = true;
    return static_cast<int>(m_series.size()) - 1;
}

void LivePlot::append(int series, double t, double value, Mark mark) {
    Series &s = m_series[static_cast<std::size_t>(series)];
    if (!s.values.isEmpty() && t > s.values.lastTime()) {
        const double step = t - s.values.lastTime();
        // The typical step follows the schedule but not the holes: a gap does not teach it much.
        s.typicalStep = s.typicalStep <= 0
                            ? step
                            : s.typicalStep + 0.1 * (std::min(step, 2 * s.typicalStep) - s.typicalStep);
    }
    s.values.append(t, value);
    if (mark == Mark::Marginal)
        s.marginal.append(t, value);
    else if (mark == Mark::Fail)
        s.failed.append(t, value);
    s.lastMark = mark;
    m_headerDirty = true;
}

qsizetype LivePlot::pointCount() const {
    qsizetype n = 0;
    for (const Series &s : m_series)
        n += static_cast<qsizetype>(s.values.size());
    return n;
}

void LivePlot::clear() {
    for (Series &s : m_series) {
        s.values.clear();
        s.marginal.clear();
        s.failed.clear();
        s.line->data()->clear();
        s.marginalMarks->data()->clear();
        s.failMarks->data()->clear();
        s.lastMark = Mark::None;
        s.typicalStep = 0;
    }
    m_haveRange = false;
    m_headerDirty = true;
}

QString LivePlot::valueText() const {
    return m_valueLabel->text();
}

void LivePlot::updateHeader() {
    if (!m_headerDirty)
        return;
    m_headerDirty = false;
    if (m_series.size() != 1 || m_series.front().values.isEmpty()) {
        m_valueLabel->clear();
        return;
    }
    const Series &s = m_series.front();
    m_valueLabel->setText(formatValue(s.values.lastValue()) + (m_unit.isEmpty() ? QString() : u' ' + m_unit));
    const QColor c = s.lastMark == Mark::Fail       ? appstyle::fail()
                     : s.lastMark == Mark::Marginal ? appstyle::marginal()
                                                    : appstyle::ink();
    QPalette p = m_valueLabel->palette();
    p.setColor(QPalette::WindowText, c);
    m_valueLabel->setPalette(p);
}

void LivePlot::render(double t0, double t1, double now, const QList<FaultWindow> &faults, bool immediate) {
    const int columns = m_decimate ? std::max(50, m_plot->axisRect()->width()) : (1 << 28);
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (Series &s : m_series) {
        s.values.window(t0, t1, columns, &m_scratch);
        const double pixel = (t1 - t0) / std::max(1, m_plot->axisRect()->width());
        setGraphData(s.line, m_scratch.points,
                     s.typicalStep > 0 ? std::max(3.5 * s.typicalStep, 3 * pixel) : 0);
        // At two points per pixel column antialiasing adds nothing to see and costs most of the frame.
        s.line->setAntialiased(!m_scratch.decimated);
        if (m_scratch.inside > 0) {
            lo = std::min(lo, m_scratch.min);
            hi = std::max(hi, m_scratch.max);
        }
        s.marginal.window(t0, t1, columns, &m_scratch);
        setGraphData(s.marginalMarks, m_scratch.points);
        s.failed.window(t0, t1, columns, &m_scratch);
        setGraphData(s.failMarks, m_scratch.points);
    }
    // The limits stay in view, so that how close the values come to them is visible at a glance.
    for (const auto &b : {m_limits.low, m_limits.high}) {
        if (b) {
            lo = std::min(lo, *b);
            hi = std::max(hi, *b);
        }
    }
    if (!std::isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    if (hi - lo < 1e-9) {
        const double pad = std::max(std::abs(hi) * 0.05, 0.5);
        lo -= pad;
        hi += pad;
    }
    const double pad = (hi - lo) * 0.08;
    double wantLow = lo - pad, wantHigh = hi + pad;
    if (m_unit == u"ms" && lo >= 0)
        wantLow = 0;
    // Keep the axis still unless the data leaves it or shrinks to a fraction of it: a y axis that moves
    // with every sample is hard to read.
    const bool inside = m_haveRange && wantLow >= m_yLow && wantHigh <= m_yHigh;
    const bool shrunk = (wantHigh - wantLow) < 0.5 * (m_yHigh - m_yLow);
    if (!inside || shrunk) {
        m_yLow = wantLow;
        m_yHigh = wantHigh;
        m_haveRange = true;
    }
    m_t0 = t0;
    m_t1 = t1;
    m_plot->xAxis->setRange(t0, t1);
    m_plot->yAxis->setRange(m_yLow, m_yHigh);
    updateBands(m_yLow, m_yHigh);
    updateFaults(t0, t1, now, faults);
    updateHeader();
    m_plot->replot(immediate ? QCustomPlot::rpImmediateRefresh : QCustomPlot::rpQueuedReplot);
}

void LivePlot::updateBands(double lo, double hi) {
    const double span = hi - lo;
    const double below = lo - span, above = hi + span; // open sides, kept near the view for the painter
    const auto clamp = [&](const std::optional<double> &v, double open) {
        return v ? std::clamp(*v, below, above) : open;
    };
    const bool limits = m_limits.isSet();
    const bool marginal = m_marginal.isSet();
    m_lowLine->setVisible(m_limits.low.has_value());
    m_highLine->setVisible(m_limits.high.has_value());
    if (m_limits.low) {
        setRatioX(m_lowLine->point1, 0, clamp(m_limits.low, below));
        setRatioX(m_lowLine->point2, 1, clamp(m_limits.low, below));
    }
    if (m_limits.high) {
        setRatioX(m_highLine->point1, 0, clamp(m_limits.high, above));
        setRatioX(m_highLine->point2, 1, clamp(m_limits.high, above));
    }
    const double limLow = clamp(m_limits.low, below), limHigh = clamp(m_limits.high, above);
    const double marLow = marginal ? clamp(m_marginal.low, limLow) : limLow;
    const double marHigh = marginal ? clamp(m_marginal.high, limHigh) : limHigh;
    m_goodBand->setVisible(limits || marginal);
    setRatioX(m_goodBand->topLeft, 0, marHigh);
    setRatioX(m_goodBand->bottomRight, 1, marLow);
    m_lowBand->setVisible(marginal && m_marginal.low.has_value());
    setRatioX(m_lowBand->topLeft, 0, marLow);
    setRatioX(m_lowBand->bottomRight, 1, limLow);
    m_highBand->setVisible(marginal && m_marginal.high.has_value());
    setRatioX(m_highBand->topLeft, 0, limHigh);
    setRatioX(m_highBand->bottomRight, 1, marHigh);
}

void LivePlot::updateFaults(double t0, double t1, double now, const QList<FaultWindow> &faults) {
    std::size_t used = 0;
    const QFont labelFont = smallFont(this, 0.8);
    const QFontMetrics fm(labelFont);
    const double rowHeight = fm.height() + 4;
    std::vector<double> rowEnds; // labels are stacked in rows so that neighbouring faults stay readable
    const double minWidth = (t1 - t0) / std::max(1, m_plot->axisRect()->width()) * 2;
    for (const FaultWindow &f : faults) {
        const double end = f.active() ? std::max(now, f.start) : f.end;
        if (end < t0 || f.start > t1 || used >= kMaxFaultItems)
            continue;
        if (used == m_faultItems.size()) {
            FaultItem item;
            item.rect = new QCPItemRect(m_plot);
            item.rect->setLayer(QStringLiteral("bands"));
            item.rect->setSelectable(false);
            item.rect->setAntialiased(false); // as the bands
            item.text = new QCPItemText(m_plot);
            item.text->setLayer(QStringLiteral("bands"));
            item.text->setSelectable(false);
            item.text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
            item.text->setPadding(QMargins(4, 2, 4, 2));
            item.text->setFont(labelFont);
            m_faultItems.push_back(item);
        }
        FaultItem &item = m_faultItems[used++];
        const QColor c = appstyle::faultColor(f.target);
        item.rect->setBrush(appstyle::tint(c, f.active() ? 52 : 36));
        item.rect->setPen(f.active() ? QPen(appstyle::tint(c, 160), 1, Qt::DashLine) : QPen(Qt::NoPen));
        // At least two pixels wide, so that an instant fault (a reboot) still shows.
        setRatioY(item.rect->topLeft, f.start, 0);
        setRatioY(item.rect->bottomRight, std::max(end, f.start + minWidth), 1);
        const QString text = f.device.isEmpty() ? f.label() : f.device + QStringLiteral(": ") + f.label();
        item.text->setText(text);
        item.text->setColor(c.darker(140));
        const double x = m_plot->xAxis->coordToPixel(std::max(f.start, t0));
        const double width = fm.horizontalAdvance(text) + 12;
        std::size_t row = 0;
        while (row < rowEnds.size() && x < rowEnds[row])
            ++row;
        if (row == rowEnds.size())
            rowEnds.push_back(0);
        rowEnds[row] = x + width;
        item.text->position->setTypeX(QCPItemPosition::ptPlotCoords);
        item.text->position->setTypeY(QCPItemPosition::ptAbsolute);
        item.text->position->setCoords(std::max(f.start, t0),
                                       m_plot->axisRect()->top() + 1 + row * rowHeight);
        item.rect->setVisible(true);
        item.text->setVisible(true);
    }
    for (std::size_t i = used; i < m_faultItems.size(); ++i) {
        m_faultItems[i].rect->setVisible(false);
        m_faultItems[i].text->setVisible(false);
    }
}

} // namespace hil::gui
