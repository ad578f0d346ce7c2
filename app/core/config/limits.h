#pragma once

#include "core/base/verdict.h"

#include <QString>
#include <optional>

namespace hil {

// A closed interval; an absent bound is open on that side.
struct Range {
    std::optional<double> low;
    std::optional<double> high;

    bool isSet() const { return low.has_value() || high.has_value(); }
    bool contains(double v) const { return (!low || v >= *low) && (!high || v <= *high); }
};

// A measurement declared as data (OpenHTF style): the engine, not the scenario, computes its verdict.
struct MeasurementSpec {
    QString name; // the named capture of the expect pattern that holds the value
    QString unit;
    Range limits;   // outside: FAIL
    Range marginal; // inside limits but outside this band: PASS, flagged marginal
};

struct MeasurementOutcome {
    Verdict verdict = Verdict::Pass;
    bool marginal = false;
};

// NaN and infinities fail: a device that sends them has not measured anything.
MeasurementOutcome evaluateMeasurement(const MeasurementSpec &spec, double value);

} // namespace hil
