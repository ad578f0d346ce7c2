#pragma once

#include <QtGlobal>
#include <chrono>

namespace hil {

// Monotonic nanoseconds for every latency and schedule; never wall-clock time (DESIGN.md, Time).
inline qint64 monotonicNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Wall-clock nanoseconds since the Unix epoch, for display and for the runs table only.
inline qint64 wallClockNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace hil
