#pragma once

#include "core/config/binding.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

// One point of a sweep: a measurement's samples among the step results swept with the same values.
struct SweepPoint {
    Bindings values;       // every variable of the sweep, in the sweep's order
    qint64 samples = 0;    // numeric samples
    qint64 nonNumeric = 0; // captures that were not numbers
    double mean = 0, min = 0, max = 0;
    qint64 pass = 0, fail = 0, marginal = 0; // the samples' verdicts
    std::optional<double> low, high;         // the point's limits (they may follow the swept value)
};

// A measurement against the variables it was swept over (`for_each:`, step_results.bindings): the report
// draws it as a curve of the mean against xVariable, one curve per combination of curveVariables' values.
// Retried tries are left out (only the last try of an exchange counts).
struct SweepStatistics {
    QString measurement;
    QString unit;
    QStringList variables;      // as the sweep bound them
    QString xVariable;          // the variable on the x axis
    bool numericX = false;      // its values are all numbers (otherwise categories, in sweep order)
    QStringList curveVariables; // the others; one curve per combination of their values
    // The limits when every point has the same ones; otherwise unset and limitsVary (each point's own
    // are in SweepPoint::low/high, e.g. limits computed from the set point).
    std::optional<double> low, high;
    bool limitsVary = false;
    QList<SweepPoint> points; // by curve (first seen first), then by x (ascending, or sweep order)

    // The values of curveVariables at a point, "mode=fast"; empty with one variable.
    QString curveOf(const SweepPoint &p) const;
    // The value of xVariable at a point.
    QVariant xOf(const SweepPoint &p) const;
};

// The sweeps of a run from its sweep points as the store groups them (RunScan::forEachSweepPoint),
// one per measurement and set of variables, in order of first appearance.
struct SweepPointInput {
    QString measurement;
    QString unit;
    SweepPoint point; // with its limits
};
QList<SweepStatistics> groupSweeps(const QList<SweepPointInput> &points);

// A bound value as text: numbers in their shortest form, bools as true/false.
QString sweepValueText(const QVariant &v);

} // namespace hil
