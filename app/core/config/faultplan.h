#pragma once

#include "core/base/duration.h"
#include "core/config/devicefaultkind.h"
#include "core/config/linkfault.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

// A fault inside a simulated device, sent over the simulator's control channel (docs/simulators.md).
struct DeviceFaultSpec {
    DeviceFaultKind kind = DeviceFaultKind::Drift;
    QMap<QString, QString> params; // channel=temp, rate=0.1, ...
    // The control-channel command that starts it ("FAULT drift channel=temp rate=0.1") and the one that
    // ends it ("CLEAR drift channel=temp"); instantaneous faults (reboot, unplug) have no clear command.
    QString startCommand() const;
    QString clearCommand() const;
    bool isInstant() const { return deviceFaultKindInfo(kind).instant; }
    QString kindName() const { return deviceFaultKindName(kind); }
};

// Power of a device: a simulated one is killed hard and started again; one fed by a supply in the
// fixture is switched at the supply (OUTP OFF / OUTP ON).
struct PowerFaultSpec {
    enum class Action { Off, On, Cycle };
    Action action = Action::Cycle;
    Nanoseconds offTime = std::chrono::seconds(1); // Cycle: how long the power stays off
};

// One entry of a scenario's `faults:` timeline, or the fault of a `fault:` step.
struct FaultEntry {
    enum class Target { Link, Device, Power };
    struct Random {
        Nanoseconds meanBetween{0};  // mean time between fault starts (exponential)
        Nanoseconds meanDuration{0}; // mean duration (exponential)
    };

    int line = 0; // where it is written, for messages
    QString text; // the entry as written (one line), for records
    QString on;   // a fixture device, or a fixture proxy (link faults only)
    bool onProxy = false;
    QStringList serves; // on a proxy: the devices its `serves:` names in the fixture
    Target target = Target::Link;
    LinkFaultSpec link;
    DeviceFaultSpec device;
    PowerFaultSpec power;

    std::optional<Nanoseconds> at;            // first start, from the start of the steps
    std::optional<Nanoseconds> duration;      // absent: until the run ends (or a `clear:` step)
    std::optional<Nanoseconds> every;         // repeat: start at at + n * every (flapping)
    std::optional<Random> random;             // instead of at/every: seeded random starts and durations
    std::optional<Nanoseconds> recoverWithin; // the device must answer again this soon after the end
    bool countFailures = false;               // failures during the fault window count against the device

    // The devices the fault acts on for the verdict rule: its device, or the devices its proxy serves
    // (none for a proxy that serves none).
    QStringList devices() const;
};

QString targetName(FaultEntry::Target t);

} // namespace hil
