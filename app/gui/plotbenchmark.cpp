#include "plotbenchmark.h"

#include "core/base/seedmix.h"
#include "liveplot.h"

#include <QElapsedTimer>
#include <QGuiApplication>
#include <QTextStream>
#include <algorithm>
#include <cmath>
#include <qcustomplot.h>
#include <vector>

namespace hil::gui {

namespace {

// A temperature-like signal at 100 Hz: slow wave, noise, a few spikes; deterministic.
double sample(int i) {
    const double t = i * 0.01;
    const quint64 z = deriveSeed(0, static_cast<quint64>(i));
    const double noise = unitInterval(z) - 0.5;
    return 24 + 3 * std::sin(t / 300) + noise * 0.8 + ((z & 0xfff) == 0 ? 6 : 0);
}

struct Timing {
    int frames = 0;
    double seconds = 0;
    std::vector<qint64> frameNs; // each frame's time: replot and paint
};

double percentileMs(std::vector<qint64> ns, double q) {
    if (ns.empty())
        return 0;
    const auto k = static_cast<std::size_t>(q * static_cast<double>(ns.size() - 1));
    std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(k), ns.end());
    return static_cast<double>(ns[k]) / 1e6;
}

template<typename Frame>
Timing measure(double seconds, Frame frame) {
    for (int i = 0; i < 5; ++i) // warm-up: caches, first layout
        frame();
    QElapsedTimer clock;
    clock.start();
    Timing t;
    while (clock.nsecsElapsed() < static_cast<qint64>(seconds * 1e9)) {
        const qint64 before = clock.nsecsElapsed();
        frame();
        t.frameNs.push_back(clock.nsecsElapsed() - before);
        ++t.frames;
    }
    t.seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    return t;
}

void print(QTextStream &out, const char *name, const Timing &t, qsizetype points) {
    out << "case " << name << " fps=" << QString::number(t.frames / t.seconds, 'f', 1)
        << " ms=" << QString::number(t.seconds * 1e3 / t.frames, 'f', 2)
        << " p50=" << QString::number(percentileMs(t.frameNs, 0.5), 'f', 2)
        << " p99=" << QString::number(percentileMs(t.frameNs, 0.99), 'f', 2) << " frames=" << t.frames
        << " points=" << points << '\n';
    out.flush();
}

QList<FaultWindow> faults(double span) {
    QList<FaultWindow> list;
    for (int i = 0; i < 20; ++i) {
        FaultWindow w;
        w.id = i + 1;
        w.device = QStringLiteral("sensor");
        w.target = i % 2 ? QStringLiteral("link") : QStringLiteral("device");
        w.kind = i % 2 ? QStringLiteral("blackout") : QStringLiteral("drift");
        w.start = span * (i + 0.5) / 20;
        w.end = w.start + span / 200;
        list.append(w);
    }
    return list;
}

} // namespace

int runPlotBenchmark(const PlotBenchmarkOptions &o, QTextStream &out) {
    out << "plot-benchmark points=" << o.points << " batch=" << o.batch << " size=" << o.width << 'x'
        << o.height << " platform=" << QGuiApplication::platformName() << '\n';
    Range limits{15.0, 35.0}, marginal{18.0, 32.0};

    {
        LivePlot plot(QStringLiteral("t"), QStringLiteral("degC · read temperature · sensor"),
                      QStringLiteral("degC"));
        plot.setLimits(limits, marginal);
        plot.addSeries(QStringLiteral("t"), QColor(0x4e, 0x79, 0xa7));
        plot.resize(o.width, o.height);
        plot.show();
        const QList<FaultWindow> none;
        print(out, "empty", measure(o.secondsPerCase, [&] { plot.render(0, 60, 0, none, true); }), 0);
    }

    LivePlot plot(QStringLiteral("t"), QStringLiteral("degC · read temperature · sensor"),
                  QStringLiteral("degC"));
    plot.setLimits(limits, marginal);
    plot.addSeries(QStringLiteral("t"), QColor(0x4e, 0x79, 0xa7));
    plot.resize(o.width, o.height);
    plot.show();
    int n = 0;
    for (; n < o.points; ++n) {
        const double v = sample(n);
        plot.append(0, n * 0.01, v, v > 32 ? LivePlot::Mark::Marginal : LivePlot::Mark::None);
    }
    const QList<FaultWindow> windows = faults(o.points * 0.01);
    const auto grow = [&] {
        for (int k = 0; k < o.batch; ++k, ++n)
            plot.append(0, n * 0.01, sample(n));
    };
    print(out, "whole-run-decimated",
          measure(o.secondsPerCase,
                  [&] {
                      grow();
                      plot.render(0, n * 0.01, n * 0.01, windows, true);
                  }),
          plot.pointCount());
    print(out, "last-minute",
          measure(o.secondsPerCase,
                  [&] {
                      grow();
                      plot.render(n * 0.01 - 60, n * 0.01, n * 0.01, windows, true);
                  }),
          plot.pointCount());

    // Zoomed in on a minute in the middle of the run: the compacted history (min/max per block) there.
    print(out, "middle-minute",
          measure(o.secondsPerCase,
                  [&] {
                      grow();
                      plot.render(n * 0.005 - 30, n * 0.005 + 30, n * 0.01, windows, true);
                  }),
          plot.pointCount());
    // Baseline: QCustomPlot alone, every point in its graph, its adaptive sampling doing the reduction.
    QCustomPlot raw;
    raw.resize(o.width, o.height);
    QCPGraph *g = raw.addGraph();
    g->setPen(QPen(QColor(0x4e, 0x79, 0xa7), 1.6));
    QVector<double> keys(o.points), values(o.points);
    for (int i = 0; i < o.points; ++i) {
        keys[i] = i * 0.01;
        values[i] = sample(i);
    }
    g->setData(keys, values, true);
    raw.show();
    int m = o.points;
    print(out, "whole-run-qcustomplot-only",
          measure(o.secondsPerCase,
                  [&] {
                      for (int k = 0; k < o.batch; ++k, ++m)
                          g->addData(m * 0.01, sample(m));
                      raw.xAxis->setRange(0, m * 0.01);
                      raw.yAxis->setRange(10, 40);
                      raw.replot(QCustomPlot::rpImmediateRefresh);
                  }),
          g->dataCount());
    return 0;
}

} // namespace hil::gui
