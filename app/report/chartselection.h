#pragma once

#include <QList>

namespace hil {
struct RunStatistics;
}

namespace hil::report {

// What a chart draws when a run has more steps or devices than one chart can show legibly: the ones a
// reader must see first, kept in the run's own order among themselves. The captions say what was left out
// with the same functions, so a chart and its caption cannot disagree.

inline constexpr int kMaxStepSeries = 8;  // steps in a latency chart
inline constexpr int kMaxDeviceRows = 12; // devices in the availability chart

// Indexes into s.steps of the steps with latency to draw: all of them up to max, else the max with the
// highest p99.
QList<int> latencyStepsShown(const RunStatistics &s, int max = kMaxStepSeries);
// How many steps have a latency at all.
int stepsWithLatency(const RunStatistics &s);
// Indexes into s.devices to draw: all up to max, else the max with the lowest availability (a device with
// no figure first, then more failure episodes first).
QList<int> availabilityDevicesShown(const RunStatistics &s, int max = kMaxDeviceRows);

} // namespace hil::report
