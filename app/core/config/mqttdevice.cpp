#include "core/config/mqttdevice.h"

#include "core/config/fixture.h"
#include "core/config/yamlreader.h"

#include <QDir>
#include <QFileInfo>

namespace hil {

namespace {

void readTls(YamlReader &r, const YAML::Node &n, MqttSpec &spec) {
    if (!r.requireMap(n, QStringLiteral("tls (a mapping: {ca, cert, key, insecure})")))
        return;
    r.checkKeys(n, {"ca", "cert", "key", "insecure"});
    MqttTlsSpec tls;
    const QDir base = QFileInfo(r.file()).absoluteDir();
    const auto file = [&](const char *key, QString &out) {
        const YAML::Node f = n[key];
        if (!f)
            return;
        const auto name = r.string(f, QString::fromLatin1(key));
        if (!name)
            return;
        out = QDir::cleanPath(base.absoluteFilePath(*name));
        if (!QFileInfo(out).isReadable())
            r.error(f, QStringLiteral("tls %1: cannot read %2").arg(QString::fromLatin1(key), out));
    };
    file("ca", tls.ca);
    file("cert", tls.cert);
    file("key", tls.key);
    if (tls.ca.isEmpty())
        r.error(n, QStringLiteral("tls needs ca (the certificate that signed the broker's)"));
    if (tls.cert.isEmpty() != tls.key.isEmpty())
        r.error(n, QStringLiteral("tls: a client certificate needs its key, and a key its certificate"));
    if (n["insecure"])
        tls.insecure = r.boolean(n["insecure"], QStringLiteral("insecure")).value_or(false);
    spec.tls = tls;
}

} // namespace

void readMqttDevice(YamlReader &r, const YAML::Node &n, DeviceConfig &d) {
    d.kind = DeviceConfig::Kind::Mqtt;
    d.framing.kind = FramingSpec::Kind::Mqtt;
    if (!r.requireMap(n, QStringLiteral("mqtt (a mapping: {broker: host:port, client_id, ...})")))
        return;
    r.checkKeys(n,
                {"broker", "client_id", "clean_session", "qos", "keepalive", "username", "password", "tls"});
    MqttSpec &spec = d.mqtt;
    if (const YAML::Node broker = n["broker"]) {
        if (const auto text = r.string(broker, QStringLiteral("broker"))) {
            const qsizetype colon = text->lastIndexOf(u':');
            bool ok = colon < 0;
            uint port = 1883;
            if (colon >= 0)
                port = text->mid(colon + 1).toUInt(&ok);
            spec.host = colon >= 0 ? text->left(colon) : *text;
            if (!ok || port == 0 || port > 65535 || spec.host.isEmpty())
                r.error(broker,
                        QStringLiteral("broker must be host:port (or host, port 1883), not '%1'").arg(*text));
            spec.port = static_cast<quint16>(port);
        }
    } else {
        r.error(n, QStringLiteral("mqtt needs the broker (host:port)"));
    }
    if (n["client_id"]) {
        spec.clientId = r.string(n["client_id"], QStringLiteral("client_id")).value_or(QString());
        if (spec.clientId.toUtf8().size() > 65535)
            r.error(n["client_id"], QStringLiteral("client_id is longer than 65535 bytes"));
    }
    if (n["clean_session"])
        spec.cleanSession = r.boolean(n["clean_session"], QStringLiteral("clean_session")).value_or(true);
    if (!spec.cleanSession && spec.clientId.isEmpty())
        r.error(n["clean_session"],
                QStringLiteral("clean_session false needs a client_id: the broker keeps the session by it"));
    if (n["qos"])
        spec.qos = static_cast<int>(r.integer(n["qos"], QStringLiteral("qos"), 0, 2).value_or(0));
    if (n["keepalive"]) {
        if (const auto k = r.duration(n["keepalive"], QStringLiteral("keepalive"))) {
            const qint64 s = std::chrono::duration_cast<std::chrono::seconds>(*k).count();
            if (s < 5 || s > 65535)
                r.error(n["keepalive"], QStringLiteral("keepalive must be 5 s to 65535 s"));
            spec.keepaliveS = static_cast<int>(s);
        }
    }
    if (n["username"])
        spec.username = r.string(n["username"], QStringLiteral("username")).value_or(QString());
    if (n["password"]) {
        spec.password = r.string(n["password"], QStringLiteral("password")).value_or(QString());
        if (!n["username"])
            r.error(n["password"], QStringLiteral("password needs a username"));
    }
    if (const YAML::Node tls = n["tls"])
        readTls(r, tls, spec);
}

} // namespace hil
