#pragma once

class QTextStream;

namespace hil::gui {

struct PlotBenchmarkOptions {
    int points = 1'000'000;    // already in the plot when timing starts
    int batch = 40;            // points appended before each frame (1 kHz at 25 frames/s)
    double secondsPerCase = 2; // timing per case
    int width = 1200;          // of the plot widget, logical pixels
    int height = 320;
};

// The live plot's frame rate (`hil-bench --benchmark-plot`, run by hil-benchmark): a LivePlot shown as a
// window, each frame appending a batch of points and repainting at once (decimation, QCustomPlot's
// replot, the widget's paint), for: no data; a million points over the whole run (decimated); the last
// minute of them; and, as the baseline, one QCustomPlot graph holding all points with its own adaptive
// sampling and no decimation of ours. Prints one "case NAME fps=F ms=M frames=N" line per case. Needs a
// QApplication. Returns 0.
int runPlotBenchmark(const PlotBenchmarkOptions &options, QTextStream &out);

} // namespace hil::gui
