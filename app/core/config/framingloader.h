#pragma once

#include "core/config/fixture.h"
#include "core/config/yamlreader.h"

namespace hil {

// Reads a device's `framing:` entry into d.framing:
//   {kind: lines|length-prefixed|slip|cobs|fixed, crc: none|crc8|crc16-modbus|crc16-ccitt|crc32,
//    crc_order: little|big, length: {size: 1|2|4, order: big|little, adjust: N, includes_crc: bool},
//    size: N (fixed), max_frame: N}
// Every problem is an error at its node.
void readFraming(YamlReader &r, const YAML::Node &n, DeviceConfig &d);

} // namespace hil
