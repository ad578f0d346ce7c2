#include "core/config/devicefaultkind.h"

namespace hil {

namespace {

using K = DeviceFaultKind;

// In the order of the enum, which deviceFaultKindInfo() relies on.
const DeviceFaultKindInfo kKinds[] = {
    {K::Drift,
     "drift",
     true,
     {"channel", "rate"},
     {"rate"},
     false,
     "channel=temp rate=0.1",
     "adds rate units per second"},
    {K::Offset,
     "offset",
     true,
     {"channel", "value"},
     {"value"},
     false,
     "channel=temp value=5",
     "adds a constant"},
    {K::Noise,
     "noise",
     true,
     {"channel", "sigma"},
     {"sigma"},
     false,
     "channel=temp sigma=0.5",
     "Gaussian noise"},
    {K::Stuck, "stuck", true, {"channel", "value"}, {}, false, "channel=temp", "the reading stops changing"},
    {K::Spike,
     "spike",
     true,
     {"channel", "p", "size"},
     {"p", "size"},
     false,
     "channel=temp p=0.2 size=10",
     "random spikes"},
    {K::Dropout, "dropout", false, {"p"}, {}, false, "p=0.5", "readings go unanswered"},
    {K::Hang, "hang", false, {}, {}, false, "", "stops answering anything"},
    {K::Reboot, "reboot", false, {"down"}, {}, true, "down=1s", "silent, then its banner"},
    {K::Garbage, "garbage", false, {"rate", "bytes"}, {}, false, "rate=100", "random bytes between lines"},
    {K::LongLine,
     "longline",
     false,
     {"size", "end"},
     {},
     false,
     "size=64k end=newline",
     "one line far longer than any answer"},
    {K::Duplicate, "duplicate", false, {}, {}, false, "", "every answer sent twice"},
    {K::Late, "late", false, {"delay"}, {"delay"}, false, "delay=2s", "answers arrive late"},
    {K::Stale, "stale", false, {}, {}, false, "", "each answer is the one to the command before"},
    {K::Unplug, "unplug", false, {"down"}, {}, true, "down=1s", "the link drops mid-line, then comes back"},
};

} // namespace

std::span<const DeviceFaultKindInfo> deviceFaultKinds() {
    return kKinds;
}

const DeviceFaultKindInfo &deviceFaultKindInfo(DeviceFaultKind kind) {
    return kKinds[static_cast<int>(kind)];
}

QString deviceFaultKindName(DeviceFaultKind kind) {
    return QString::fromLatin1(deviceFaultKindInfo(kind).name);
}

std::optional<DeviceFaultKind> deviceFaultKindFromName(QStringView name) {
    for (const DeviceFaultKindInfo &i : kKinds)
        if (name == QLatin1StringView(i.name))
            return i.kind;
    return std::nullopt;
}

QStringList deviceFaultKindNames() {
    QStringList names;
    for (const DeviceFaultKindInfo &i : kKinds)
        names << QString::fromLatin1(i.name);
    return names;
}

} // namespace hil
