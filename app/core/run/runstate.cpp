#include "core/run/runstate.h"

namespace hil {

RunState nextRunState(RunState state, RunEvent event) {
    if (state == RunState::Done)
        return state;
    if (state == RunState::Finishing)
        return event == RunEvent::Finished ? RunState::Done : state;
    if ((event == RunEvent::Abort || event == RunEvent::StoreFailed) && state != RunState::Idle)
        return RunState::Finishing;
    switch (state) {
    case RunState::Idle:
        if (event == RunEvent::Start)
            return RunState::Connecting;
        if (event == RunEvent::Abort || event == RunEvent::StoreFailed)
            return RunState::Finishing;
        break;
    case RunState::Connecting:
        if (event == RunEvent::BenchReady)
            return RunState::Setup;
        if (event == RunEvent::BenchFailed)
            return RunState::Finishing;
        break;
    case RunState::Setup:
        if (event == RunEvent::PhaseDone)
            return RunState::Steps;
        if (event == RunEvent::SetupNotPassed || event == RunEvent::DeviceGone)
            return RunState::Teardown;
        break;
    case RunState::Steps:
        if (event == RunEvent::PhaseDone || event == RunEvent::DeviceGone)
            return RunState::Teardown;
        break;
    case RunState::Teardown:
        if (event == RunEvent::PhaseDone || event == RunEvent::DeviceGone)
            return RunState::Finishing;
        break;
    case RunState::Finishing:
    case RunState::Done:
        break;
    }
    return state;
}

QString runStateName(RunState state) {
    switch (state) {
    case RunState::Idle:
        return QStringLiteral("idle");
    case RunState::Connecting:
        return QStringLiteral("connecting");
    case RunState::Setup:
        return QStringLiteral("setup");
    case RunState::Steps:
        return QStringLiteral("steps");
    case RunState::Teardown:
        return QStringLiteral("teardown");
    case RunState::Finishing:
        return QStringLiteral("finishing");
    case RunState::Done:
        return QStringLiteral("done");
    }
    return {};
}

QString runEventName(RunEvent event) {
    switch (event) {
    case RunEvent::Start:
        return QStringLiteral("start");
    case RunEvent::BenchReady:
        return QStringLiteral("bench ready");
    case RunEvent::BenchFailed:
        return QStringLiteral("bench failed");
    case RunEvent::PhaseDone:
        return QStringLiteral("phase done");
    case RunEvent::SetupNotPassed:
        return QStringLiteral("setup not passed");
    case RunEvent::DeviceGone:
        return QStringLiteral("device gone");
    case RunEvent::Abort:
        return QStringLiteral("abort");
    case RunEvent::StoreFailed:
        return QStringLiteral("store failed");
    case RunEvent::Finished:
        return QStringLiteral("finished");
    }
    return {};
}

bool runsSteps(RunState state) {
    return state == RunState::Setup || state == RunState::Steps || state == RunState::Teardown;
}

} // namespace hil
