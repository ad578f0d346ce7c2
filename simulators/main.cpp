// hil-sim: runs one simulated device until SIGTERM/SIGINT or until its parent dies.
// See docs/simulators.md for the command line, the READY line, the protocols and the control channel.

#include "controlserver.h"
#include "envsensorprotocol.h"
#include "feedclient.h"
#include "gateway.h"
#include "gatewayprotocol.h"
#include "gpsprotocol.h"
#include "modbusprotocol.h"
#include "psuprotocol.h"
#include "ptyendpoint.h"
#include "signalwatcher.h"
#include "simdevice.h"
#include "tcpendpoint.h"
#include "udpendpoint.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QRegularExpression>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <sys/prctl.h>
#include <type_traits>
#include <unistd.h>

using namespace hilsim;

namespace {

enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

enum class Model { EnvSensor, Psu, Gps, Gateway, Modbus };

struct Options {
    Model model = Model::EnvSensor;
    EnvSensorConfig envSensor;
    PsuConfig psu;
    GpsConfig gps;
    GatewayConfig gateway;
    ModbusConfig modbus;
    bool pty = false;
    bool udp = false;
    QString link; // --link: a symbolic link to the PTY slave
    quint16 port = 0;
    QHostAddress bindAddress{QHostAddress::LocalHost};
    quint16 controlPort = 0;
    std::optional<QHostAddress> feedsAddress; // psu: the control channel of the device it feeds
    quint16 feedsPort = 0;
};

void printError(const QString &message) {
    std::fprintf(stderr, "hil-sim: %s\n", qPrintable(message));
}

// The harness parses stdout, so it gets this one line and nothing else, flushed at once because a
// pipe is block-buffered.
void announceReady(const QString &where) {
    std::fprintf(stdout, "READY %s\n", qPrintable(where));
    std::fflush(stdout);
}

QString hostAndPort(const QHostAddress &address, quint16 port) {
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                             : address.toString();
    return host + QLatin1Char(':') + QString::number(port);
}

// Identity strings end up inside a comma-separated *IDN? answer, so they must not break it.
bool isValidIdentity(const QString &text) {
    if (text.isEmpty())
        return false;
    for (const QChar c : text) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f || c == QLatin1Char(','))
            return false;
    }
    return true;
}

// "127.0.0.1:4000" or "[::1]:4000".
bool parseHostPort(const QString &text, QHostAddress *address, quint16 *port) {
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    *port = text.mid(colon + 1).toUShort(&ok);
    return ok && *port != 0 && address->setAddress(host);
}

// The gateway's own options, in the order of GatewayOptionList.
struct GatewayOptionList {
    QCommandLineOption broker, sensors, sensorPort, period, buffer, id, inflight, keepalive, ackTimeout;
};

// "1s", "250ms", "2.5s", "1m", "1h"; a bare number is seconds.
std::optional<std::chrono::milliseconds> parseDuration(const QString &text) {
    static const QRegularExpression shape(QStringLiteral("^([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)?$"));
    const QRegularExpressionMatch m = shape.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    const double value = m.captured(1).toDouble();
    const QString unit = m.captured(2);
    const double scale = unit == u"ms" ? 1.0 : unit == u"m" ? 60000.0 : unit == u"h" ? 3600000.0 : 1000.0;
    return std::chrono::milliseconds(std::llround(value * scale));
}

bool readGatewayOptions(const QCommandLineParser &parser, GatewayConfig &config, const GatewayOptionList &o) {
    if (!parser.isSet(o.broker)) {
        printError(QStringLiteral("gateway needs --broker HOST:PORT"));
        return false;
    }
    const QString broker = parser.value(o.broker);
    const qsizetype colon = broker.lastIndexOf(u':');
    bool ok = false;
    const uint port = colon > 0 ? broker.mid(colon + 1).toUInt(&ok) : 0;
    if (!ok || port == 0 || port > 65535) {
        printError(QStringLiteral("--broker: expected HOST:PORT, got ") + broker);
        return false;
    }
    config.brokerHost = broker.left(colon);
    if (config.brokerHost.startsWith(u'[') && config.brokerHost.endsWith(u']'))
        config.brokerHost = config.brokerHost.mid(1, config.brokerHost.size() - 2);
    config.brokerPort = static_cast<quint16>(port);
    config.sensorPorts = parser.values(o.sensorPort);
    config.simulatedSensors = config.sensorPorts.isEmpty() ? 1 : 0;
    const auto integer = [&parser](const QCommandLineOption &option, qint64 low, qint64 high,
                                   auto *target) -> bool {
        if (!parser.isSet(option))
            return true;
        bool valid = false;
        const qint64 v = parser.value(option).toLongLong(&valid);
        if (!valid || v < low || v > high) {
            printError(QStringLiteral("--%1: expected %2..%3, got %4")
                           .arg(option.names().first())
                           .arg(low)
                           .arg(high)
                           .arg(parser.value(option)));
            return false;
        }
        *target = static_cast<std::remove_pointer_t<decltype(target)>>(v);
        return true;
    };
    if (!integer(o.sensors, 0, 16, &config.simulatedSensors)
        || !integer(o.buffer, 1, 1'000'000, &config.bufferSize)
        || !integer(o.inflight, 1, 20, &config.inflight)
        || !integer(o.keepalive, 5, 600, &config.keepaliveSeconds))
        return false;
    if (config.simulatedSensors + config.sensorPorts.size() == 0) {
        printError(QStringLiteral("gateway needs at least one sensor (--sensors N or --sensor-port PATH)"));
        return false;
    }
    if (parser.isSet(o.period)) {
        const auto period = parseDuration(parser.value(o.period));
        if (!period || *period < std::chrono::milliseconds(10) || *period > std::chrono::hours(1)) {
            printError(QStringLiteral("--period: expected a duration 10ms..1h, got ")
                       + parser.value(o.period));
            return false;
        }
        config.period = *period;
    }
    if (parser.isSet(o.ackTimeout)) {
        const auto timeout = parseDuration(parser.value(o.ackTimeout));
        if (!timeout || *timeout < std::chrono::milliseconds(100) || *timeout > std::chrono::minutes(1)) {
            printError(QStringLiteral("--ack-timeout: expected a duration 100ms..1m, got ")
                       + parser.value(o.ackTimeout));
            return false;
        }
        config.ackTimeout = *timeout;
    }
    if (parser.isSet(o.id)) {
        static const QRegularExpression idShape(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
        if (!idShape.match(parser.value(o.id)).hasMatch()) {
            printError(QStringLiteral("--id: letters, digits, '_', '.' and '-' (a topic level), got ")
                       + parser.value(o.id));
            return false;
        }
        config.id = parser.value(o.id).toLatin1();
    }
    return true;
}

std::optional<Options> parseArguments(const QCoreApplication &app) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Simulated devices for the HIL harness.\n\n"
                       "Models:\n"
                       "  envsensor  ACME ENV-1 temperature/humidity sensor\n"
                       "  psu        ACME PSU-2 SCPI bench power supply, may feed another hil-sim\n"
                       "  gps        ACME GPS-1 receiver: NMEA sentences unasked, at --rate fixes/s\n"
                       "  gateway    ACME GW-1 gateway: polls sensors, publishes their readings to MQTT\n\n"
                       "  modbus     Modbus PLC with the ENV-1 sensor behind its registers: RTU on --pty,\n"
                       "             Modbus TCP on --tcp\n\n"
                       "Every model also serves a control channel on 127.0.0.1 (faults, power)."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("model"),
        QStringLiteral("Device model to simulate: envsensor, psu, gps, gateway or modbus."),
        QStringLiteral("envsensor|psu|gps|gateway|modbus"));
    const QCommandLineOption ptyOption(QStringLiteral("pty"),
                                       QStringLiteral("Serve on a new pseudo-terminal."));
    const QCommandLineOption linkOption(
        QStringLiteral("link"),
        QStringLiteral("With --pty: keep a symbolic link to the terminal at PATH (the READY line names it)."),
        QStringLiteral("PATH"));
    const QCommandLineOption tcpOption(QStringLiteral("tcp"),
                                       QStringLiteral("Serve on TCP port PORT (0 picks a free one)."),
                                       QStringLiteral("PORT"));
    const QCommandLineOption udpOption(QStringLiteral("udp"),
                                       QStringLiteral("Serve on UDP port PORT (0 picks a free one)."),
                                       QStringLiteral("PORT"));
    const QCommandLineOption bindOption(
        QStringLiteral("bind"), QStringLiteral("Address to listen on with --tcp (default 127.0.0.1)."),
        QStringLiteral("ADDR"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption controlOption(
        QStringLiteral("control"),
        QStringLiteral("Control channel port on 127.0.0.1 (default 0: a free one)."), QStringLiteral("PORT"),
        QStringLiteral("0"));
    const QCommandLineOption seedOption(QStringLiteral("seed"),
                                        QStringLiteral("Noise and fault seed (default 1)."),
                                        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption serialOption(
        QStringLiteral("serial"), QStringLiteral("Serial number in *IDN? (default SN0001, psu PS0001)."),
        QStringLiteral("S"));
    const QCommandLineOption firmwareOption(
        QStringLiteral("firmware"), QStringLiteral("Firmware version in *IDN? (default 1.4.2, psu 2.1.0)."),
        QStringLiteral("F"));
    const QCommandLineOption rateOption(
        QStringLiteral("rate"),
        QStringLiteral(
            "envsensor: sample and stream rate in Hz; gps: fixes per second; 0.1..1000 (default 10)."),
        QStringLiteral("HZ"));
    const QCommandLineOption voltOption(QStringLiteral("volt"),
                                        QStringLiteral("psu: voltage set point, 0..30 V (default 5)."),
                                        QStringLiteral("V"));
    const QCommandLineOption outputOption(
        QStringLiteral("output"), QStringLiteral("psu: output state at start and after a boot (default on)."),
        QStringLiteral("on|off"));
    const QCommandLineOption feedsOption(
        QStringLiteral("feeds-control"),
        QStringLiteral("psu: the control channel of the hil-sim this supply feeds; its output switches "
                       "that device with POWER ON / POWER OFF."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption bannerOption(
        QStringLiteral("banner"),
        QStringLiteral("Send \"<MODEL> <serial> ready\" when a client connects (TCP) or at start (PTY)."));
    const QCommandLineOption unitOption(
        QStringLiteral("unit"), QStringLiteral("modbus: the RTU unit id it answers, 1..247 (default 1)."),
        QStringLiteral("ID"));
    const QCommandLineOption noReplyOption(QStringLiteral("no-reply"),
                                           QStringLiteral("Read and discard everything, never answer."));
    const QCommandLineOption brokerOption(
        QStringLiteral("broker"), QStringLiteral("gateway: the MQTT broker to publish to (required)."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption sensorsOption(
        QStringLiteral("sensors"),
        QStringLiteral(
            "gateway: simulated ENV-1 sensors to poll, 0..16 (default 1, or 0 with --sensor-port)."),
        QStringLiteral("N"));
    const QCommandLineOption sensorPortOption(
        QStringLiteral("sensor-port"),
        QStringLiteral("gateway: a real ENV-1's serial port to poll as well (may be repeated)."),
        QStringLiteral("PATH"));
    const QCommandLineOption periodOption(QStringLiteral("period"),
                                          QStringLiteral("gateway: polling period, 10ms..1h (default 1s)."),
                                          QStringLiteral("DURATION"));
    const QCommandLineOption bufferOption(
        QStringLiteral("buffer"),
        QStringLiteral("gateway: readings kept while the broker is unreachable, 1..1000000 (default 500)."),
        QStringLiteral("N"));
    const QCommandLineOption idOption(QStringLiteral("id"),
                                      QStringLiteral("gateway: its id in the topics gw/<id>/<sensor>/reading "
                                                     "(default gw1)."),
                                      QStringLiteral("ID"));
    const QCommandLineOption inflightOption(
        QStringLiteral("inflight"),
        QStringLiteral("gateway: readings in flight to the broker at once, 1..20 (default 1: strictly in "
                       "order)."),
        QStringLiteral("N"));
    const QCommandLineOption keepaliveOption(
        QStringLiteral("keepalive"),
        QStringLiteral("gateway: MQTT keepalive in seconds, 5..600 (default 5)."), QStringLiteral("S"));
    const QCommandLineOption ackTimeoutOption(
        QStringLiteral("ack-timeout"),
        QStringLiteral(
            "gateway: how long to wait for CONNACK or a reading's PUBCOMP before connecting again, "
            "100ms..1m (default 2s)."),
        QStringLiteral("DURATION"));
    parser.addOptions({udpOption});
    parser.addOptions({ptyOption,      linkOption,       tcpOption,        bindOption,    controlOption,
                       seedOption,     serialOption,     firmwareOption,   rateOption,    voltOption,
                       outputOption,   feedsOption,      bannerOption,     noReplyOption, brokerOption,
                       sensorsOption,  sensorPortOption, periodOption,     bufferOption,  idOption,
                       inflightOption, keepaliveOption,  ackTimeoutOption, unitOption});

    if (!parser.parse(app.arguments())) {
        printError(parser.errorText() + QStringLiteral(" (see --help)"));
        return std::nullopt;
    }
    if (parser.isSet(helpOption))
        parser.showHelp(ExitOk);
    if (parser.isSet(versionOption))
        parser.showVersion();

    Options options;
    const QStringList positional = parser.positionalArguments();
    if (positional == QStringList{QStringLiteral("envsensor")}) {
        options.model = Model::EnvSensor;
    } else if (positional == QStringList{QStringLiteral("psu")}) {
        options.model = Model::Psu;
    } else if (positional == QStringList{QStringLiteral("gps")}) {
        options.model = Model::Gps;
    } else if (positional == QStringList{QStringLiteral("gateway")}) {
        options.model = Model::Gateway;
    } else if (positional == QStringList{QStringLiteral("modbus")}) {
        options.model = Model::Modbus;
    } else {
        printError(QStringLiteral(
            "expected exactly one model, envsensor, psu, gps, gateway or modbus (see --help)"));
        return std::nullopt;
    }
    const bool psu = options.model == Model::Psu;
    for (const QCommandLineOption *option : {&voltOption, &outputOption, &feedsOption}) {
        if (!psu && parser.isSet(*option)) {
            printError(QStringLiteral("--%1 only applies to psu").arg(option->names().first()));
            return std::nullopt;
        }
    }
    const bool gateway = options.model == Model::Gateway;
    for (const QCommandLineOption *option :
         {&brokerOption, &sensorsOption, &sensorPortOption, &periodOption, &bufferOption, &idOption,
          &inflightOption, &keepaliveOption, &ackTimeoutOption}) {
        if (!gateway && parser.isSet(*option)) {
            printError(QStringLiteral("--%1 only applies to gateway").arg(option->names().first()));
            return std::nullopt;
        }
    }
    if (gateway && parser.isSet(rateOption)) {
        printError(QStringLiteral("--rate only applies to envsensor, gps and modbus"));
        return std::nullopt;
    }
    const bool modbus = options.model == Model::Modbus;
    if (parser.isSet(unitOption) && !modbus) {
        printError(QStringLiteral("--unit only applies to modbus"));
        return std::nullopt;
    }
    if (modbus
        && (parser.isSet(bannerOption) || parser.isSet(serialOption) || parser.isSet(firmwareOption))) {
        printError(QStringLiteral("--banner, --serial and --firmware do not apply to modbus"));
        return std::nullopt;
    }
    if (psu && parser.isSet(rateOption)) {
        printError(QStringLiteral("--rate only applies to envsensor, gps and modbus"));
        return std::nullopt;
    }
    if ((parser.isSet(ptyOption) ? 1 : 0) + (parser.isSet(tcpOption) ? 1 : 0)
            + (parser.isSet(udpOption) ? 1 : 0)
        != 1) {
        printError(QStringLiteral("give exactly one of --pty, --tcp PORT and --udp PORT"));
        return std::nullopt;
    }

    options.pty = parser.isSet(ptyOption);
    options.udp = parser.isSet(udpOption);
    bool ok = false;
    if (!options.pty) {
        const QCommandLineOption &portOption = options.udp ? udpOption : tcpOption;
        options.port = parser.value(portOption).toUShort(&ok);
        if (!ok) {
            printError(QStringLiteral("--%1: not a port number: %2")
                           .arg(portOption.names().constFirst(), parser.value(portOption)));
            return std::nullopt;
        }
    }
    if (parser.isSet(linkOption)) {
        if (!options.pty || parser.value(linkOption).isEmpty()) {
            printError(QStringLiteral("--link PATH only applies to --pty"));
            return std::nullopt;
        }
        options.link = parser.value(linkOption);
        // Refused before anything starts: the simulator replaces only a link of its own kind.
        if (const QString problem = PtyEndpoint::linkPathProblem(options.link); !problem.isEmpty()) {
            printError(QStringLiteral("--link: ") + problem);
            return std::nullopt;
        }
    }
    if (parser.isSet(bindOption) && options.pty) {
        printError(QStringLiteral("--bind only applies to --tcp and --udp"));
        return std::nullopt;
    }
    if (!options.bindAddress.setAddress(parser.value(bindOption))) {
        printError(QStringLiteral("--bind: not an IP address: ") + parser.value(bindOption));
        return std::nullopt;
    }
    options.controlPort = parser.value(controlOption).toUShort(&ok);
    if (!ok) {
        printError(QStringLiteral("--control: not a port number: ") + parser.value(controlOption));
        return std::nullopt;
    }
    const quint64 seed = parser.value(seedOption).toULongLong(&ok);
    if (!ok) {
        printError(QStringLiteral("--seed: not an unsigned 64-bit number: ") + parser.value(seedOption));
        return std::nullopt;
    }
    const QString serial =
        parser.isSet(serialOption)
            ? parser.value(serialOption)
            : QString::fromLatin1(psu ? options.psu.serial
                                      : (gateway ? options.gateway.serial : options.envSensor.serial));
    const QString firmware =
        parser.isSet(firmwareOption)
            ? parser.value(firmwareOption)
            : QString::fromLatin1(psu ? options.psu.firmware
                                      : (gateway ? options.gateway.firmware : options.envSensor.firmware));
    if (!isValidIdentity(serial) || !isValidIdentity(firmware)) {
        printError(
            QStringLiteral("--serial and --firmware must be printable ASCII without spaces or commas"));
        return std::nullopt;
    }
    const bool banner = parser.isSet(bannerOption);
    const bool noReply = parser.isSet(noReplyOption);

    if (gateway) {
        GatewayConfig &config = options.gateway;
        config.seed = seed;
        config.serial = serial.toLatin1();
        config.firmware = firmware.toLatin1();
        config.banner = banner;
        config.noReply = noReply;
        if (!readGatewayOptions(parser, config,
                                {brokerOption, sensorsOption, sensorPortOption, periodOption, bufferOption,
                                 idOption, inflightOption, keepaliveOption, ackTimeoutOption}))
            return std::nullopt;
        return options;
    }
    if (!psu) {
        EnvSensorConfig &config = options.envSensor;
        config.seed = seed;
        config.serial = serial.toLatin1();
        config.firmware = firmware.toLatin1();
        config.banner = banner;
        config.noReply = noReply;
        if (parser.isSet(rateOption)) {
            config.rateHz = parser.value(rateOption).toDouble(&ok);
            if (!ok || !std::isfinite(config.rateHz) || config.rateHz < EnvSensorProtocol::kMinRateHz
                || config.rateHz > EnvSensorProtocol::kMaxRateHz) {
                printError(QStringLiteral("--rate: expected 0.1..1000 Hz, got ") + parser.value(rateOption));
                return std::nullopt;
            }
        }
        if (options.model == Model::Gps) {
            // The same identity, rate and behaviour options as the sensor; a GPS-1's own defaults.
            GpsConfig &gps = options.gps;
            if (parser.isSet(serialOption))
                gps.serial = config.serial;
            if (parser.isSet(firmwareOption))
                gps.firmware = config.firmware;
            gps.rateHz = config.rateHz;
            gps.banner = banner;
            gps.noReply = noReply;
        }
        if (modbus) {
            ModbusConfig &plc = options.modbus;
            plc.seed = seed;
            plc.rateHz = config.rateHz;
            plc.noReply = noReply;
            plc.framing = options.pty ? ModbusFraming::Rtu : ModbusFraming::Tcp;
            if (parser.isSet(unitOption)) {
                const uint unit = parser.value(unitOption).toUInt(&ok);
                if (!ok || unit < 1 || unit > 247) {
                    printError(QStringLiteral("--unit: expected 1..247, got ") + parser.value(unitOption));
                    return std::nullopt;
                }
                plc.unit = static_cast<quint8>(unit);
            }
        }
        return options;
    }

    PsuConfig &config = options.psu;
    config.seed = seed;
    config.serial = serial.toLatin1();
    config.firmware = firmware.toLatin1();
    config.banner = banner;
    config.noReply = noReply;
    if (parser.isSet(voltOption)) {
        config.volts = parser.value(voltOption).toDouble(&ok);
        if (!ok || !std::isfinite(config.volts) || config.volts < 0.0
            || config.volts > PsuProtocol::kMaxVolts) {
            printError(QStringLiteral("--volt: expected 0..30 V, got ") + parser.value(voltOption));
            return std::nullopt;
        }
    }
    if (parser.isSet(outputOption)) {
        const QString output = parser.value(outputOption);
        if (output != u"on" && output != u"off") {
            printError(QStringLiteral("--output: expected on or off, got ") + output);
            return std::nullopt;
        }
        config.outputOn = output == u"on";
    }
    if (parser.isSet(feedsOption)) {
        QHostAddress address;
        if (!parseHostPort(parser.value(feedsOption), &address, &options.feedsPort)) {
            printError(QStringLiteral("--feeds-control: expected HOST:PORT, got ")
                       + parser.value(feedsOption));
            return std::nullopt;
        }
        options.feedsAddress = address;
    }
    return options;
}

int runDevice(const Options &options, pid_t originalParent) {
    SignalWatcher signalWatcher;
    if (!signalWatcher.install({SIGTERM, SIGINT})) {
        printError(signalWatcher.errorString());
        return ExitFailure;
    }
    QObject::connect(&signalWatcher, &SignalWatcher::signalReceived, &signalWatcher, [](int signalNumber) {
        std::fprintf(stderr, "hil-sim: caught signal %d, exiting\n", signalNumber);
        QCoreApplication::quit();
    });
    // Set after the handlers, so the parent's death takes the same clean exit as a SIGTERM. If the
    // parent died before this call, no signal will ever come: check for that too.
    if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || ::getppid() != originalParent) {
        printError(QStringLiteral("parent process is gone"));
        return ExitFailure;
    }

    PsuProtocol *psu = nullptr;
    std::unique_ptr<Gateway> gateway; // outlives the device, whose protocol points at it
    std::unique_ptr<DeviceProtocol> protocol;
    quint64 seed = 0;
    if (options.model == Model::Psu) {
        auto psuProtocol = std::make_unique<PsuProtocol>(options.psu);
        psu = psuProtocol.get();
        protocol = std::move(psuProtocol);
        seed = options.psu.seed;
    } else if (options.model == Model::Gps) {
        protocol = std::make_unique<GpsProtocol>(options.gps);
        seed = options.envSensor.seed;
    } else if (options.model == Model::Gateway) {
        gateway = std::make_unique<Gateway>(options.gateway);
        protocol =
            std::make_unique<GatewayProtocol>(gateway.get(), options.gateway.banner, options.gateway.noReply);
        seed = options.gateway.seed;
    } else if (options.model == Model::Modbus) {
        protocol = std::make_unique<ModbusProtocol>(options.modbus);
        seed = options.modbus.seed;
    } else {
        protocol = std::make_unique<EnvSensorProtocol>(options.envSensor);
        seed = options.envSensor.seed;
    }
    SimDevice device(std::move(protocol), seed);

    ControlServer control(&device);
    if (!control.listen(options.controlPort)) {
        printError(QStringLiteral("cannot listen for control on 127.0.0.1 port %1: %2")
                       .arg(options.controlPort)
                       .arg(control.errorString()));
        return ExitFailure;
    }
    const QString controlAddress =
        QStringLiteral(" control ") + hostAndPort(control.address(), control.port());

    std::unique_ptr<PtyEndpoint> ptyEndpoint;
    std::unique_ptr<TcpEndpoint> tcpEndpoint;
    std::unique_ptr<UdpEndpoint> udpEndpoint;
    QString where;
    if (options.udp) {
        udpEndpoint = std::make_unique<UdpEndpoint>(&device);
        if (!udpEndpoint->bind(options.bindAddress, options.port)) {
            printError(QStringLiteral("cannot bind UDP %1 port %2: %3")
                           .arg(options.bindAddress.toString())
                           .arg(options.port)
                           .arg(udpEndpoint->errorString()));
            return ExitFailure;
        }
        device.startSession(); // no connection to wait for
        where = QStringLiteral("udp ") + hostAndPort(udpEndpoint->address(), udpEndpoint->port());
    } else if (options.pty) {
        ptyEndpoint = std::make_unique<PtyEndpoint>(&device);
        ptyEndpoint->setLinkPath(options.link);
        if (!ptyEndpoint->open()) {
            printError(QStringLiteral("cannot create a pseudo-terminal: ") + ptyEndpoint->errorString());
            return ExitFailure;
        }
        // Before READY, so the banner is already waiting in the terminal when the harness opens it.
        device.startSession();
        // The link, when there is one: it stays valid when an unplug fault replaces the terminal.
        where = QStringLiteral("pty ") + (options.link.isEmpty() ? ptyEndpoint->slavePath() : options.link);
    } else {
        tcpEndpoint = std::make_unique<TcpEndpoint>(&device);
        if (!tcpEndpoint->listen(options.bindAddress, options.port)) {
            printError(QStringLiteral("cannot listen on %1 port %2: %3")
                           .arg(options.bindAddress.toString())
                           .arg(options.port)
                           .arg(tcpEndpoint->errorString()));
            return ExitFailure;
        }
        where = QStringLiteral("tcp ") + hostAndPort(tcpEndpoint->address(), tcpEndpoint->port());
    }

    if (gateway && !gateway->start()) {
        printError(QStringLiteral("gateway: ") + gateway->errorString());
        return ExitFailure;
    }

    std::unique_ptr<FeedClient> feed;
    if (psu && options.feedsAddress) {
        feed = std::make_unique<FeedClient>(*options.feedsAddress, options.feedsPort);
        // The answer to OUTP waits until the fed device has been switched, so "OK" means it happened.
        psu->setOutputSwitchedHandler([&device, psu, feedClient = feed.get()](bool on) {
            device.holdOutput();
            feedClient->send(on ? "POWER ON" : "POWER OFF", [&device, psu](bool ok, const QByteArray &reply) {
                if (!ok)
                    std::fprintf(stderr, "hil-sim: switching the fed device failed: %s\n", reply.constData());
                psu->setLoadConnected(ok);
                device.releaseOutput();
            });
        });
        // The fed device starts out powered the way this supply's output is; READY only once it is.
        feed->send(psu->isOutputOn() ? "POWER ON" : "POWER OFF", [psu, where, controlAddress](
                                                                     bool ok, const QByteArray &reply) {
            if (!ok) {
                printError(QStringLiteral("cannot switch the fed device: ") + QString::fromLocal8Bit(reply));
                QCoreApplication::exit(ExitFailure);
                return;
            }
            psu->setLoadConnected(true);
            announceReady(where + controlAddress);
        });
    } else {
        announceReady(where + controlAddress);
    }
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[]) {
    const pid_t parent = ::getppid();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hil-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HILSIM_VERSION));

    const std::optional<Options> options = parseArguments(app);
    if (!options)
        return ExitUsage;
    return runDevice(*options, parent);
}
