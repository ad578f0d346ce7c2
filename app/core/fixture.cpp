#include "fixture.h"

namespace hil {

const DeviceConfig *Fixture::device(const QString &deviceName) const {
    for (const DeviceConfig &d : devices) {
        if (d.name == deviceName)
            return &d;
    }
    return nullptr;
}

} // namespace hil
