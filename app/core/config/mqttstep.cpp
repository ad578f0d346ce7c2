#include "core/config/mqttstep.h"

#include "core/config/fixture.h"
#include "core/config/mqttmessage.h"
#include "core/config/mqtttopic.h"
#include "core/config/scenario.h"
#include "core/config/yamlreader.h"

namespace hil {

namespace {

// The topic filter of a `topic:` node; errors point at the offending character.
std::optional<QString> readFilter(YamlReader &r, const YAML::Node &n) {
    const auto filter = r.string(n, QStringLiteral("topic"));
    if (!filter)
        return std::nullopt;
    int offset = 0;
    const QString problem = mqttTopicFilterProblem(*filter, &offset);
    if (problem.isEmpty())
        return filter;
    const int quote = n.Tag() == "!" ? 1 : 0; // a quoted scalar's mark is its opening quote
    r.errorAt(YamlReader::line(n), YamlReader::column(n) + quote + offset, problem);
    return std::nullopt;
}

QString framePattern(const QString &filter, const QString &user) {
    QString p = QStringLiteral("(?m)\\A(?:%1)\\n").arg(mqttTopicFilterRegex(filter));
    if (!user.isEmpty())
        p += QStringLiteral(".*?(?:%1)").arg(user);
    return p;
}

const DeviceConfig *mqttDevice(const Fixture &fixture, const QString &device) {
    const DeviceConfig *d = fixture.device(device);
    return d && d->kind == DeviceConfig::Kind::Mqtt ? d : nullptr;
}

} // namespace

bool isMqttDevice(const Fixture &fixture, const QString &device) {
    return mqttDevice(fixture, device) != nullptr;
}

void readPublish(YamlReader &r, const YAML::Node &n, const Fixture &fixture, const PublishReader &reader,
                 Step &step) {
    if (!r.requireMap(n, QStringLiteral("publish (a mapping: {to, topic, payload, qos, retain})")))
        return;
    r.checkKeys(n, {"to", "topic", "payload", "qos", "retain"});
    SendSpec send;
    send.device = n["to"] ? reader.device(n["to"]).value_or(QString()) : reader.defaultDevice(n);
    const DeviceConfig *device = mqttDevice(fixture, send.device);
    if (!send.device.isEmpty() && !device)
        r.error(n["to"] ? n["to"] : n,
                QStringLiteral("publish needs an MQTT device; '%1' is not one (send: talks to it)")
                    .arg(send.device));
    MqttMessage m;
    m.qos = device ? device->mqtt.qos : 0;
    std::optional<QString> topicTemplate;
    std::optional<QString> payloadTemplate;
    QString topic;
    if (const YAML::Node t = n["topic"]) {
        topic = reader.templated(t, QStringLiteral("topic"), &topicTemplate).value_or(QString());
        if (!topicTemplate) {
            if (const QString problem = mqttTopicNameProblem(topic); !problem.isEmpty()) {
                // At the wildcard when there is one (a quoted scalar's mark is its opening quote).
                qsizetype at = topic.indexOf(QRegularExpression(QStringLiteral("[+#]")));
                at = at < 0 ? 0 : at + (t.Tag() == "!" ? 1 : 0);
                r.errorAt(YamlReader::line(t), YamlReader::column(t) + static_cast<int>(at),
                          QStringLiteral("publish: %1").arg(problem));
            }
        }
    } else {
        r.error(n, QStringLiteral("publish needs a topic"));
    }
    QString payload;
    if (const YAML::Node p = n["payload"])
        payload = reader.templated(p, QStringLiteral("payload"), &payloadTemplate).value_or(QString());
    if (n["qos"])
        m.qos = static_cast<int>(r.integer(n["qos"], QStringLiteral("qos"), 0, 2).value_or(m.qos));
    if (n["retain"])
        m.retain = r.boolean(n["retain"], QStringLiteral("retain")).value_or(false);
    m.topic = (topicTemplate ? *topicTemplate : topic).toUtf8();
    m.payload = (payloadTemplate ? *payloadTemplate : payload).toUtf8();
    send.line = mqttSendText(m);
    if (topicTemplate || payloadTemplate)
        step.templates.sendLine = QString::fromUtf8(send.line); // the whole line, filled in by the run
    step.send = send;
    if (step.name.isEmpty())
        step.name = QStringLiteral("publish %1").arg(QString::fromUtf8(m.topic));
}

void readMqttExpectTopic(YamlReader &r, const YAML::Node &n, const Fixture &fixture, ExpectSpec &spec,
                         Step &step) {
    const bool mqtt = isMqttDevice(fixture, spec.device);
    const bool hasTopic = n.IsMap() && n["topic"];
    if (hasTopic && !mqtt) {
        if (!spec.device.isEmpty())
            r.error(n["topic"],
                    QStringLiteral("topic: is for MQTT devices; '%1' is not one").arg(spec.device));
        return;
    }
    if (!mqtt)
        return;
    if (!hasTopic) {
        r.error(n,
                QStringLiteral("an expect on MQTT device '%1' needs topic: (the topic filter to listen on)")
                    .arg(spec.device));
        return;
    }
    const auto filter = readFilter(r, n["topic"]);
    if (!filter)
        return;
    spec.topic = *filter;
    const QString user = spec.match.pattern();
    if (step.templates.match)
        step.templates.match = framePattern(*filter, *step.templates.match);
    spec.match = QRegularExpression(framePattern(*filter, user));
    spec.match.optimize();
    if (!n["skip_unmatched"])
        spec.skipUnmatched = true; // other topics' messages are not the answer
    if (step.name.isEmpty() && !step.send)
        step.name = user.isEmpty() ? QStringLiteral("expect %1").arg(*filter)
                                   : QStringLiteral("expect %1 /%2/").arg(*filter, user);
}

void readMqttStreamTopic(YamlReader &r, const YAML::Node &n, const Fixture &fixture, StreamSpec &spec) {
    const bool mqtt = isMqttDevice(fixture, spec.device);
    const bool hasTopic = n.IsMap() && n["topic"];
    if (hasTopic && !mqtt) {
        r.error(n["topic"], QStringLiteral("topic: is for MQTT devices; '%1' is not one").arg(spec.device));
        return;
    }
    if (!mqtt)
        return;
    if (!hasTopic) {
        r.error(n, QStringLiteral("a stream on MQTT device '%1' needs topic: (the topic filter to listen on)")
                       .arg(spec.device));
        return;
    }
    const auto filter = readFilter(r, n["topic"]);
    if (!filter)
        return;
    spec.topic = *filter;
    spec.match = QRegularExpression(framePattern(*filter, spec.match.pattern()));
    spec.match.optimize();
    if (!n["skip_unmatched"])
        spec.skipUnmatched = true; // other topics' messages are not the stream's
}

Fixture withMqttSubscriptions(Fixture fixture, const Scenario &scenario) {
    const auto add = [&](const QString &device, const QString &filter) {
        for (DeviceConfig &d : fixture.devices) {
            if (d.name == device && d.kind == DeviceConfig::Kind::Mqtt
                && !d.mqtt.subscriptions.contains(filter))
                d.mqtt.subscriptions.append(filter);
        }
    };
    for (const Phase phase : {Phase::Setup, Phase::Steps, Phase::Teardown}) {
        for (const Step &step : scenario.phase(phase)) {
            const QStringList devices = step.devices;
            if (step.expect && !step.expect->topic.isEmpty()) {
                for (const QString &d : devices.isEmpty() ? QStringList{step.expect->device} : devices)
                    add(d, step.expect->topic);
            }
            if (step.stream && !step.stream->topic.isEmpty()) {
                for (const QString &d : devices.isEmpty() ? QStringList{step.stream->device} : devices)
                    add(d, step.stream->topic);
            }
        }
    }
    return fixture;
}

} // namespace hil
