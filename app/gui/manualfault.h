#pragma once

#include "core/config/faultplan.h"
#include "core/config/fixture.h"

#include <QStringList>
#include <optional>

namespace hil::gui {

// Faults by hand: what the operator typed, turned into the FaultEntry that Runner::injectFault() takes
// and validated exactly as the engine validates a scenario's `fault:` step (a manual fault starts now;
// `for` ends it, else it lasts until cleared). Each returns nullopt with *error, a sentence, on bad input.
// `devices` are the devices of the scenario being run; proxies of the fixture take link faults too.

// A link fault in the text form of docs/faults.md ("latency:delay=50ms,jitter=5ms", "blackout:for=3s"),
// read by hil::parseLinkFault(); `at` and `every` are refused (a fault by hand starts now).
std::optional<FaultEntry> manualLinkFault(const Fixture &fixture, const QStringList &devices,
                                          const QString &target, const QString &text, QString *error);

// A device fault in a simulator: its kind and "key=value" parameters separated by spaces or commas
// ("channel=temp rate=0.1"); `duration` ("30s") may be empty.
std::optional<FaultEntry> manualDeviceFault(const Fixture &fixture, const QStringList &devices,
                                            const QString &device, const QString &kind, const QString &params,
                                            const QString &duration, QString *error);

// Power off, on, or a cycle with the power off for `offTime` ("2s"; empty: the engine's default).
std::optional<FaultEntry> manualPowerFault(const Fixture &fixture, const QStringList &devices,
                                           const QString &device, PowerFaultSpec::Action action,
                                           const QString &offTime, QString *error);

// The device fault kinds of the simulators, each with example parameters for the form.
struct DeviceFaultPreset {
    QString kind;
    QString params;
    QString help;
};
QList<DeviceFaultPreset> deviceFaultPresets();

} // namespace hil::gui
