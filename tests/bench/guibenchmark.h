#pragma once

#include <QString>

class QTextStream;

namespace hilbench {

// The desktop app's live plot: frames per second with a million points (decimated to the minimum and
// maximum of each pixel column) against the same plot with no data, and against QCustomPlot holding every
// point itself. The plot is a widget and needs a QApplication, which this program (a QCoreApplication)
// cannot have, so it runs `hil-bench --benchmark-plot N` next to this program (HIL_BENCH=path overrides)
// on the offscreen platform (HIL_BENCH_GUI_PLATFORM overrides, e.g. xcb under Xvfb) and prints its
// figures. Points: HIL_BENCH_GUI_POINTS (default 1000000; 0 skips); with --quick, 100000. Without
// hil-bench (built with HIL_BUILD_GUI=OFF) it says so and returns true. False with *error if the child
// fails.
bool printGuiBenchmark(QTextStream &out, QString *error);

} // namespace hilbench
