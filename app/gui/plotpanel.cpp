#include "plotpanel.h"

#include "appstyle.h"
#include "liveplot.h"
#include "report/reportstyle.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QVBoxLayout>
#include <cmath>

namespace hil::gui {

namespace {

QString measurementKey(const QString &step, const QString &name) {
    return step + u'\x1f' + name;
}

QLabel *legendChip(const QString &text, const QColor &color, QWidget *parent) {
    auto *l = new QLabel(parent);
    l->setTextFormat(Qt::RichText);
    l->setText(QStringLiteral("<span style='color:%1'>&#9632;</span> %2")
                   .arg(appstyle::tint(color, 150).name(QColor::HexArgb), text.toHtmlEscaped()));
    QPalette p = l->palette();
    p.setColor(QPalette::WindowText, appstyle::subtle());
    l->setPalette(p);
    return l;
}

} // namespace

PlotPanel::PlotPanel(QWidget *parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("plotPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    auto *bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("plotBar"));
    auto *barLayout = new QHBoxLayout(bar);
    barLayout->setContentsMargins(10, 4, 10, 4);
    auto *spanLabel = new QLabel(tr("&Window"), bar);
    m_spanBox = new QComboBox(bar);
    m_spanBox->setObjectName(QStringLiteral("plotSpan"));
    m_spanBox->addItem(tr("Last minute"));
    m_spanBox->addItem(tr("Last 10 minutes"));
    m_spanBox->addItem(tr("Whole run"));
    spanLabel->setBuddy(m_spanBox);
    connect(m_spanBox, &QComboBox::currentIndexChanged, this, [this](int i) {
        refresh(m_now);
        emit spanChanged(static_cast<Span>(i));
    });
    barLayout->addWidget(spanLabel);
    barLayout->addWidget(m_spanBox);
    barLayout->addSpacing(16);
    barLayout->addWidget(legendChip(tr("marginal band"), appstyle::marginal(), bar));
    barLayout->addWidget(legendChip(tr("within limits"), appstyle::pass(), bar));
    barLayout->addWidget(legendChip(tr("link fault"), appstyle::faultColor(QStringLiteral("link")), bar));
    barLayout->addWidget(legendChip(tr("device fault"), appstyle::faultColor(QStringLiteral("device")), bar));
    barLayout->addWidget(legendChip(tr("power"), appstyle::faultColor(QStringLiteral("power")), bar));
    barLayout->addStretch(1);
    m_pointsLabel = new QLabel(bar);
    m_pointsLabel->setObjectName(QStringLiteral("plotPoints"));
    QPalette sp = m_pointsLabel->palette();
    sp.setColor(QPalette::WindowText, appstyle::subtle());
    m_pointsLabel->setPalette(sp);
    barLayout->addWidget(m_pointsLabel);
    layout->addWidget(bar);

    auto *scroll = new QScrollArea(this);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    m_plotsHost = new QWidget(scroll);
    m_plotsHost->setAutoFillBackground(true);
    QPalette hp = m_plotsHost->palette();
    hp.setColor(QPalette::Window, Qt::white);
    m_plotsHost->setPalette(hp);
    m_plotsLayout = new QVBoxLayout(m_plotsHost);
    m_plotsLayout->setContentsMargins(0, 4, 0, 4);
    m_plotsLayout->setSpacing(4);
    m_emptyLabel = new QLabel(tr("Open a fixture and a scenario, then start a run (F5): each measurement "
                                 "is plotted here with its limits, with the latency of every step below."),
                              m_plotsHost);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setPalette(sp);
    m_plotsLayout->addWidget(m_emptyLabel, 1);
    scroll->setWidget(m_plotsHost);
    layout->addWidget(scroll, 1);
}

void PlotPanel::setSpan(Span span) {
    m_spanBox->setCurrentIndex(static_cast<int>(span));
}

PlotPanel::Span PlotPanel::span() const {
    return static_cast<Span>(m_spanBox->currentIndex());
}

QList<LivePlot *> PlotPanel::measurementPlots() const {
    return m_measurementOrder;
}

void PlotPanel::clearPlots() {
    for (LivePlot *p : std::as_const(m_measurementOrder))
        p->deleteLater();
    if (m_latency)
        m_latency->deleteLater();
    m_measurementOrder.clear();
    m_measurements.clear();
    m_latency = nullptr;
    m_latencySeries.clear();
    m_stepDevice.clear();
    m_faults.clear();
    m_points = 0;
    m_now = 0;
}

LivePlot *PlotPanel::addMeasurementPlot(const QString &key, const QString &step, const QString &device,
                                        const MeasurementResult *result, const MeasurementSpec *spec) {
    const QString name = spec ? spec->name : result->name;
    const QString unit = spec ? spec->unit : result->unit;
    QStringList sub;
    if (!unit.isEmpty())
        sub << unit;
    sub << step;
    if (!device.isEmpty())
        sub << device;
    auto *plot = new LivePlot(name, sub.join(QStringLiteral(" · ")), unit, m_plotsHost);
    if (spec)
        plot->setLimits(spec->limits, spec->marginal);
    else
        plot->setLimits(result->limits, result->marginalBand);
    const int series =
        plot->addSeries(name, report::style::series(static_cast<int>(m_measurementOrder.size())));
    // Before the latency plot, which stays last.
    const int at = m_latency ? m_plotsLayout->indexOf(m_latency) : m_plotsLayout->count();
    m_plotsLayout->insertWidget(at, plot, 2);
    m_measurements.insert(key, {plot, series});
    m_measurementOrder.append(plot);
    m_emptyLabel->hide();
    return plot;
}

void PlotPanel::beginRun(const Scenario &scenario) {
    clearPlots();
    for (Phase phase : {Phase::Setup, Phase::Steps, Phase::Teardown}) {
        for (const Step &step : scenario.phase(phase)) {
            const QString device = step.expect   ? step.expect->device
                                   : step.send   ? step.send->device
                                   : step.stream ? step.stream->device
                                                 : QString();
            m_stepDevice.insert(step.name, device);
            for (const MeasurementSpec &spec : step.measure) {
                const QString key = measurementKey(step.name, spec.name);
                if (!m_measurements.contains(key))
                    addMeasurementPlot(key, step.name, device, nullptr, &spec);
            }
        }
    }
    m_latency =
        new LivePlot(tr("latency"), tr("ms · send to answer, every step"), QStringLiteral("ms"), m_plotsHost);
    m_latency->setObjectName(QStringLiteral("latencyPlot"));
    m_plotsLayout->addWidget(m_latency, 2);
    m_emptyLabel->hide();
    refresh(0);
}

int PlotPanel::latencySeries(const StepResult &r) {
    const QString key = r.step + u'\x1f' + r.device;
    const auto it = m_latencySeries.constFind(key);
    if (it != m_latencySeries.cend())
        return *it;
    const int series = m_latency->addSeries(r.step, report::style::series(m_latency->seriesCount() + 4));
    m_latencySeries.insert(key, series);
    return series;
}

void PlotPanel::addResults(const QList<StepResult> &results) {
    if (!m_latency)
        return;
    for (const StepResult &r : results) {
        const double t = static_cast<double>(r.endNs) / 1e9;
        for (const MeasurementResult &m : r.measurements) {
            const QString key = measurementKey(r.step, m.name);
            auto it = m_measurements.find(key);
            if (it == m_measurements.end()) {
                addMeasurementPlot(key, r.step, r.device, &m, nullptr);
                it = m_measurements.find(key);
            }
            const LivePlot::Mark mark = m.verdict != Verdict::Pass ? LivePlot::Mark::Fail
                                        : m.marginal               ? LivePlot::Mark::Marginal
                                                                   : LivePlot::Mark::None;
            it->plot->append(it->series, t, m.value, mark);
            ++m_points;
        }
        if (r.latencyNs >= 0) {
            m_latency->append(latencySeries(r), static_cast<double>(r.startNs) / 1e9,
                              static_cast<double>(r.latencyNs) / 1e6,
                              r.verdict == Verdict::Fail ? LivePlot::Mark::Fail : LivePlot::Mark::None);
            ++m_points;
        }
    }
}

void PlotPanel::applyFaults(const QList<FaultUpdate> &updates) {
    for (const FaultUpdate &u : updates) {
        if (u.kind == FaultUpdate::Kind::Started) {
            FaultWindow w;
            w.id = u.fault.id;
            w.device = u.fault.device;
            w.target = u.fault.target;
            w.kind = u.fault.kind;
            w.manual = u.fault.manual;
            w.start = static_cast<double>(u.fault.startNs) / 1e9;
            m_faults.append(w);
        } else if (u.kind == FaultUpdate::Kind::Ended) {
            for (FaultWindow &w : m_faults) {
                if (w.id == u.fault.id)
                    w.end = static_cast<double>(u.fault.endNs) / 1e9;
            }
        }
    }
}

void PlotPanel::refresh(double nowSeconds) {
    m_now = nowSeconds;
    // The time axis grows in steps of 1-2-5 (10 s, 20 s, 50 s, ...) rather than with every frame, and a
    // window of the last minute or ten minutes fills from the left until the run is that long, then slides.
    const auto stepUp = [](double t) {
        double decade = 10;
        while (true) {
            for (double m : {1.0, 2.0, 5.0}) {
                if (t <= m * decade)
                    return m * decade;
            }
            decade *= 10;
        }
    };
    const double grown = stepUp(std::max(nowSeconds, 1.0));
    double t0 = 0, t1 = grown;
    const double window = span() == Span::LastMinute ? 60 : span() == Span::TenMinutes ? 600 : 0;
    if (window > 0 && nowSeconds > window) {
        t1 = nowSeconds;
        t0 = nowSeconds - window;
    } else if (window > 0) {
        t1 = std::min(grown, window);
    }
    for (LivePlot *p : std::as_const(m_measurementOrder))
        p->render(t0, t1, nowSeconds, m_faults);
    if (m_latency)
        m_latency->render(t0, t1, nowSeconds, m_faults);
    m_pointsLabel->setText(m_points ? tr("%1 points").arg(QLocale().toString(m_points)) : QString());
}

} // namespace hil::gui
