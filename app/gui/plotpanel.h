#pragma once

#include "core/config/scenario.h"
#include "core/run/results.h"
#include "faultwindow.h"
#include "livebatch.h"

#include <QHash>
#include <QWidget>

class QComboBox;
class QLabel;
class QVBoxLayout;

namespace hil::gui {

class LivePlot;

// The live plots of a run: one per measurement the scenario declares (with its limits and marginal
// band), one for the latency of every step, and the fault windows shaded on all of them as they start and
// end. The window is the last minute, the last ten minutes or the whole run (decimated). Fed in batches
// (addResults, applyFaults) and drawn by refresh(), which the main window calls on its drain timer.
class PlotPanel : public QWidget {
    Q_OBJECT
public:
    enum class Span { LastMinute, TenMinutes, WholeRun };

    explicit PlotPanel(QWidget *parent = nullptr);

    // Clears everything and lays out the plots the scenario declares.
    void beginRun(const Scenario &scenario);
    void addResults(const QList<StepResult> &results);
    void applyFaults(const QList<FaultUpdate> &updates);
    // Draws the window ending at `now` (seconds since the run started).
    void refresh(double nowSeconds);

    void setSpan(Span span);
    Span span() const;

    QList<LivePlot *> measurementPlots() const;
    LivePlot *latencyPlot() const { return m_latency; }
    const QList<FaultWindow> &faultWindows() const { return m_faults; }
    qsizetype pointCount() const { return m_points; }

signals:
    void spanChanged(hil::gui::PlotPanel::Span span);

private:
    struct MeasurePlot {
        LivePlot *plot = nullptr;
        int series = 0;
    };
    LivePlot *addMeasurementPlot(const QString &key, const QString &step, const QString &device,
                                 const MeasurementResult *result, const MeasurementSpec *spec);
    int latencySeries(const StepResult &result);
    void clearPlots();

    QComboBox *m_spanBox = nullptr;
    QLabel *m_pointsLabel = nullptr;
    QLabel *m_emptyLabel = nullptr;
    QWidget *m_plotsHost = nullptr;
    QVBoxLayout *m_plotsLayout = nullptr;
    QHash<QString, MeasurePlot> m_measurements;
    QList<LivePlot *> m_measurementOrder;
    LivePlot *m_latency = nullptr;
    QHash<QString, int> m_latencySeries;
    QHash<QString, QString> m_stepDevice; // step name -> device, from the scenario
    QList<FaultWindow> m_faults;
    qsizetype m_points = 0;
    double m_now = 0;
};

} // namespace hil::gui
