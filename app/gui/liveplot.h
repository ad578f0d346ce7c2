#pragma once

#include "core/config/limits.h"
#include "faultwindow.h"
#include "timeseries.h"

#include <QColor>
#include <QFrame>
#include <QList>
#include <utility>
#include <vector>

class QCustomPlot;
class QCPGraph;
class QCPItemRect;
class QCPItemStraightLine;
class QCPItemText;
class QLabel;

namespace hil::gui {

// One live chart: a title row, and a QCustomPlot with one or more series over run time (seconds), the
// limit and marginal bands of a measurement, failed and marginal samples marked, and fault windows
// shaded. Points are kept here (TimeSeries); render() hands QCustomPlot only what the visible window
// needs, decimated to the minimum and maximum of each pixel column, so a million points draw as fast as
// a few thousand. GUI thread only.
class LivePlot : public QFrame {
    Q_OBJECT
public:
    enum class Mark { None, Marginal, Fail };

    LivePlot(const QString &title, const QString &subtitle, const QString &unit, QWidget *parent = nullptr);
    ~LivePlot() override;

    // Limits draw as red lines with the marginal band green and the rest inside the limits amber.
    void setLimits(const Range &limits, const Range &marginal);
    int addSeries(const QString &name, const QColor &color);
    int seriesCount() const { return static_cast<int>(m_series.size()); }
    void append(int series, double t, double value, Mark mark = Mark::None);
    qsizetype pointCount() const;
    void clear();
    // Off: every point of the window goes to QCustomPlot (its own adaptive sampling): a baseline for the
    // benchmark.
    void setDecimation(bool on) { m_decimate = on; }
    // Shows [t0, t1] with faults still active drawn up to `now`; `immediate` repaints at once (the
    // benchmark) instead of at the next pass of the event loop.
    void render(double t0, double t1, double now, const QList<FaultWindow> &faults, bool immediate = false);

    QCustomPlot *plot() const { return m_plot; }
    // The time window last rendered, seconds since the run started.
    std::pair<double, double> timeRange() const { return {m_t0, m_t1}; }
    const QString &title() const { return m_title; }
    QString valueText() const;

private:
    struct Series {
        QString name;
        QColor color;
        TimeSeries values;
        TimeSeries marginal;
        TimeSeries failed;
        QCPGraph *line = nullptr;
        QCPGraph *marginalMarks = nullptr;
        QCPGraph *failMarks = nullptr;
        Mark lastMark = Mark::None;
        double typicalStep = 0; // running mean of the time between points, to tell a gap (no data)
    };
    struct FaultItem {
        QCPItemRect *rect = nullptr;
        QCPItemText *text = nullptr;
    };
    void updateBands(double lo, double hi);
    void updateFaults(double t0, double t1, double now, const QList<FaultWindow> &faults);
    void updateHeader();

    QString m_title;
    QString m_unit;
    QLabel *m_titleLabel = nullptr;
    QLabel *m_valueLabel = nullptr;
    QCustomPlot *m_plot = nullptr;
    std::vector<Series> m_series;
    Range m_limits;
    Range m_marginal;
    QCPItemRect *m_goodBand = nullptr;
    QCPItemRect *m_lowBand = nullptr;
    QCPItemRect *m_highBand = nullptr;
    QCPItemStraightLine *m_lowLine = nullptr;
    QCPItemStraightLine *m_highLine = nullptr;
    std::vector<FaultItem> m_faultItems;
    TimeSeries::Window m_scratch;
    double m_t0 = 0;
    double m_t1 = 0;
    double m_yLow = 0;
    double m_yHigh = 1;
    bool m_haveRange = false;
    bool m_decimate = true;
    bool m_headerDirty = true;
};

} // namespace hil::gui
