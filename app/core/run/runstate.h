#pragma once

#include <QString>

namespace hil {

// Where a run is. One value, changed only by nextRunState(): the Runner keeps no flags that say where it is.
//
//   Idle -Start-> Connecting -BenchReady-> Setup -PhaseDone-> Steps -PhaseDone|DeviceGone-> Teardown
//   Setup -SetupNotPassed-> Teardown;  Teardown -PhaseDone-> Finishing;  Finishing -Finished-> Done
//   Connecting -BenchFailed-> Finishing;  any state before Finishing -Abort|StoreFailed-> Finishing
//
// An abort skips the teardown (a person or a signal wants the run over now); a lost device does not.
enum class RunState { Idle, Connecting, Setup, Steps, Teardown, Finishing, Done };
enum class RunEvent {
    Start,
    BenchReady,
    BenchFailed,
    PhaseDone,
    SetupNotPassed,
    DeviceGone,
    Abort,
    StoreFailed,
    Finished
};

// The state after `event` in `state`; a pair with no transition leaves the state as it is.
RunState nextRunState(RunState state, RunEvent event);
QString runStateName(RunState state);
QString runEventName(RunEvent event);
// Whether steps run in this state (Setup, Steps or Teardown).
bool runsSteps(RunState state);

} // namespace hil
