#include "core/run/results.h"

namespace hil {

void RunCounts::add(const StepResult &r) {
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
