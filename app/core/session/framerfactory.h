#pragma once

#include "core/config/fixture.h"
#include "core/session/framer.h"

#include <memory>

namespace hil {

// The framer a device's `framing:` (or its modbus/mqtt entry) asks for.
std::unique_ptr<Framer> makeFramer(const DeviceConfig &config);

} // namespace hil
