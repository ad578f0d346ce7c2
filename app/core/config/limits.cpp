#include "core/config/limits.h"

#include <cmath>

namespace hil {

MeasurementOutcome evaluateMeasurement(const MeasurementSpec &spec, double value) {
    if (!std::isfinite(value) || !spec.limits.contains(value))
        return {Verdict::Fail, false};
    return {Verdict::Pass, spec.marginal.isSet() && !spec.marginal.contains(value)};
}

} // namespace hil
