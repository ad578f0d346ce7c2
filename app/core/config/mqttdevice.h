#pragma once

namespace YAML {
class Node;
}

namespace hil {

struct DeviceConfig;
class YamlReader;

// Reads a fixture device's `mqtt:` mapping into d (kind Mqtt, d.mqtt): broker (host:port), client_id,
// clean_session, qos, keepalive, username, password, tls {ca, cert, key, insecure}. Relative TLS file
// names are taken from the fixture's folder. Problems are recorded in `r` at their node.
void readMqttDevice(YamlReader &r, const YAML::Node &n, DeviceConfig &d);

} // namespace hil
