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
//
// Then the app's memory over a long run: `hil-bench --benchmark-live N` feeds N results at full speed
// through the live path (LiveBuffer -> models, tables, plots) and prints its resident set every million;
// printed here with the growth against the unbounded figure measured before the bound (~160 bytes a
// result). Results: HIL_BENCH_LIVE_RESULTS (default 10000000; --quick 1000000; 0 skips).
bool printGuiBenchmark(QTextStream &out, QString *error);

} // namespace hilbench
