#pragma once

#include <QString>
#include <QTextStream>

namespace hilbench {

struct ExpressionOptions {
    int steps = 200000; // resolutions per round and variant
    int rounds = 5;     // rounds of each variant, alternating
};

// The run-time cost of the scenario language per step, on the path a device lane takes for each exchange
// (DeviceLane::start and the answer's learn): hil::StepResolver::resolve of a step loaded from a scenario
// whose fields wait for a capture (`send: "SET ${n * 2}"`, and a step with an `if:`, a templated match,
// within and limits), against the same step written with plain values. Both variants also learn the
// answer's capture, as every step with a named capture does. Prints per-step microseconds, the added cost
// and the ratio; false with *error if a scenario does not load or a resolution fails.
bool runExpressionBenchmark(const ExpressionOptions &options, QTextStream &out, QString *error);

} // namespace hilbench
