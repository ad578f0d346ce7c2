#include "core/config/mqttmessage.h"

#include "core/config/mqtttopic.h"

#include <QList>

namespace hil {

QByteArray mqttSendText(const MqttMessage &message) {
    QByteArray out = message.topic;
    out += "\nqos " + QByteArray::number(message.qos);
    if (message.retain)
        out += " retain";
    out += '\n';
    out += message.payload;
    return out;
}

std::optional<MqttMessage> parseMqttSendText(const QByteArray &text, QString *error) {
    const qsizetype first = text.indexOf('\n');
    const qsizetype second = first < 0 ? -1 : text.indexOf('\n', first + 1);
    if (second < 0) {
        *error = QStringLiteral("not a publish (topic, qos line and payload, one per line)");
        return std::nullopt;
    }
    MqttMessage m;
    m.topic = text.left(first);
    const QList<QByteArray> words = text.mid(first + 1, second - first - 1).split(' ');
    bool ok = words.size() >= 2 && words.size() <= 3 && words[0] == "qos";
    if (ok) {
        m.qos = words[1].toInt(&ok);
        ok = ok && m.qos >= 0 && m.qos <= 2;
    }
    if (ok && words.size() == 3) {
        ok = words[2] == "retain";
        m.retain = ok;
    }
    if (!ok) {
        *error = QStringLiteral("bad publish options '%1' (want: qos 0|1|2 [retain])")
                     .arg(QString::fromUtf8(text.mid(first + 1, second - first - 1)));
        return std::nullopt;
    }
    if (const QString problem = mqttTopicNameProblem(QString::fromUtf8(m.topic)); !problem.isEmpty()) {
        *error = problem;
        return std::nullopt;
    }
    m.payload = text.mid(second + 1);
    return m;
}

QByteArray mqttFrameText(const MqttMessage &message) {
    return message.topic + '\n' + message.payload;
}

} // namespace hil
