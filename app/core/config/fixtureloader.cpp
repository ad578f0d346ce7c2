#include "core/config/fixtureloader.h"

#include "core/config/framingloader.h"
#include "core/config/modbusconfig.h"
#include "core/config/mqttdevice.h"
#include "core/config/yamlreader.h"
#include "core/expr/expression.h"
#include "core/expr/template.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <limits>

namespace hil {

namespace {

// "modbus" joins when hil-sim has the model; the loader already reads `sim:` + `modbus: {unit}` for it.
const QStringList kSimModels = {QStringLiteral("envsensor"), QStringLiteral("psu"), QStringLiteral("gps"),
                                QStringLiteral("gateway"), QStringLiteral("modbus")};

QByteArray unescapeTerminator(const QString &s) {
    // YAML double quotes already turn "\r\n" into control characters; this also accepts the literal
    // two-character forms from single-quoted or plain scalars.
    QString t = s;
    t.replace(QStringLiteral("\\r"), QStringLiteral("\r"));
    t.replace(QStringLiteral("\\n"), QStringLiteral("\n"));
    t.replace(QStringLiteral("\\t"), QStringLiteral("\t"));
    t.replace(QStringLiteral("\\0"), QString(QChar(0)));
    return t.toUtf8();
}

void readSerial(YamlReader &r, const YAML::Node &n, DeviceConfig &d) {
    d.kind = DeviceConfig::Kind::Serial;
    if (!r.requireMap(n, QStringLiteral("serial")))
        return;
    r.checkKeys(n, {"port", "baud", "data_bits", "parity", "stop_bits", "flow", "backend"});
    if (!n["port"])
        r.error(n, QStringLiteral("serial needs a port"));
    else if (auto p = r.string(n["port"], QStringLiteral("port")))
        d.serial.port = *p;
    if (n["baud"]) {
        if (auto b = r.integer(n["baud"], QStringLiteral("baud"), 50, 12'000'000))
            d.serial.baud = static_cast<int>(*b);
    }
    if (n["data_bits"]) {
        if (auto b = r.integer(n["data_bits"], QStringLiteral("data_bits"), 5, 8))
            d.serial.dataBits = static_cast<int>(*b);
    }
    if (n["stop_bits"]) {
        if (auto b = r.integer(n["stop_bits"], QStringLiteral("stop_bits"), 1, 2))
            d.serial.stopBits = static_cast<int>(*b);
    }
    if (n["parity"]) {
        static const QMap<QString, SerialSettings::Parity> names = {
            {QStringLiteral("none"), SerialSettings::Parity::None},
            {QStringLiteral("odd"), SerialSettings::Parity::Odd},
            {QStringLiteral("even"), SerialSettings::Parity::Even},
            {QStringLiteral("mark"), SerialSettings::Parity::Mark},
            {QStringLiteral("space"), SerialSettings::Parity::Space}};
        if (auto p = r.string(n["parity"], QStringLiteral("parity"))) {
            if (names.contains(*p))
                d.serial.parity = names.value(*p);
            else
                r.error(n["parity"], QStringLiteral("parity must be none, odd, even, mark or space"));
        }
    }
    if (n["flow"]) {
        static const QMap<QString, SerialSettings::Flow> names = {
            {QStringLiteral("none"), SerialSettings::Flow::None},
            {QStringLiteral("xonxoff"), SerialSettings::Flow::XonXoff},
            {QStringLiteral("rtscts"), SerialSettings::Flow::RtsCts},
            {QStringLiteral("dtrdsr"), SerialSettings::Flow::DtrDsr}};
        if (auto f = r.string(n["flow"], QStringLiteral("flow"))) {
            if (names.contains(*f))
                d.serial.flow = names.value(*f);
            else
                r.error(n["flow"], QStringLiteral("flow must be none, xonxoff, rtscts or dtrdsr"));
        }
    }
    if (n["backend"]) {
        static const QMap<QString, SerialSettings::Backend> names = {
            {QStringLiteral("auto"), SerialSettings::Backend::Auto},
            {QStringLiteral("libserialport"), SerialSettings::Backend::LibSerialPort},
            {QStringLiteral("pty"), SerialSettings::Backend::Pty}};
        if (auto b = r.string(n["backend"], QStringLiteral("backend"))) {
            if (names.contains(*b))
                d.serial.backend = names.value(*b);
            else
                r.error(n["backend"], QStringLiteral("backend must be auto, libserialport or pty"));
        }
    }
}

// tcp: and udp: alike: {host, port}.
void readHostPort(YamlReader &r, const YAML::Node &n, const QString &what, TcpSpec &spec) {
    if (!r.requireMap(n, what))
        return;
    r.checkKeys(n, {"host", "port"});
    if (!n["host"])
        r.error(n, QStringLiteral("%1 needs a host").arg(what));
    else if (auto h = r.string(n["host"], QStringLiteral("host")))
        spec.host = *h;
    if (!n["port"])
        r.error(n, QStringLiteral("%1 needs a port").arg(what));
    else if (auto p = r.integer(n["port"], QStringLiteral("port"), 1, 65535))
        spec.port = static_cast<quint16>(*p);
}

void readTcp(YamlReader &r, const YAML::Node &n, DeviceConfig &d) {
    d.kind = DeviceConfig::Kind::Tcp;
    readHostPort(r, n, QStringLiteral("tcp"), d.tcp);
}

void readSim(YamlReader &r, const YAML::Node &n, DeviceConfig &d) {
    d.kind = DeviceConfig::Kind::Sim;
    if (!r.requireMap(n, QStringLiteral("sim")))
        return;
    r.checkKeys(n, {"model", "transport", "seed", "options"});
    if (!n["model"]) {
        r.error(n, QStringLiteral("sim needs a model (one of: %1)").arg(kSimModels.join(u", ")));
    } else if (auto m = r.string(n["model"], QStringLiteral("model"))) {
        if (!kSimModels.contains(*m))
            r.error(
                n["model"],
                QStringLiteral("unknown simulator model '%1' (known: %2)").arg(*m, kSimModels.join(u", ")));
        d.sim.model = *m;
    }
    if (n["transport"]) {
        if (auto t = r.string(n["transport"], QStringLiteral("transport"))) {
            if (*t == u"pty")
                d.sim.link = SimSpec::Link::Pty;
            else if (*t == u"tcp")
                d.sim.link = SimSpec::Link::Tcp;
            else
                r.error(n["transport"], QStringLiteral("transport must be pty or tcp"));
        }
    }
    if (n["seed"]) {
        if (auto s = r.integer(n["seed"], QStringLiteral("seed"), 0, std::numeric_limits<qint64>::max()))
            d.sim.seed = static_cast<quint64>(*s);
    }
    if (const YAML::Node opts = n["options"]) {
        if (r.requireMap(opts, QStringLiteral("options"))) {
            static const QRegularExpression optionName(QStringLiteral("^[a-z][a-z0-9-]*$"));
            for (auto it = opts.begin(); it != opts.end(); ++it) {
                const QString key = toQString(it->first.Scalar());
                if (!optionName.match(key).hasMatch()) {
                    r.error(it->first,
                            QStringLiteral("simulator option names are lower-case words, not '%1'").arg(key));
                    continue;
                }
                if (auto v = r.string(it->second, QStringLiteral("option %1").arg(key)))
                    d.sim.options.insert(key, *v);
            }
        }
    }
}

void readDevice(YamlReader &r, const YAML::Node &key, const YAML::Node &n, Fixture &fixture) {
    DeviceConfig d;
    d.name = toQString(key.Scalar());
    static const QRegularExpression deviceName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.-]*$"));
    if (!deviceName.match(d.name).hasMatch())
        r.error(key,
                QStringLiteral("device names are letters, digits, '_', '-' and '.', not '%1'").arg(d.name));
    if (!r.requireMap(n, QStringLiteral("device '%1'").arg(d.name)))
        return;
    r.checkKeys(n,
                {"serial", "tcp", "udp", "sim", "mqtt", "modbus", "terminator", "max_line_length", "timeout",
                 "reconnect_timeout", "late_window", "stale", "power", "description", "framing"});
    // A simulated Modbus device has both: sim: says how it runs, modbus: its unit.
    const bool modbusWay = n["modbus"] && !n["sim"];
    const int ways = (n["serial"] ? 1 : 0) + (n["tcp"] ? 1 : 0) + (n["udp"] ? 1 : 0) + (n["sim"] ? 1 : 0)
                     + (n["mqtt"] ? 1 : 0) + (modbusWay ? 1 : 0);
    if (ways != 1)
        r.error(key, QStringLiteral("device '%1' needs exactly one of serial, tcp, udp, sim, modbus or mqtt")
                         .arg(d.name));
    if (n["serial"])
        readSerial(r, n["serial"], d);
    else if (n["tcp"])
        readTcp(r, n["tcp"], d);
    else if (n["udp"]) {
        d.kind = DeviceConfig::Kind::Udp;
        readHostPort(r, n["udp"], QStringLiteral("udp"), d.udp);
    } else if (n["sim"])
        readSim(r, n["sim"], d);
    else if (n["mqtt"])
        readMqttDevice(r, n["mqtt"], d);
    if (n["modbus"]) {
        readModbusDevice(r, n["modbus"], bool(n["sim"]), d,
                         [&](const YAML::Node &serial) { readSerial(r, serial, d); });
        if (n["sim"] && d.sim.model != u"modbus")
            r.error(n["modbus"], QStringLiteral("a simulated device with modbus: is sim model modbus"));
    } else if (d.kind == DeviceConfig::Kind::Sim && d.sim.model == u"modbus") {
        d.framing.kind =
            d.sim.link == SimSpec::Link::Tcp ? FramingSpec::Kind::ModbusTcp : FramingSpec::Kind::ModbusRtu;
    }
    if (n["framing"])
        readFraming(r, n["framing"], d);
    if (n["terminator"]) {
        if (auto t = r.string(n["terminator"], QStringLiteral("terminator"))) {
            d.terminator = unescapeTerminator(*t);
            if (d.terminator.isEmpty())
                r.error(n["terminator"], QStringLiteral("terminator must not be empty"));
        }
    }
    if (n["max_line_length"]) {
        if (auto m = r.integer(n["max_line_length"], QStringLiteral("max_line_length"), 16, 64 * 1024 * 1024))
            d.maxLineLength = *m;
    }
    if (n["timeout"]) {
        if (auto t = r.duration(n["timeout"], QStringLiteral("timeout"))) {
            if (t->count() <= 0)
                r.error(n["timeout"], QStringLiteral("timeout must be longer than zero"));
            d.timeout = *t;
        }
    }
    if (n["reconnect_timeout"]) {
        if (auto t = r.duration(n["reconnect_timeout"], QStringLiteral("reconnect_timeout")))
            d.reconnectTimeout = *t;
    }
    if (n["late_window"]) {
        if (auto t = r.duration(n["late_window"], QStringLiteral("late_window"))) {
            if (t->count() < 0)
                r.error(n["late_window"], QStringLiteral("late_window must not be negative"));
            d.lateWindow = *t;
        }
    }
    d.stale = d.kind == DeviceConfig::Kind::Mqtt ? DeviceConfig::Stale::Keep : DeviceConfig::Stale::Flush;
    if (const YAML::Node stale = n["stale"]) {
        const auto s = r.string(stale, QStringLiteral("stale"));
        if (s == u"flush")
            d.stale = DeviceConfig::Stale::Flush;
        else if (s == u"keep")
            d.stale = DeviceConfig::Stale::Keep;
        else if (s)
            r.error(stale, QStringLiteral("stale is flush or keep, not '%1'").arg(*s));
    }
    if (const YAML::Node power = n["power"]; power && r.requireMap(power, QStringLiteral("power"))) {
        r.checkKeys(power, {"supply"});
        if (!power["supply"])
            r.error(power, QStringLiteral("power needs the supply (a device of this fixture) that feeds it"));
        else if (auto s = r.string(power["supply"], QStringLiteral("supply")))
            d.powerSupply = *s;
    }
    if (n["description"]) {
        if (auto s = r.string(n["description"], QStringLiteral("description")))
            d.description = *s;
    }
    fixture.devices.append(d);
}

// "host:port"; false (with an error at `n`) if it is not.
bool readAddress(YamlReader &r, const YAML::Node &n, const QString &what, QString *host, quint16 *port) {
    const auto text = r.string(n, what);
    if (!text)
        return false;
    const qsizetype colon = text->lastIndexOf(u':');
    bool ok = false;
    const uint p = colon > 0 ? text->mid(colon + 1).toUInt(&ok) : 0;
    if (!ok || p > 65535) {
        r.error(n, QStringLiteral("%1 must be host:port, not '%2'").arg(what, *text));
        return false;
    }
    *host = text->left(colon);
    *port = static_cast<quint16>(p);
    return true;
}

void readProxy(YamlReader &r, const YAML::Node &key, const YAML::Node &n, Fixture &fixture) {
    ProxyConfig p;
    p.name = toQString(key.Scalar());
    if (fixture.device(p.name))
        r.error(key, QStringLiteral("proxy '%1' has the name of a device").arg(p.name));
    if (!r.requireMap(n, QStringLiteral("proxy '%1'").arg(p.name)))
        return;
    r.checkKeys(n, {"listen", "upstream", "serves", "transport", "idle_timeout"});
    if (const YAML::Node transport = n["transport"]) {
        const auto t = r.string(transport, QStringLiteral("transport"));
        if (t == u"udp")
            p.udp = true;
        else if (t && *t != u"tcp")
            r.error(transport, QStringLiteral("transport must be tcp or udp, not '%1'").arg(*t));
    }
    if (const YAML::Node idle = n["idle_timeout"]) {
        if (!p.udp)
            r.error(idle, QStringLiteral("idle_timeout is for a udp proxy's flows (add transport: udp)"));
        else if (const auto t = r.duration(idle, QStringLiteral("idle_timeout"))) {
            if (*t < kMinUdpIdleTimeout)
                r.error(idle, QStringLiteral("idle_timeout must be at least %1")
                                  .arg(formatDuration(kMinUdpIdleTimeout)));
            else
                p.idleTimeout = *t;
        }
    }
    if (const YAML::Node serves = n["serves"];
        serves && r.requireSequence(serves, QStringLiteral("serves (the devices behind the proxy)"))) {
        for (const YAML::Node &s : serves) {
            const auto name = r.string(s, QStringLiteral("a device the proxy serves"));
            if (!name)
                continue;
            if (!fixture.device(*name))
                r.error(s, QStringLiteral("proxy '%1' serves '%2', which is not a device of this fixture")
                               .arg(p.name, *name));
            else if (p.serves.contains(*name))
                r.error(s, QStringLiteral("proxy '%1' serves '%2' twice").arg(p.name, *name));
            else
                p.serves.append(*name);
        }
    }
    if (n["listen"])
        readAddress(r, n["listen"], QStringLiteral("listen"), &p.listenHost, &p.listenPort);
    if (!n["upstream"]) {
        r.error(n, QStringLiteral("proxy '%1' needs an upstream host:port").arg(p.name));
    } else if (readAddress(r, n["upstream"], QStringLiteral("upstream"), &p.upstreamHost, &p.upstreamPort)
               && p.upstreamPort == 0) {
        r.error(n["upstream"], QStringLiteral("upstream needs a port"));
    }
    fixture.proxies.append(p);
}

void readBroker(YamlReader &r, const YAML::Node &key, const YAML::Node &n, Fixture &fixture) {
    BrokerConfig b;
    b.name = toQString(key.Scalar());
    if (fixture.device(b.name) || fixture.proxy(b.name))
        r.error(key, QStringLiteral("broker '%1' has the name of a device or proxy").arg(b.name));
    if (!r.requireMap(n, QStringLiteral("broker '%1'").arg(b.name)))
        return;
    r.checkKeys(n, {"listen"});
    if (!n["listen"]) {
        r.error(n, QStringLiteral("broker '%1' needs listen: host:port").arg(b.name));
    } else if (readAddress(r, n["listen"], QStringLiteral("listen"), &b.listenHost, &b.listenPort)
               && b.listenPort == 0) {
        r.error(n["listen"], QStringLiteral("a broker's listen needs a port (clients must know it)"));
    }
    fixture.brokers.append(b);
}

// A device's supply must be another device of the fixture, and a simulated device's a simulated psu.
void checkSupplies(YamlReader &r, const YAML::Node &devices, const Fixture &fixture) {
    for (auto it = devices.begin(); it != devices.end(); ++it) {
        // The entry's own nodes, each checked before it is indexed (a missing key's node throws on any
        // question but whether it exists): under a duplicate name, already an error, fixture.device() may
        // describe another entry than this one.
        const YAML::Node n = it->second;
        const YAML::Node power = n.IsMap() ? n["power"] : YAML::Node();
        const YAML::Node at = power && power.IsMap() ? power["supply"] : YAML::Node();
        const DeviceConfig *d = fixture.device(toQString(it->first.Scalar()));
        if (!d || !at || !at.IsScalar())
            continue;
        const QString supplyName = toQString(at.Scalar());
        const DeviceConfig *supply = fixture.device(supplyName);
        if (!supply)
            r.error(at, QStringLiteral("unknown supply '%1': not a device of this fixture").arg(supplyName));
        else if (supply == d)
            r.error(at, QStringLiteral("a device cannot feed itself"));
        else if (d->kind == DeviceConfig::Kind::Sim
                 && (supply->kind != DeviceConfig::Kind::Sim || supply->sim.model != u"psu"))
            r.error(at, QStringLiteral("a simulated device is fed by a simulated supply (sim model psu)"));
    }
}

} // namespace

namespace {

// The bench's values for the scenarios' variables (addresses, calibration): plain values, no expressions.
void readFixtureVars(YamlReader &r, const YAML::Node &vars, Fixture &fixture) {
    if (!r.requireMap(vars, QStringLiteral("vars")))
        return;
    r.checkDuplicateKeys(vars);
    for (auto it = vars.begin(); it != vars.end(); ++it) {
        const QString name = toQString(it->first.Scalar());
        QString why;
        if (!isVariableName(name, &why)) {
            r.error(it->first, why);
            continue;
        }
        const YAML::Node v = it->second;
        if (!v.IsScalar() || hasTemplate(toQString(v.Scalar()))) {
            r.error(v, QStringLiteral("a fixture's vars are plain values (a number, true/false or a text)"));
            continue;
        }
        // Quoted: text as written ('007' stays a text); plain: typed.
        const QString text = toQString(v.Scalar());
        fixture.vars.append({name, v.Tag() == "!" ? QVariant(text) : scalarValue(text)});
    }
}

void readFixture(YamlReader &r, const YAML::Node &root, Fixture &fixture) {
    if (r.ok() && r.requireMap(root, QStringLiteral("a fixture"))) {
        r.checkKeys(root, {"name", "description", "metadata", "vars", "devices", "proxies", "brokers"});
        if (const YAML::Node vars = root["vars"]; vars && !vars.IsNull())
            readFixtureVars(r, vars, fixture);
        if (root["name"]) {
            if (auto s = r.string(root["name"], QStringLiteral("name")))
                fixture.name = *s;
        }
        if (const YAML::Node meta = root["metadata"];
            meta && r.requireMap(meta, QStringLiteral("metadata"))) {
            r.checkKeys(meta, {"station", "dut_serial", "firmware"});
            if (meta["station"])
                fixture.station = r.string(meta["station"], QStringLiteral("station")).value_or(QString());
            if (meta["dut_serial"])
                fixture.dutSerial =
                    r.string(meta["dut_serial"], QStringLiteral("dut_serial")).value_or(QString());
            if (meta["firmware"])
                fixture.firmware = r.string(meta["firmware"], QStringLiteral("firmware")).value_or(QString());
        }
        const YAML::Node devices = root["devices"];
        if (!devices) {
            r.error(root, QStringLiteral("a fixture needs devices"));
        } else if (r.requireMap(devices, QStringLiteral("devices"))) {
            r.checkDuplicateKeys(devices);
            for (auto it = devices.begin(); it != devices.end(); ++it)
                readDevice(r, it->first, it->second, fixture);
            if (devices.size() == 0)
                r.error(devices, QStringLiteral("a fixture needs at least one device"));
            checkSupplies(r, devices, fixture);
        }
        if (const YAML::Node proxies = root["proxies"];
            proxies && r.requireMap(proxies, QStringLiteral("proxies"))) {
            r.checkDuplicateKeys(proxies);
            for (auto it = proxies.begin(); it != proxies.end(); ++it)
                readProxy(r, it->first, it->second, fixture);
        }
        if (const YAML::Node brokers = root["brokers"];
            brokers && r.requireMap(brokers, QStringLiteral("brokers"))) {
            r.checkDuplicateKeys(brokers);
            for (auto it = brokers.begin(); it != brokers.end(); ++it)
                readBroker(r, it->first, it->second, fixture);
        }
    }
}

std::optional<Fixture> parseFixture(YamlReader &r, const YAML::Node &root, SourceErrors *errors) {
    Fixture fixture;
    fixture.path = r.file();
    fixture.name = QFileInfo(r.file()).completeBaseName();
    try {
        readFixture(r, root, fixture);
    } catch (const YAML::Exception &e) {
        r.internalError(e);
    }
    if (!r.ok()) {
        if (errors)
            *errors = r.errors();
        return std::nullopt;
    }
    return fixture;
}

} // namespace

std::optional<Fixture> loadFixture(const QString &path, SourceErrors *errors) {
    YamlReader r(path);
    const YAML::Node root = r.load();
    return parseFixture(r, root, errors);
}

std::optional<Fixture> loadFixtureText(const QByteArray &text, const QString &fileName,
                                       SourceErrors *errors) {
    YamlReader r(fileName);
    const YAML::Node root = r.loadText(text);
    return parseFixture(r, root, errors);
}

} // namespace hil
