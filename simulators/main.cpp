// hil-sim: runs one simulated device until SIGTERM/SIGINT or until its parent dies.
// See docs/simulators.md for the command line, the READY line and the protocol.

#include "envsensordevice.h"
#include "envsensorprotocol.h"
#include "ptyendpoint.h"
#include "signalwatcher.h"
#include "tcpendpoint.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <optional>
#include <sys/prctl.h>
#include <unistd.h>

using namespace hilsim;

namespace {

enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

struct Options {
    EnvSensorConfig config;
    bool pty = false;
    quint16 port = 0;
    QHostAddress bindAddress{QHostAddress::LocalHost};
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

std::optional<Options> parseArguments(const QCoreApplication &app) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Simulated devices for the HIL harness.\n\n"
                                                    "Models:\n"
                                                    "  envsensor  ACME ENV-1 temperature/humidity sensor"));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QStringLiteral("Device model to simulate: envsensor."),
                                 QStringLiteral("envsensor"));
    const QCommandLineOption ptyOption(QStringLiteral("pty"),
                                       QStringLiteral("Serve on a new pseudo-terminal."));
    const QCommandLineOption tcpOption(QStringLiteral("tcp"),
                                       QStringLiteral("Serve on TCP port PORT (0 picks a free one)."),
                                       QStringLiteral("PORT"));
    const QCommandLineOption bindOption(
        QStringLiteral("bind"), QStringLiteral("Address to listen on with --tcp (default 127.0.0.1)."),
        QStringLiteral("ADDR"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption seedOption(QStringLiteral("seed"), QStringLiteral("Noise seed (default 1)."),
                                        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption serialOption(QStringLiteral("serial"),
                                          QStringLiteral("Serial number in *IDN? (default SN0001)."),
                                          QStringLiteral("S"), QStringLiteral("SN0001"));
    const QCommandLineOption firmwareOption(QStringLiteral("firmware"),
                                            QStringLiteral("Firmware version in *IDN? (default 1.4.2)."),
                                            QStringLiteral("F"), QStringLiteral("1.4.2"));
    const QCommandLineOption rateOption(
        QStringLiteral("rate"), QStringLiteral("Sample and stream rate in Hz, 0.1..1000 (default 10)."),
        QStringLiteral("HZ"), QStringLiteral("10"));
    const QCommandLineOption bannerOption(
        QStringLiteral("banner"),
        QStringLiteral("Send \"ENV-1 <serial> ready\" when a client connects (TCP) or at start (PTY)."));
    const QCommandLineOption noReplyOption(QStringLiteral("no-reply"),
                                           QStringLiteral("Read and discard everything, never answer."));
    parser.addOptions({ptyOption, tcpOption, bindOption, seedOption, serialOption, firmwareOption, rateOption,
                       bannerOption, noReplyOption});

    if (!parser.parse(app.arguments())) {
        printError(parser.errorText() + QStringLiteral(" (see --help)"));
        return std::nullopt;
    }
    if (parser.isSet(helpOption))
        parser.showHelp(ExitOk);
    if (parser.isSet(versionOption))
        parser.showVersion();

    const QStringList positional = parser.positionalArguments();
    if (positional != QStringList{QStringLiteral("envsensor")}) {
        printError(QStringLiteral("expected exactly one model, envsensor (see --help)"));
        return std::nullopt;
    }
    if (parser.isSet(ptyOption) == parser.isSet(tcpOption)) {
        printError(QStringLiteral("give exactly one of --pty and --tcp PORT"));
        return std::nullopt;
    }

    Options options;
    options.pty = parser.isSet(ptyOption);
    bool ok = false;
    if (!options.pty) {
        options.port = parser.value(tcpOption).toUShort(&ok);
        if (!ok) {
            printError(QStringLiteral("--tcp: not a port number: ") + parser.value(tcpOption));
            return std::nullopt;
        }
    }
    if (parser.isSet(bindOption) && options.pty) {
        printError(QStringLiteral("--bind only applies to --tcp"));
        return std::nullopt;
    }
    if (!options.bindAddress.setAddress(parser.value(bindOption))) {
        printError(QStringLiteral("--bind: not an IP address: ") + parser.value(bindOption));
        return std::nullopt;
    }
    options.config.seed = parser.value(seedOption).toULongLong(&ok);
    if (!ok) {
        printError(QStringLiteral("--seed: not an unsigned 64-bit number: ") + parser.value(seedOption));
        return std::nullopt;
    }
    const QString serial = parser.value(serialOption);
    const QString firmware = parser.value(firmwareOption);
    if (!isValidIdentity(serial) || !isValidIdentity(firmware)) {
        printError(
            QStringLiteral("--serial and --firmware must be printable ASCII without spaces or commas"));
        return std::nullopt;
    }
    options.config.serial = serial.toLatin1();
    options.config.firmware = firmware.toLatin1();
    options.config.rateHz = parser.value(rateOption).toDouble(&ok);
    if (!ok || !std::isfinite(options.config.rateHz) || options.config.rateHz < EnvSensorProtocol::kMinRateHz
        || options.config.rateHz > EnvSensorProtocol::kMaxRateHz) {
        printError(QStringLiteral("--rate: expected 0.1..1000 Hz, got ") + parser.value(rateOption));
        return std::nullopt;
    }
    options.config.banner = parser.isSet(bannerOption);
    options.config.noReply = parser.isSet(noReplyOption);
    return options;
}

int runEnvSensor(const Options &options, pid_t originalParent) {
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

    EnvSensorDevice device(options.config);
    if (options.pty) {
        PtyEndpoint endpoint(&device);
        if (!endpoint.open()) {
            printError(QStringLiteral("cannot create a pseudo-terminal: ") + endpoint.errorString());
            return ExitFailure;
        }
        // Before READY, so the banner is already waiting in the terminal when the harness opens it.
        device.startSession();
        announceReady(QStringLiteral("pty ") + endpoint.slavePath());
        return QCoreApplication::exec();
    }

    TcpEndpoint endpoint(&device);
    if (!endpoint.listen(options.bindAddress, options.port)) {
        printError(QStringLiteral("cannot listen on %1 port %2: %3")
                       .arg(options.bindAddress.toString())
                       .arg(options.port)
                       .arg(endpoint.errorString()));
        return ExitFailure;
    }
    const QHostAddress address = endpoint.address();
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                             : address.toString();
    announceReady(QStringLiteral("tcp ") + host + QLatin1Char(':') + QString::number(endpoint.port()));
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
    return runEnvSensor(*options, parent);
}
