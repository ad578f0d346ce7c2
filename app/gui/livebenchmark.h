#pragma once

class QTextStream;

namespace hil::gui {

// The app's memory over a long run (`hil-bench --benchmark-live N`, run by hil-benchmark): N synthetic
// step results reported at full speed through the live path a run uses (LiveBuffer, drained every 40 ms
// into the result and event models, the results and event tables and the plots, which are repainted each
// time), in a window laid out like the app's. Prints the resident set size at the start, after every
// million results and at the end, then the model sizes and the points the plots hold. Needs a
// QApplication. Returns 0.
int runLiveBenchmark(long long results, QTextStream &out);

} // namespace hil::gui
