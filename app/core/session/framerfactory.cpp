#include "core/session/framerfactory.h"

#include "core/session/lineframer.h"
#include "core/session/mqttframer.h"

namespace hil {

std::unique_ptr<Framer> makeFramer(const DeviceConfig &config) {
    switch (config.framing.kind) {
    case FramingSpec::Kind::Lines:
        break;
    case FramingSpec::Kind::LengthPrefixed:
    case FramingSpec::Kind::Slip:
    case FramingSpec::Kind::Cobs:
    case FramingSpec::Kind::Fixed:
    case FramingSpec::Kind::ModbusTcp:
    case FramingSpec::Kind::ModbusRtu:
        break; // filled in by the binary framings
    case FramingSpec::Kind::Mqtt:
        return std::make_unique<MqttFramer>(config.maxLineLength);
    }
    return std::make_unique<LineFramer>(config.terminator, config.maxLineLength);
}

} // namespace hil
