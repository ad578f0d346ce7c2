#pragma once

#include "reportmodel.h"

#include <QByteArray>
#include <QRectF>
#include <memory>

class QCustomPlot;
class QCPPainter;

namespace hil::report {

// The report's charts, drawn with QCustomPlot. QCustomPlot is a QWidget, so these need a QApplication
// (any platform, offscreen included) and must run on its thread. The widgets are never shown.

// A chart of the run, laid out for width x height logical pixels.
std::unique_ptr<QCustomPlot> makeChart(const Chart &chart, const RunStatistics &stats, int width, int height);

// The chart as a PNG image at scale times its logical size (2 for sharp text on high-density screens).
QByteArray chartPng(const Chart &chart, const RunStatistics &stats, int width, int height, double scale);

// Draws the chart as vectors into rect of painter (a PDF page): it stays sharp at any zoom.
void paintChart(QCPPainter *painter, const Chart &chart, const RunStatistics &stats, const QRectF &rect);

} // namespace hil::report
