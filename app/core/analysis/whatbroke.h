#pragma once

#include "core/analysis/runstatistics.h"

#include <QList>
#include <QString>

namespace hil {

// One line of a report's "what broke" (or, for a PASS, "what the verdict rests on") block.
struct WhatBrokeItem {
    QString label;
    QString text;
};

// What a reader of a long run's report needs first, from its statistics (docs/reports.md, "What broke"):
// for a run that did not pass, the first failure (step, device, time, message, answer), the clusters of
// failures in time, the steps that failed most and each fault's recovery against its bound; for a PASS,
// the evidence (checks, duration, measurements, faults survived). Both end with latency split into
// outside faults (the device's own) and during faults.
QList<WhatBrokeItem> whatBroke(const RunStatistics &s);
// The bound a fault's device had to recover within: `recover: {within: D}` as the fault was written, else
// the default of 10 s (docs/scenarios.md, verdicts).
qint64 recoveryBoundNs(const FaultStatistics &fault, bool *fromScenario = nullptr);

} // namespace hil
