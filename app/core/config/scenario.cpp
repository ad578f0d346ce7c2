#include "core/config/scenario.h"

namespace hil {

QString phaseName(Phase p) {
    switch (p) {
    case Phase::Setup:
        return QStringLiteral("setup");
    case Phase::Steps:
        return QStringLiteral("steps");
    case Phase::Teardown:
        return QStringLiteral("teardown");
    }
    return {};
}

const QList<Step> &Scenario::phase(Phase p) const {
    switch (p) {
    case Phase::Setup:
        return setup;
    case Phase::Teardown:
        return teardown;
    case Phase::Steps:
        break;
    }
    return steps;
}

} // namespace hil
