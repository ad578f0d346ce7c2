#pragma once

#include "core/base/verdict.h"
#include "core/config/limits.h"
#include "core/run/captures.h"
#include "core/run/results.h"

#include <QList>
#include <QRegularExpressionMatch>
#include <QString>

namespace hil {

// What the measurements of one matched answer came to.
struct MeasurementExtraction {
    QList<MeasurementResult> measurements; // one per spec, in the specs' order
    Verdict verdict = Verdict::Pass;       // the worst of the measurements' verdicts
    bool marginal = false;                 // some measurement is marginal and none failed
    QString message;                       // the failures and marginal values, "; "-separated
};

// Reads each spec's capture (a named group of the match, or a decoded field) as a number and judges it
// against the spec's limits and marginal band. A capture that is missing, empty or not a number FAILs with
// NaN as its value, like a NaN or an infinity the device sent. Pure: no state, safe from any thread.
MeasurementExtraction extractMeasurements(const QList<MeasurementSpec> &specs, const Captures &captures);

} // namespace hil
