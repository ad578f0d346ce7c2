#pragma once

#include <QString>
#include <functional>
#include <optional>

namespace YAML {
class Node;
}

namespace hil {

struct ExpectSpec;
struct Fixture;
struct Scenario;
struct SendSpec;
struct Step;
struct StreamSpec;
class YamlReader;

// MQTT in scenarios. A received message is the frame text "TOPIC\nPAYLOAD"; a publish is a send whose
// line is the send text of config/mqttmessage.h. These compile the MQTT forms of steps into that.

bool isMqttDevice(const Fixture &fixture, const QString &device);

// Reading a `publish:` mapping needs these of the scenario parser.
struct PublishReader {
    std::function<std::optional<QString>(const YAML::Node &)> device; // a `to:` node -> a device
    std::function<QString(const YAML::Node &)> defaultDevice;         // no `to:`
    // A field's text, or (with *runtime set) its template of values the run learns.
    std::function<std::optional<QString>(const YAML::Node &, const QString &, std::optional<QString> *)>
        templated;
};

// `publish: {to, topic, payload, qos, retain}` into step.send (and step.templates.sendLine when the
// topic or payload use values of the run). The topic must be a topic name (no wildcards) when known at
// load; qos defaults to the device's.
void readPublish(YamlReader &r, const YAML::Node &n, const Fixture &fixture, const PublishReader &reader,
                 Step &step);

// The `topic:` of an expect (n: the expect's node), once the rest of the expect is read: on an MQTT
// device an expect needs one; it becomes spec.topic and the pattern becomes the frame pattern
// `(?m)\A(?:FILTER-AS-REGEX)\n.*?(?:USER-PATTERN)`, so ^ and $ of the user's pattern anchor to the
// payload. Other topics' messages are skipped unless the step says skip_unmatched: false.
void readMqttExpectTopic(YamlReader &r, const YAML::Node &n, const Fixture &fixture, ExpectSpec &spec,
                         Step &step);
// The same for a `stream:` node and its spec.
void readMqttStreamTopic(YamlReader &r, const YAML::Node &n, const Fixture &fixture, StreamSpec &spec);

// The fixture a run of `scenario` uses: each MQTT device subscribes to the topic filters the scenario's
// expects and streams on it listen on.
Fixture withMqttSubscriptions(Fixture fixture, const Scenario &scenario);

} // namespace hil
