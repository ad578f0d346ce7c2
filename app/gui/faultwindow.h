#pragma once

#include <QString>
#include <cmath>
#include <limits>

namespace hil::gui {

// A fault as the plots shade it: from its start to its end, or to "now" while it is active. Seconds since
// the run started.
struct FaultWindow {
    int id = 0;
    QString device;
    QString target; // link, device, power
    QString kind;   // blackout, drift, off, ...
    bool manual = false;
    double start = 0;
    double end = std::numeric_limits<double>::quiet_NaN(); // NaN while active

    bool active() const { return std::isnan(end); }
    QString label() const { return manual ? kind + QStringLiteral(" (manual)") : kind; }
};

} // namespace hil::gui
