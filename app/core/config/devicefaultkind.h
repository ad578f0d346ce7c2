#pragma once

#include <QString>
#include <QStringList>
#include <QStringView>
#include <initializer_list>
#include <optional>
#include <span>

namespace hil {

// The faults a simulated device can be told to act out over its control channel (docs/simulators.md).
enum class DeviceFaultKind {
    Drift,
    Offset,
    Noise,
    Stuck,
    Spike,
    Dropout,
    Hang,
    Reboot,
    Garbage,
    LongLine,
    Duplicate,
    Late,
    Stale,
    Unplug,
};

// One row of the table of device fault kinds (devicefaultkind.cpp): the scenario loader, the records and
// the GUI presets read it. hil-sim has its own table (simulators/controlcommand.cpp), since simulators
// share no code with app/; tests/test_faults.cpp checks that it accepts every kind listed here.
struct DeviceFaultKindInfo {
    DeviceFaultKind kind;
    const char *name;
    bool needsChannel;                              // channel=temp|hum
    std::initializer_list<const char *> parameters; // all it takes, channel included
    std::initializer_list<const char *> required;   // besides the channel
    bool instant;                                   // happens at once: no `for`, no clear command
    const char *example;                            // parameters for a preset ("channel=temp rate=0.1")
    const char *help;                               // what it does, in a few words
};

std::span<const DeviceFaultKindInfo> deviceFaultKinds();
const DeviceFaultKindInfo &deviceFaultKindInfo(DeviceFaultKind kind);
QString deviceFaultKindName(DeviceFaultKind kind);
std::optional<DeviceFaultKind> deviceFaultKindFromName(QStringView name);
QStringList deviceFaultKindNames();

} // namespace hil
