#include "core/session/framerfactory.h"

#include "core/session/cobsframer.h"
#include "core/session/fixedframer.h"
#include "core/session/lengthprefixframer.h"
#include "core/session/lineframer.h"
#include "core/session/modbusframer.h"
#include "core/session/mqttframer.h"
#include "core/session/slipframer.h"

namespace hil {

std::unique_ptr<Framer> makeFramer(const DeviceConfig &config) {
    switch (config.framing.kind) {
    case FramingSpec::Kind::Lines:
        break;
    case FramingSpec::Kind::LengthPrefixed:
        return std::make_unique<LengthPrefixFramer>(config.framing);
    case FramingSpec::Kind::Slip:
        return std::make_unique<SlipFramer>(config.framing);
    case FramingSpec::Kind::Cobs:
        return std::make_unique<CobsFramer>(config.framing);
    case FramingSpec::Kind::Fixed:
        return std::make_unique<FixedFramer>(config.framing);
    case FramingSpec::Kind::ModbusTcp:
        return std::make_unique<ModbusTcpFramer>();
    case FramingSpec::Kind::ModbusRtu:
        return std::make_unique<ModbusRtuFramer>();
    case FramingSpec::Kind::Mqtt:
        return std::make_unique<MqttFramer>(config.maxLineLength);
    }
    return std::make_unique<LineFramer>(config.terminator, config.maxLineLength);
}

} // namespace hil
