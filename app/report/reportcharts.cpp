#include "reportcharts.h"

#include "chartselection.h"
#include "core/analysis/histogrambins.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"
#include "reportstyle.h"

#include <QBuffer>
#include <QImageWriter>
#include <QPixmap>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>

namespace hil::report {

namespace {

constexpr int kMaxSeries = kMaxStepSeries; // curves drawn in one sweep chart

QFont chartFont(double pt, bool bold = false) {
    QFont f(style::fontFamily());
    f.setPointSizeF(pt);
    f.setBold(bold);
    f.setStyleStrategy(QFont::PreferNoShaping); // no ligatures in the PDF's vector text
    return f;
}

QColor alpha(QColor c, int a) {
    c.setAlpha(a);
    return c;
}

void styleAxis(QCPAxis *axis) {
    axis->setBasePen(QPen(style::line(), 1));
    axis->setTickPen(QPen(style::line(), 1));
    axis->setSubTickPen(QPen(style::line(), 1));
    axis->setTickLabelFont(chartFont(8));
    axis->setTickLabelColor(style::subtle());
    axis->setLabelFont(chartFont(8));
    axis->setLabelColor(style::subtle());
    axis->setTickLength(0, 4);
    axis->setSubTickLength(0, 2);
    axis->grid()->setPen(QPen(QColor(0xea, 0xee, 0xf2), 1));
    axis->grid()->setZeroLinePen(Qt::NoPen);
}

std::unique_ptr<QCustomPlot> newPlot(int width, int height) {
    auto plot = std::make_unique<QCustomPlot>();
    plot->setAttribute(Qt::WA_DontShowOnScreen);
    plot->resize(width, height);
    plot->setBackground(Qt::white);
    plot->setAntialiasedElements(QCP::aeAll);
    plot->setNoAntialiasingOnDrag(false);
    plot->axisRect()->setBackground(Qt::white);
    plot->xAxis2->setVisible(false);
    plot->yAxis2->setVisible(false);
    styleAxis(plot->xAxis);
    styleAxis(plot->yAxis);
    plot->legend->setFont(chartFont(8));
    plot->legend->setBrush(QColor(255, 255, 255, 225));
    plot->legend->setBorderPen(QPen(style::line(), 1));
    plot->legend->setIconSize(14, 8);
    plot->legend->setRowSpacing(0);
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    return plot;
}

// The run's clock on the x axis, in seconds, with labels that suit the run's length.
void timeAxis(QCustomPlot *plot, qint64 spanNs) {
    const double span = static_cast<double>(spanNs) / 1e9;
    if (span <= 120) {
        plot->xAxis->setLabel(QStringLiteral("time since start (s)"));
    } else {
        auto ticker = QSharedPointer<QCPAxisTickerTime>::create();
        if (span <= 2 * 3600) {
            ticker->setTimeFormat(QStringLiteral("%m:%s"));
            plot->xAxis->setLabel(QStringLiteral("time since start (min:s)"));
        } else {
            ticker->setTimeFormat(QStringLiteral("%h:%m"));
            plot->xAxis->setLabel(QStringLiteral("time since start (h:min)"));
        }
        ticker->setFieldWidth(QCPAxisTickerTime::tuHours, 1);
        plot->xAxis->setTicker(ticker);
    }
    // A little room after the end so that the last samples are not cut by the axis rect.
    plot->xAxis->setRange(0, std::max(span * 1.012, 1e-3));
}

double seconds(qint64 ns) {
    return static_cast<double>(ns) / 1e9;
}

// Fault windows as shaded bands across the plot, with their kind written at the top when there is room.
void faultWindows(QCustomPlot *plot, const RunStatistics &s, bool hatched) {
    const bool labels = s.faults.size() <= 12;
    for (const FaultStatistics &f : s.faults) {
        auto *rect = new QCPItemRect(plot);
        rect->setLayer(QStringLiteral("grid"));
        rect->topLeft->setTypeY(QCPItemPosition::ptAxisRectRatio);
        rect->bottomRight->setTypeY(QCPItemPosition::ptAxisRectRatio);
        const double end = seconds(f.endNs.value_or(s.spanNs));
        const double start = seconds(f.startNs);
        // A window too short to see is drawn one pixel-ish wide so that it is never lost.
        const double minWidth = seconds(s.spanNs) / 400;
        rect->topLeft->setCoords(start, 0);
        rect->bottomRight->setCoords(std::max(end, start + minWidth), 1);
        rect->setPen(hatched ? QPen(alpha(style::ink(), 140), 1) : Qt::NoPen);
        rect->setBrush(hatched ? QBrush(alpha(style::ink(), 120), Qt::BDiagPattern)
                               : QBrush(QColor(220, 38, 38, 28)));
        if (hatched)
            rect->setLayer(QStringLiteral("main"));
        if (labels && !hatched) {
            auto *text = new QCPItemText(plot);
            text->setLayer(QStringLiteral("grid"));
            text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            text->position->setCoords(start, 0.01);
            text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
            text->setPadding(QMargins(3, 1, 3, 1));
            text->setFont(chartFont(7));
            text->setColor(QColor(0xa4, 0x0e, 0x26));
            text->setText(f.kind.isEmpty() ? QStringLiteral("fault") : printableText(f.kind).left(24));
            text->setClipToAxisRect(true);
        }
    }
}

// Short marks along the bottom in every time bin that holds a failure: red for FAIL, orange when ERRORs.
void failureMarks(QCustomPlot *plot, const RunStatistics &s) {
    const double bin = seconds(s.spanNs) / std::max(1, s.timelineBins);
    for (qsizetype i = 0; i < s.failuresOverTime.size(); ++i) {
        if (s.failuresOverTime[i] == 0)
            continue;
        const double t = (static_cast<double>(i) + 0.5) * bin;
        auto *mark = new QCPItemLine(plot);
        mark->start->setTypeY(QCPItemPosition::ptAxisRectRatio);
        mark->end->setTypeY(QCPItemPosition::ptAxisRectRatio);
        mark->start->setCoords(t, 1.0);
        mark->end->setCoords(t, 0.93);
        const bool errors = i < s.errorsOverTime.size() && s.errorsOverTime[i] > 0;
        mark->setPen(QPen(errors ? style::error() : style::bad(), 1.5));
        mark->setClipToAxisRect(true);
    }
}

// A series as a line with dots (every sample) or, binned, a mean line over a min..max band; a binned
// latency series (with per-bin percentiles) as a p50 line over a p50..p99 band with the bin's max dotted
// above, so that a long run reads as the device's typical and tail latency over time.
QCPGraph *addSeries(QCustomPlot *plot, const TimeSeries &series, double scale, const QColor &color,
                    const QString &name, bool dots) {
    // A gap in the data (a device that did not answer through a blackout, empty bins) breaks the line
    // instead of bridging it: a NaN point between, which QCustomPlot leaves undrawn.
    qint64 gap = series.binned ? series.binNs * 3 / 2 : 0;
    if (!series.binned && series.points.size() > 2) {
        std::vector<qint64> dts;
        for (qsizetype i = 1; i < series.points.size(); ++i)
            dts.push_back(series.points[i].tNs - series.points[i - 1].tNs);
        std::nth_element(dts.begin(), dts.begin() + static_cast<qsizetype>(dts.size() / 2), dts.end());
        gap = 4 * std::max<qint64>(1, dts[dts.size() / 2]);
    }
    const bool bands = series.binned && !series.points.isEmpty() && !std::isnan(series.points.first().p50);
    QVector<double> t, mean, lo, hi, top;
    t.reserve(series.points.size());
    for (qsizetype i = 0; i < series.points.size(); ++i) {
        const TimePoint &p = series.points[i];
        if (i > 0 && gap > 0 && p.tNs - series.points[i - 1].tNs > gap) {
            t.append(seconds((p.tNs + series.points[i - 1].tNs) / 2));
            mean.append(qQNaN());
            lo.append(qQNaN());
            hi.append(qQNaN());
            top.append(qQNaN());
        }
        t.append(seconds(p.tNs));
        mean.append((bands ? p.p50 : p.mean) * scale);
        lo.append((bands ? p.p50 : p.min) * scale);
        hi.append((bands ? p.p99 : p.max) * scale);
        top.append(p.max * scale);
    }
    QCPGraph *g = plot->addGraph();
    g->setName(name);
    g->setData(t, mean, true);
    g->setPen(QPen(color, 1.4));
    g->setAdaptiveSampling(true);
    if (series.binned) {
        QCPGraph *low = plot->addGraph();
        low->setData(t, lo, true);
        low->setPen(Qt::NoPen);
        low->removeFromLegend();
        QCPGraph *high = plot->addGraph();
        high->setData(t, hi, true);
        high->setPen(Qt::NoPen);
        high->setBrush(alpha(color, 60));
        high->setChannelFillGraph(low);
        high->removeFromLegend();
        if (bands) {
            QCPGraph *max = plot->addGraph();
            max->setData(t, top, true);
            max->setPen(QPen(alpha(color, 150), 0.8, Qt::DotLine));
            max->removeFromLegend();
        }
    } else if (dots && series.points.size() > 120) {
        // Many samples: dots alone. A line through them would only draw the noise between neighbours.
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssDisc, alpha(color, 200), alpha(color, 200), 3.2));
    } else if (dots) {
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 4.5));
    }
    return g;
}

void logAxis(QCPAxis *axis) {
    axis->setScaleType(QCPAxis::stLogarithmic);
    auto ticker = QSharedPointer<QCPAxisTickerLog>::create();
    ticker->setLogBase(10);
    ticker->setSubTickCount(8);
    axis->setTicker(ticker);
    axis->setNumberFormat(QStringLiteral("g"));
    axis->grid()->setSubGridVisible(false);
}

void latencyOverTime(QCustomPlot *plot, const RunStatistics &s) {
    timeAxis(plot, s.spanNs);
    faultWindows(plot, s, false);
    double lo = 0, hi = 0;
    bool any = false;
    int n = 0;
    for (const int i : latencyStepsShown(s)) {
        const StepStatistics &st = s.steps[i];
        addSeries(plot, st.latencyOverTime, 1e-6, style::series(n), printableText(st.step), true);
        ++n;
        const double a = static_cast<double>(st.latency.minNs) / 1e6,
                     b = static_cast<double>(st.latency.maxNs) / 1e6;
        lo = any ? std::min(lo, a) : a;
        hi = any ? std::max(hi, b) : b;
        any = true;
    }
    failureMarks(plot, s);
    plot->yAxis->setLabel(QStringLiteral("latency (ms)"));
    if (any && lo > 0 && hi / lo > 30) {
        logAxis(plot->yAxis);
        plot->yAxis->setRange(lo / 1.3, hi * 1.3);
    } else {
        plot->yAxis->setRange(0, std::max(hi * 1.12, 1e-3));
    }
    plot->legend->setVisible(n > 0);
}

void latencyHistogram(QCustomPlot *plot, const RunStatistics &s) {
    qint64 lo = 0, hi = 0;
    bool any = false;
    for (const StepStatistics &st : s.steps) {
        if (st.latency.count == 0)
            continue;
        lo = any ? std::min(lo, st.latency.minNs) : st.latency.minNs;
        hi = any ? std::max(hi, st.latency.maxNs) : st.latency.maxNs;
        any = true;
    }
    if (!any)
        return;
    lo = std::max<qint64>(1, lo);
    hi = std::max(hi + 1, lo + 1);
    // Widen a narrow range so the bins are not thinner than the histogram's own resolution.
    if (static_cast<double>(hi) / static_cast<double>(lo) < 1.5) {
        lo = std::max<qint64>(1, static_cast<qint64>(static_cast<double>(lo) / 1.15));
        hi = static_cast<qint64>(static_cast<double>(hi) * 1.15) + 1;
    }
    const double decades = std::log10(static_cast<double>(hi) / static_cast<double>(lo));
    const int bins = std::clamp(static_cast<int>(decades * 24), 12, 60);
    double top = 0;
    int n = 0;
    for (const int i : latencyStepsShown(s)) {
        const StepStatistics &st = s.steps[i];
        const QList<HistogramBin> b = logBins(st.histogram, lo, hi, bins);
        QVector<double> keys, values;
        for (const HistogramBin &bin : b) {
            keys.append(static_cast<double>(bin.lowNs) / 1e6);
            values.append(static_cast<double>(bin.count));
            top = std::max(top, static_cast<double>(bin.count));
        }
        keys.append(static_cast<double>(b.last().highNs) / 1e6);
        values.append(0);
        QCPGraph *g = plot->addGraph();
        g->setName(QStringLiteral("%1 (p50 %2, p99 %3)")
                       .arg(printableText(st.step), formatLatency(static_cast<double>(st.latency.p50Ns)),
                            formatLatency(static_cast<double>(st.latency.p99Ns))));
        g->setData(keys, values, true);
        g->setLineStyle(QCPGraph::lsStepLeft);
        g->setPen(QPen(style::series(n), 1.4));
        g->setBrush(alpha(style::series(n), 45));
        auto *p99 = new QCPItemStraightLine(plot);
        p99->point1->setCoords(static_cast<double>(st.latency.p99Ns) / 1e6, 0);
        p99->point2->setCoords(static_cast<double>(st.latency.p99Ns) / 1e6, 1);
        p99->setPen(QPen(style::series(n), 1, Qt::DashLine));
        ++n;
    }
    logAxis(plot->xAxis);
    plot->xAxis->setLabel(QStringLiteral("latency (ms)"));
    plot->xAxis->setRange(static_cast<double>(lo) / 1e6, static_cast<double>(hi) / 1e6);
    plot->yAxis->setLabel(QStringLiteral("results"));
    plot->yAxis->setRange(0, std::max(1.0, top * 1.15));
    plot->legend->setVisible(true);
}

void availability(QCustomPlot *plot, const RunStatistics &s) {
    timeAxis(plot, s.spanNs);
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    const QList<int> rows = availabilityDevicesShown(s);
    const qsizetype shown = rows.size();
    const double bin = seconds(s.spanNs) / std::max(1, s.timelineBins);
    for (qsizetype i = 0; i < shown; ++i) {
        const DeviceAvailability &d = s.devices[rows[i]];
        const double y = static_cast<double>(shown - 1 - i);
        ticker->addTick(y, printableText(d.device).left(18));
        const auto classOf = [](float v) { return v < 0 ? 0 : v >= 0.999f ? 1 : v <= 0.001f ? 3 : 2; };
        int b = 0;
        while (b < d.timeline.size()) {
            const int c = classOf(d.timeline[b]);
            int e = b + 1;
            while (e < d.timeline.size() && classOf(d.timeline[e]) == c)
                ++e;
            auto *rect = new QCPItemRect(plot);
            rect->topLeft->setCoords(b * bin, y + 0.32);
            rect->bottomRight->setCoords(e * bin, y - 0.32);
            const QColor color = c == 0   ? QColor(0xea, 0xee, 0xf2)
                                 : c == 1 ? QColor(0x4a, 0xc2, 0x6b)
                                 : c == 2 ? QColor(0xe3, 0xb3, 0x41)
                                          : QColor(0xe5, 0x53, 0x4b);
            rect->setPen(Qt::NoPen);
            rect->setBrush(color);
            b = e;
        }
    }
    plot->yAxis->setTicker(ticker);
    plot->yAxis->setRange(-0.6, static_cast<double>(shown) - 0.4);
    plot->yAxis->grid()->setVisible(false);
    plot->yAxis->setTickLength(0, 0);
    plot->yAxis->setSubTickLength(0, 0);
    plot->yAxis->setTickLabelFont(chartFont(8.5));
    plot->yAxis->setTickLabelColor(style::ink());
    faultWindows(plot, s, true);
}

void measurement(QCustomPlot *plot, const RunStatistics &s, int index) {
    if (index < 0 || index >= s.measurements.size())
        return;
    const MeasurementStatistics &m = s.measurements[index];
    timeAxis(plot, s.spanNs);
    faultWindows(plot, s, false);
    // The data's range, widened to show the limits and marginal bounds that lie near it. A bound far away
    // (more than twice the data's spread) would flatten the data into a line; it is named at the edge
    // instead.
    double lo = m.min, hi = m.max;
    if (m.count == 0) {
        lo = m.low.value_or(m.high.value_or(0));
        hi = m.high.value_or(m.low.value_or(1));
    }
    const double spread = std::max(hi - lo, std::max(std::fabs(hi), std::fabs(lo)) * 0.002 + 1e-9);
    const double reach = 2 * spread;
    QStringList offBelow, offAbove;
    const auto consider = [&](const std::optional<double> &v, const QString &what) {
        if (!v)
            return;
        if (*v >= m.min - reach && *v <= m.max + reach) {
            lo = std::min(lo, *v);
            hi = std::max(hi, *v);
        } else {
            (*v < lo ? offBelow : offAbove).append(QStringLiteral("%1 %2").arg(what, formatLimit(*v)));
        }
    };
    consider(m.low, QStringLiteral("low limit"));
    consider(m.high, QStringLiteral("high limit"));
    consider(m.marginalLow, QStringLiteral("marginal low"));
    consider(m.marginalHigh, QStringLiteral("marginal high"));
    if (m.count == 0 && !m.low && !m.high) {
        lo = 0;
        hi = 1;
    }
    const auto edgeNote = [plot](const QStringList &notes, bool top) {
        if (notes.isEmpty())
            return;
        auto *text = new QCPItemText(plot);
        text->position->setType(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(0.005, top ? 0.02 : 0.98);
        text->setPositionAlignment(Qt::AlignLeft | (top ? Qt::AlignTop : Qt::AlignBottom));
        text->setFont(chartFont(7));
        text->setColor(style::bad());
        text->setBrush(QColor(255, 255, 255, 210));
        text->setPadding(QMargins(3, 1, 3, 1));
        text->setText(notes.join(QStringLiteral(", "))
                      + (top ? QStringLiteral(" (above the chart)") : QStringLiteral(" (below the chart)")));
    };
    edgeNote(offAbove, true);
    edgeNote(offBelow, false);
    const double pad = hi > lo ? (hi - lo) * 0.08 : std::max(1.0, std::fabs(hi) * 0.05);
    const double yMin = lo - pad, yMax = hi + pad;
    const auto zone = [plot](double a, double b, const QColor &color) {
        if (b <= a)
            return;
        auto *rect = new QCPItemRect(plot);
        rect->setLayer(QStringLiteral("grid"));
        rect->topLeft->setTypeX(QCPItemPosition::ptAxisRectRatio);
        rect->bottomRight->setTypeX(QCPItemPosition::ptAxisRectRatio);
        rect->topLeft->setCoords(0, b);
        rect->bottomRight->setCoords(1, a);
        rect->setPen(Qt::NoPen);
        rect->setBrush(color);
    };
    const QColor red(207, 34, 46, 30), amber(212, 167, 44, 40);
    if (m.high) {
        zone(*m.high, yMax, red);
        if (m.marginalHigh)
            zone(*m.marginalHigh, *m.high, amber);
    }
    if (m.low) {
        zone(yMin, *m.low, red);
        if (m.marginalLow)
            zone(*m.low, *m.marginalLow, amber);
    }
    const auto limitLine = [plot](double y, const QColor &color) {
        auto *line = new QCPItemStraightLine(plot);
        line->point1->setCoords(0, y);
        line->point2->setCoords(1, y);
        line->setPen(QPen(color, 1, Qt::DashLine));
    };
    for (const auto &v : {m.low, m.high})
        if (v)
            limitLine(*v, style::bad());
    for (const auto &v : {m.marginalLow, m.marginalHigh})
        if (v)
            limitLine(*v, QColor(0xd4, 0xa7, 0x2c));
    addSeries(plot, m.series, 1.0, style::series(0), printableText(m.name), true);
    if (!m.series.binned && (m.low || m.high)) {
        // Samples outside the limits, drawn over the line in red.
        QVector<double> t, v;
        for (const TimePoint &p : m.series.points) {
            if ((m.low && p.mean < *m.low) || (m.high && p.mean > *m.high)) {
                t.append(seconds(p.tNs));
                v.append(p.mean);
            }
        }
        if (!t.isEmpty()) {
            QCPGraph *g = plot->addGraph();
            g->setName(QStringLiteral("outside limits"));
            g->setData(t, v, true);
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, style::bad(), style::bad(), 6));
        }
    }
    plot->yAxis->setLabel(printableText(m.unit.isEmpty() ? m.name : m.unit));
    plot->yAxis->setRange(yMin, yMax);
    plot->legend->setVisible(false);
}

// A sweep: the measurement's mean against the swept variable, min..max as error bars, one curve per value
// of the other variables; points with a failing sample ringed in red; the limits as dashed lines.
void sweep(QCustomPlot *plot, const RunStatistics &s, int index) {
    if (index < 0 || index >= s.sweeps.size())
        return;
    const SweepStatistics &sw = s.sweeps[index];
    // Categories (text values) sit at 1, 2, ... in the order they were swept.
    QStringList categories;
    if (!sw.numericX) {
        for (const SweepPoint &p : sw.points) {
            const QString x = sweepValueText(sw.xOf(p));
            if (!categories.contains(x))
                categories.append(x);
        }
    }
    const auto xOf = [&](const SweepPoint &p) {
        return sw.numericX ? sw.xOf(p).toDouble()
                           : static_cast<double>(categories.indexOf(sweepValueText(sw.xOf(p))) + 1);
    };
    QStringList curves;
    for (const SweepPoint &p : sw.points) {
        if (!curves.contains(sw.curveOf(p)))
            curves.append(sw.curveOf(p));
    }
    double xLo = 0, xHi = 0, yLo = 0, yHi = 0;
    bool any = false;
    QVector<double> failX, failY;
    int drawn = 0;
    for (const QString &curve : std::as_const(curves)) {
        if (drawn >= kMaxSeries)
            break;
        QVector<double> x, mean, minus, plus;
        for (const SweepPoint &p : sw.points) {
            if (p.samples == 0 || sw.curveOf(p) != curve)
                continue;
            x.append(xOf(p));
            mean.append(p.mean);
            minus.append(p.mean - p.min);
            plus.append(p.max - p.mean);
            if (p.fail > 0) {
                failX.append(x.last());
                failY.append(p.mean);
            }
            xLo = any ? std::min(xLo, x.last()) : x.last();
            xHi = any ? std::max(xHi, x.last()) : x.last();
            yLo = any ? std::min(yLo, p.min) : p.min;
            yHi = any ? std::max(yHi, p.max) : p.max;
            any = true;
        }
        if (x.isEmpty())
            continue;
        const QColor color = style::series(drawn++);
        QCPGraph *g = plot->addGraph();
        g->setName(curve.isEmpty() ? printableText(sw.measurement) : printableText(curve));
        g->setData(x, mean, true);
        g->setPen(QPen(color, 1.4));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, color, color, 5.5));
        // A curve of categories is no line: their order says nothing of what lies between them.
        if (!sw.numericX && curves.size() == 1)
            g->setLineStyle(QCPGraph::lsNone);
        auto *bars = new QCPErrorBars(plot->xAxis, plot->yAxis);
        bars->removeFromLegend();
        bars->setDataPlottable(g);
        bars->setData(minus, plus);
        bars->setPen(QPen(color, 1));
        bars->setWhiskerWidth(7);
    }
    if (!failX.isEmpty()) {
        QCPGraph *g = plot->addGraph();
        g->setName(QStringLiteral("a sample failed"));
        g->setData(failX, failY, true);
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(
            QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(style::bad(), 1.6), Qt::NoBrush, 11));
    }
    if (sw.limitsVary) {
        // Limits that follow the swept value: a dashed line through each point's low and high (over the
        // first curve's points; the table has every point's).
        for (const bool upper : {false, true}) {
            QVector<double> x, y;
            for (const SweepPoint &p : sw.points) {
                const std::optional<double> v = upper ? p.high : p.low;
                if (!v || sw.curveOf(p) != curves.value(0))
                    continue;
                x.append(xOf(p));
                y.append(*v);
                yLo = any ? std::min(yLo, *v) : *v;
                yHi = any ? std::max(yHi, *v) : *v;
            }
            if (x.isEmpty())
                continue;
            QCPGraph *g = plot->addGraph();
            g->setName(QStringLiteral("limits"));
            g->setData(x, y, true);
            g->setPen(QPen(style::bad(), 1, Qt::DashLine));
            if (!upper)
                g->removeFromLegend(); // one legend entry for both
        }
    }
    for (const auto &v : {sw.low, sw.high}) {
        if (!v)
            continue;
        auto *line = new QCPItemStraightLine(plot);
        line->point1->setCoords(0, *v);
        line->point2->setCoords(1, *v);
        line->setPen(QPen(style::bad(), 1, Qt::DashLine));
        // A limit near the data is shown; one far away would flatten the curve (the table names it).
        const double spread = std::max(yHi - yLo, std::max(std::fabs(yHi), std::fabs(yLo)) * 0.002 + 1e-9);
        if (any && *v >= yLo - 2 * spread && *v <= yHi + 2 * spread) {
            yLo = std::min(yLo, *v);
            yHi = std::max(yHi, *v);
        }
    }
    if (!any) {
        yLo = 0;
        yHi = 1;
    }
    const double yPad = yHi > yLo ? (yHi - yLo) * 0.08 : std::max(1.0, std::fabs(yHi) * 0.05);
    plot->yAxis->setRange(yLo - yPad, yHi + yPad);
    plot->yAxis->setLabel(printableText(
        sw.unit.isEmpty() ? sw.measurement : QStringLiteral("%1 (%2)").arg(sw.measurement, sw.unit)));
    plot->xAxis->setLabel(printableText(sw.xVariable));
    if (sw.numericX) {
        const double xPad = xHi > xLo ? (xHi - xLo) * 0.05 : std::max(0.5, std::fabs(xHi) * 0.05);
        plot->xAxis->setRange(xLo - xPad, xHi + xPad);
    } else {
        auto ticker = QSharedPointer<QCPAxisTickerText>::create();
        for (qsizetype i = 0; i < categories.size(); ++i)
            ticker->addTick(static_cast<double>(i + 1), printableText(categories[i]));
        plot->xAxis->setTicker(ticker);
        plot->xAxis->setSubTicks(false);
        plot->xAxis->setRange(0.5, static_cast<double>(categories.size()) + 0.5);
    }
    // The legend goes under the chart: inside it would hide points, and a sweep's interesting points
    // (the ones near a limit) are often in a corner.
    const bool legend = curves.size() > 1 || !failX.isEmpty() || sw.limitsVary;
    plot->legend->setVisible(legend);
    if (legend && plot->axisRect()->insetLayout()->take(plot->legend)) {
        plot->axisRect()->insetLayout()->simplify();
        plot->plotLayout()->addElement(1, 0, plot->legend);
        plot->plotLayout()->setRowSpacing(0);
        plot->plotLayout()->setRowStretchFactor(1, 0.001);
        plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        plot->legend->setWrap(5);
        plot->legend->setBorderPen(Qt::NoPen);
        plot->legend->setMargins(QMargins(8, 2, 8, 6));
        plot->legend->setColumnSpacing(14);
    }
}

} // namespace

std::unique_ptr<QCustomPlot> makeChart(const Chart &chart, const RunStatistics &stats, int width,
                                       int height) {
    auto plot = newPlot(width, height);
    switch (chart.kind) {
    case ChartKind::LatencyOverTime:
        latencyOverTime(plot.get(), stats);
        break;
    case ChartKind::LatencyHistogram:
        latencyHistogram(plot.get(), stats);
        break;
    case ChartKind::Availability:
        availability(plot.get(), stats);
        break;
    case ChartKind::Measurement:
        measurement(plot.get(), stats, chart.index);
        break;
    case ChartKind::Sweep:
        sweep(plot.get(), stats, chart.index);
        break;
    }
    return plot;
}

QByteArray chartPng(const Chart &chart, const RunStatistics &stats, int width, int height, double scale) {
    const auto plot = makeChart(chart, stats, width, height);
    const QPixmap pixmap = plot->toPixmap(width, height, scale);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    // zlib level 6 (Qt maps quality q to level (100 - q) * 9 / 91): within 1 % of the size of level 9 on
    // the report's charts, in half the time (docs/benchmarks.md, "A long soak's report").
    QImageWriter writer(&buffer, "PNG");
    writer.setQuality(34);
    writer.write(pixmap.toImage());
    return png;
}

void paintChart(QCPPainter *painter, const Chart &chart, const RunStatistics &stats, const QRectF &rect) {
    const int w = static_cast<int>(rect.width());
    const int h = static_cast<int>(rect.height());
    const auto plot = makeChart(chart, stats, w, h);
    painter->save();
    painter->translate(rect.topLeft());
    painter->setMode(QCPPainter::pmVectorized);
    plot->toPainter(painter, w, h);
    painter->restore();
}

} // namespace hil::report
