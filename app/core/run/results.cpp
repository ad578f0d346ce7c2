#include "core/run/results.h"

namespace hil {

void RunCounts::add(const StepResult &r) {
    // Only the last try of an exchange counts; the tries before it are recorded for what they were.
    if (r.retried) {
        ++retried;
        return;
    }
    if (r.expected && (r.verdict == Verdict::Fail || r.verdict == Verdict::Error)) {
        ++expected;
        return;
    }
    switch (r.verdict) {
    case Verdict::Pass:
        ++pass;
        break;
    case Verdict::Fail:
        ++fail;
        break;
    case Verdict::Error:
        ++error;
        break;
    case Verdict::Abort:
        ++abort;
        break;
    }
    if (r.marginal)
        ++marginal;
}

} // namespace hil
