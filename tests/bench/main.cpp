// hil-benchmark: the harness's round trip and recorder throughput, each beside a minimal baseline measured
// in the same run, printed as ratios. See docs/benchmarks.md for what is measured and how to read it.

#include "core/base/duration.h"
#include "expressionbenchmark.h"
#include "faultfidelitybenchmark.h"
#include "fleetbenchmark.h"
#include "framingbenchmark.h"
#include "guibenchmark.h"
#include "linkbenchmark.h"
#include "longrunbenchmark.h"
#include "machineinfo.h"
#include "modbusbenchmark.h"
#include "mqttbenchmark.h"
#include "pushbenchmark.h"
#include "recorderbenchmark.h"
#include "reportbenchmark.h"
#include "roundtripbenchmark.h"
#include "soakbenchmark.h"
#include "stats.h"
#include "udpfidelitybenchmark.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>
#include <algorithm>
#include <optional>

using namespace hilbench;

namespace {

enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

enum class Mode {
    Default,
    Soak,
    Fleet,
    Expressions,
    Mqtt,
    Modbus,
    Framing,
    Push,
    LongRun,
    UdpFidelity,
    FaultFidelity
};

struct Options {
    Mode mode = Mode::Default;
    RoundTripOptions roundTrip;
    RecorderOptions recorder;
    SoakOptions soak;
    FleetOptions fleet;
    PushOptions push;
    LongRunOptions longRun;
    UdpFidelityOptions udpFidelity;
    FaultFidelityOptions fidelity;
    ExpressionOptions expressions;
    MqttBenchOptions mqtt;
    ModbusOptions modbus;
    FramingOptions framing;
};

// A whole number option >= minimum; false with *error naming the option otherwise.
bool wholeNumber(const QCommandLineParser &parser, const QCommandLineOption &option, qint64 minimum,
                 qint64 *value, QString *error) {
    bool ok = false;
    const qint64 v = parser.value(option).toLongLong(&ok);
    if (!ok || v < minimum) {
        *error = QStringLiteral("--%1: expected a whole number >= %2, got '%3'")
                     .arg(option.names().first())
                     .arg(minimum)
                     .arg(parser.value(option));
        return false;
    }
    *value = v;
    return true;
}

std::optional<Options> parseArguments(const QCoreApplication &app, QString *error) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Measures the harness against minimal baselines in one run and prints the ratios:\n"
        "the TCP round trip of hil::DeviceSession vs a blocking socket (against hil-sim), and\n"
        "the row throughput of hil::Recorder vs a prepared SQLite INSERT loop, and\n"
        "the fault proxy's added latency and the link pipeline's cost per chunk, and\n"
        "the scenario language's cost per step (StepResolver) vs the same step with plain values.\n"
        "--soak instead runs a long run with faults and samples its memory and descriptors;\n"
        "--fleet instead runs many simulated devices beside one and compares latency and lateness."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption exchangesOption(
        QStringLiteral("exchanges"),
        QStringLiteral("Measured round trips per client (default 5000); with --soak, its step results "
                       "(default 1000000)."),
        QStringLiteral("N"), QStringLiteral("5000"));
    const QCommandLineOption rowsOption(
        QStringLiteral("rows"),
        QStringLiteral("Step results per recorder run, each with one measurement (default 200000)."),
        QStringLiteral("M"), QStringLiteral("200000"));
    const QCommandLineOption quickOption(
        QStringLiteral("quick"),
        QStringLiteral("Small counts for a smoke check: 200 exchanges, 2000 rows, 3 recorder rounds; "
                       "--exchanges and --rows still win (with --soak and --fleet: see there)."));
    const QCommandLineOption soakOption(
        QStringLiteral("soak"),
        QStringLiteral("Only the long run: hil run with faults on two simulated devices, memory and open "
                       "descriptors sampled (--exchanges, default 1000000; --quick: 20000)."));
    const QCommandLineOption fleetOption(
        QStringLiteral("fleet"), QStringLiteral("Only the many-devices run, beside a single-device run "
                                                "(--devices, --rate, --duration; --quick: 8 devices, 5s)."));
    const QCommandLineOption expressionsOption(
        QStringLiteral("expressions"),
        QStringLiteral("Only the scenario language's cost per step: templated steps vs plain ones "
                       "(200000 steps x 5 rounds; --quick: 20000 x 3)."));
    const QCommandLineOption mqttOption(
        QStringLiteral("mqtt"),
        QStringLiteral("Only MQTT publish -> receive through the harness vs a libmosquitto client on one "
                       "mosquitto (--exchanges, default 5000; --quick: 200)."));
    const QCommandLineOption modbusOption(
        QStringLiteral("modbus"),
        QStringLiteral(
            "Only the Modbus TCP read round trip: hil's session vs pymodbus's own client on the same "
            "pymodbus server (3 blocks x 2000 reads each; --quick: 1 x 200)."));
    const QCommandLineOption framingOption(
        QStringLiteral("framing"),
        QStringLiteral("Only the framers' throughput: lines vs length-prefixed+crc16, slip and cobs "
                       "(200000 frames x 5 rounds; --quick: 20000 x 3)."));
    const QCommandLineOption devicesOption(QStringLiteral("devices"),
                                           QStringLiteral("--fleet: simulated devices (default 64)."),
                                           QStringLiteral("N"), QStringLiteral("64"));
    const QCommandLineOption rateOption(QStringLiteral("rate"),
                                        QStringLiteral("--fleet: polls per device per second (default 20)."),
                                        QStringLiteral("HZ"), QStringLiteral("20"));
    const QCommandLineOption durationOption(QStringLiteral("duration"),
                                            QStringLiteral("--fleet: length of each run (default 60s)."),
                                            QStringLiteral("D"), QStringLiteral("60s"));
    const QCommandLineOption loadOption(
        QStringLiteral("load"),
        QStringLiteral("--fleet: busy processes loading the CPUs during the runs (default 2; 0: idle)."),
        QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption niceOption(
        QStringLiteral("nice"),
        QStringLiteral("--fleet: hil run --nice N, the bench's priority over the load (default: not given)."),
        QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption pushOption(
        QStringLiteral("push"),
        QStringLiteral(
            "Only the central store: hil push of a run of --rows step results (default 1000000) vs "
            "psql \\copy of the same rows, and hil report from PostgreSQL vs from the file "
            "(3 rounds; --quick: 20000 rows)."));
    const QCommandLineOption fidelityOption(
        QStringLiteral("fault-fidelity"),
        QStringLiteral(
            "Only TCP-true loss against its retransmission model: 5 runs of 400 messages (--quick: 2 of "
            "100) through a FaultProxy per loss p = 0.01, 0.05, 0.2 (--exchanges N: N messages a run); "
            "extra delay measured vs model."));
    const QCommandLineOption longRunOption(
        QStringLiteral("long-run"),
        QStringLiteral("Only the report of a long soak: a synthetic run of H hours (default 72) of --devices "
                       "(64) at --rate Hz (20), reported by hil report, --html and --pdf (--quick: 0.25 h). "
                       "HIL_BENCH_LONGRUN_KEEP=1 keeps the files, HIL_BENCH_DIR places them."),
        QStringLiteral("H"), QStringLiteral("72"));
    const QCommandLineOption udpFidelityOption(
        QStringLiteral("udp-fidelity"),
        QStringLiteral("Only the UDP proxy's loss against the binomial 95 % interval for p = 0.01, 0.05, 0.2 "
                       "(--exchanges datagrams per run, default 10000, 5 seeds; --quick: 2000, 2 seeds)."));
    parser.addOption(udpFidelityOption);
    parser.addOptions({exchangesOption, rowsOption, quickOption, soakOption, fleetOption, expressionsOption,
                       mqttOption, modbusOption, framingOption, pushOption, devicesOption, rateOption,
                       durationOption, loadOption, niceOption, longRunOption, fidelityOption});
    parser.process(app);
    if (!parser.positionalArguments().isEmpty()) {
        *error = QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first());
        return std::nullopt;
    }

    Options o;
    const bool quick = parser.isSet(quickOption);
    if (parser.isSet(soakOption) && parser.isSet(fleetOption)) {
        *error = QStringLiteral("--soak and --fleet are separate runs: give one of them");
        return std::nullopt;
    }
    if (parser.isSet(longRunOption)) {
        o.mode = Mode::LongRun;
        bool ok = false;
        o.longRun.hours = parser.value(longRunOption).toDouble(&ok);
        if (quick)
            o.longRun.hours = std::min(o.longRun.hours, 0.25);
        if (!ok || o.longRun.hours <= 0) {
            *error =
                QStringLiteral("--long-run: expected hours > 0, got '%1'").arg(parser.value(longRunOption));
            return std::nullopt;
        }
        qint64 v = 0;
        if (!wholeNumber(parser, devicesOption, 1, &v, error))
            return std::nullopt;
        o.longRun.devices = static_cast<int>(std::min<qint64>(v, 1000));
        if (!wholeNumber(parser, rateOption, 1, &v, error))
            return std::nullopt;
        o.longRun.rateHz = static_cast<double>(std::min<qint64>(v, 1000));
        o.longRun.keep = qEnvironmentVariableIsSet("HIL_BENCH_LONGRUN_KEEP");
        o.longRun.rowPath = qEnvironmentVariable("HIL_BENCH_LONGRUN_ROWS") != QStringLiteral("0");
        return o;
    }
    if (!parser.isSet(fleetOption)) {
        for (const QCommandLineOption *fleetOnly :
             {&devicesOption, &rateOption, &durationOption, &loadOption, &niceOption})
            if (parser.isSet(*fleetOnly)) {
                *error = QStringLiteral("--%1 goes with --fleet").arg(fleetOnly->names().first());
                return std::nullopt;
            }
    }
    if (parser.isSet(soakOption)) {
        o.mode = Mode::Soak;
        if (quick) {
            o.soak.exchanges = 20000;
            o.soak.faultPeriodMs = 1000;
            o.soak.sampleMs = 100;
        }
        if (parser.isSet(exchangesOption)
            && !wholeNumber(parser, exchangesOption, 2, &o.soak.exchanges, error))
            return std::nullopt;
        return o;
    }
    if (parser.isSet(fleetOption)) {
        o.mode = Mode::Fleet;
        if (quick) {
            o.fleet.devices = 8;
            o.fleet.durationMs = 5000;
            o.fleet.sampleMs = 250;
        }
        qint64 v = 0;
        if (parser.isSet(devicesOption) || !quick) {
            if (!wholeNumber(parser, devicesOption, 1, &v, error))
                return std::nullopt;
            o.fleet.devices = static_cast<int>(std::min<qint64>(v, 1000));
        }
        if (!wholeNumber(parser, rateOption, 1, &v, error))
            return std::nullopt;
        o.fleet.rateHz = static_cast<int>(std::min<qint64>(v, 1000));
        if (!wholeNumber(parser, loadOption, 0, &v, error))
            return std::nullopt;
        o.fleet.load = static_cast<int>(std::min<qint64>(v, 64));
        bool niceOk = false;
        o.fleet.nice = parser.value(niceOption).toInt(&niceOk);
        if (!niceOk || o.fleet.nice < -20 || o.fleet.nice > 19) {
            *error = QStringLiteral("--nice: expected a whole number from -20 to 19");
            return std::nullopt;
        }
        if (parser.isSet(durationOption) || !quick) {
            QString why;
            const auto d = hil::parseDuration(parser.value(durationOption), &why);
            if (!d || d->count() < 1'000'000'000) {
                *error =
                    QStringLiteral("--duration: expected a duration of at least 1s (e.g. 60s), got '%1'%2")
                        .arg(parser.value(durationOption),
                             why.isEmpty() ? QString() : QStringLiteral(": ") + why);
                return std::nullopt;
            }
            o.fleet.durationMs = d->count() / 1'000'000;
        }
        return o;
    }
    if (quick) {
        o.expressions.steps = 20000;
        o.expressions.rounds = 3;
    }
    if (parser.isSet(mqttOption)) {
        o.mode = Mode::Mqtt;
        o.mqtt.exchanges = quick ? 200 : 5000;
        if (parser.isSet(exchangesOption)) {
            qint64 n = 0;
            if (!wholeNumber(parser, exchangesOption, 10, &n, error))
                return std::nullopt;
            o.mqtt.exchanges = static_cast<int>(n);
        }
        return o;
    }
    if (parser.isSet(expressionsOption)) {
        o.mode = Mode::Expressions;
        return o;
    }
    if (parser.isSet(udpFidelityOption)) {
        o.mode = Mode::UdpFidelity;
        if (quick)
            o.udpFidelity = {2000, 2};
        if (parser.isSet(exchangesOption)) {
            qint64 n = 0;
            if (!wholeNumber(parser, exchangesOption, 100, &n, error))
                return std::nullopt;
            o.udpFidelity.datagrams = static_cast<int>(n);
        }
        return o;
    }
    if (parser.isSet(fidelityOption)) {
        o.mode = Mode::FaultFidelity;
        if (quick) {
            o.fidelity.messages = 100;
            o.fidelity.seeds = 2;
        }
        if (parser.isSet(exchangesOption)) {
            qint64 n = 0;
            if (!wholeNumber(parser, exchangesOption, 10, &n, error))
                return std::nullopt;
            o.fidelity.messages = static_cast<int>(n);
        }
        return o;
    }
    if (parser.isSet(pushOption)) {
        o.mode = Mode::Push;
        o.push.steps = quick ? 20000 : 1'000'000;
        if (parser.isSet(rowsOption)) {
            qint64 n = 0;
            if (!wholeNumber(parser, rowsOption, 100, &n, error))
                return std::nullopt;
            o.push.steps = static_cast<int>(n);
        }
        return o;
    }
    if (parser.isSet(modbusOption)) {
        o.mode = Mode::Modbus;
        if (quick)
            o.modbus = {200, 1, 20};
        return o;
    }
    if (quick) {
        o.framing.frames = 20000;
        o.framing.rounds = 3;
    }
    if (parser.isSet(framingOption)) {
        o.mode = Mode::Framing;
        return o;
    }
    if (quick) {
        o.roundTrip.exchanges = 200;
        o.recorder.steps = 2000;
        o.recorder.rounds = 3;
    }
    bool ok = true;
    if (parser.isSet(exchangesOption) || !quick)
        o.roundTrip.exchanges = parser.value(exchangesOption).toInt(&ok);
    if (!ok || o.roundTrip.exchanges < 1) {
        *error = QStringLiteral("--exchanges: expected a whole number >= 1, got '%1'")
                     .arg(parser.value(exchangesOption));
        return std::nullopt;
    }
    if (parser.isSet(rowsOption) || !quick)
        o.recorder.steps = parser.value(rowsOption).toInt(&ok);
    if (!ok || o.recorder.steps < 1) {
        *error =
            QStringLiteral("--rows: expected a whole number >= 1, got '%1'").arg(parser.value(rowsOption));
        return std::nullopt;
    }
    o.roundTrip.blocks = std::min(o.roundTrip.blocks, o.roundTrip.exchanges);
    return o;
}

QString fixed(double v, int decimals = 1) {
    return QString::number(v, 'f', decimals);
}

QString ratio(double numerator, double denominator) {
    return denominator > 0 ? fixed(numerator / denominator, 2) + u'x' : QStringLiteral("n/a");
}

QString signedFixed(double v) {
    return (v >= 0 ? QStringLiteral("+") : QString()) + fixed(v);
}

// Prints rows of cells: the first column left-aligned, the others right-aligned, two spaces apart.
void printTable(QTextStream &out, const QList<QStringList> &rows) {
    QList<qsizetype> widths;
    for (const QStringList &row : rows)
        for (qsizetype c = 0; c < row.size(); ++c) {
            if (widths.size() <= c)
                widths.append(0);
            widths[c] = std::max(widths[c], row[c].size());
        }
    for (const QStringList &row : rows) {
        QString line = QStringLiteral("  ");
        for (qsizetype c = 0; c < row.size(); ++c)
            line += (c == 0 ? row[c].leftJustified(widths[c])
                            : QStringLiteral("  ") + row[c].rightJustified(widths[c]));
        out << line.trimmed().prepend(QStringLiteral("  ")) << '\n';
    }
}

void printMachine(QTextStream &out, const MachineInfo &m) {
    out << "hil-benchmark\n"
        << "machine: " << m.cpus << " CPUs (nproc), " << m.cpuModel << ", " << m.kernel << '\n'
        << "build:   " << m.buildType << ", " << m.compiler << ", Qt " << m.qtVersion << ", SQLite "
        << m.sqliteVersion << '\n'
        << "load average at start: " << m.loadAverage << "\n\n";
}

void printRoundTrip(QTextStream &out, const RoundTripOptions &o, const RoundTripResult &r) {
    const Percentiles h = percentiles(r.harnessNs);
    const Percentiles rec = percentiles(r.harnessRecordedNs);
    const Percentiles b = percentiles(r.baselineNs);
    const Percentiles c = percentiles(r.correlatedNs);
    const Percentiles crec = percentiles(r.correlatedRecordedNs);
    out << "Round trip over TCP: \"READ? TEMP\" -> \"TEMP x.xxx\", one simulator process at " << r.address
        << '\n'
        << "  " << r.simulator << '\n'
        << "  " << r.harnessNs.size() << " exchanges per client in " << r.blocks
        << " alternating blocks, each after a connect and " << o.warmup << " unmeasured exchanges\n\n";
    printTable(out, {
                        {QStringLiteral("microseconds"), QStringLiteral("p50"), QStringLiteral("p90"),
                         QStringLiteral("p99"), QStringLiteral("max")},
                        {QStringLiteral("harness: DeviceSession+TcpTransport, send to handler"), fixed(h.p50),
                         fixed(h.p90), fixed(h.p99), fixed(h.max)},
                        {QStringLiteral("baseline: blocking POSIX socket, write to '\\n' read"), fixed(b.p50),
                         fixed(b.p90), fixed(b.p99), fixed(b.max)},
                        {QStringLiteral("ratio harness/baseline"), ratio(h.p50, b.p50), ratio(h.p90, b.p90),
                         ratio(h.p99, b.p99), ratio(h.max, b.max)},
                        {QStringLiteral("harness overhead (harness - baseline)"), signedFixed(h.p50 - b.p50),
                         signedFixed(h.p90 - b.p90), signedFixed(h.p99 - b.p99), signedFixed(h.max - b.max)},
                        {QStringLiteral("harness: latency as recorded (Answer::timeNs - send)"),
                         fixed(rec.p50), fixed(rec.p90), fixed(rec.p99), fixed(rec.max)},
                        {QStringLiteral("harness with correlation (exchange ids, StallWatch)"), fixed(c.p50),
                         fixed(c.p90), fixed(c.p99), fixed(c.max)},
                        {QStringLiteral("  latency as recorded"), fixed(crec.p50), fixed(crec.p90),
                         fixed(crec.p99), fixed(crec.max)},
                        {QStringLiteral("ratio correlated/plain harness"), ratio(c.p50, h.p50),
                         ratio(c.p90, h.p90), ratio(c.p99, h.p99), ratio(c.max, h.max)},
                    });
    out << '\n';
}

void printRecorder(QTextStream &out, const RecorderOptions &o, const RecorderResult &r) {
    std::vector<double> recorderRate, baselineRate, roundRatio, callerMs;
    const auto rate = [&](qint64 ns) { return ns > 0 ? static_cast<double>(r.rowsPerRun) * 1e9 / ns : 0.0; };
    for (const RecorderRound &round : r.rounds) {
        recorderRate.push_back(rate(round.recorderNs));
        baselineRate.push_back(rate(round.baselineNs));
        roundRatio.push_back(baselineRate.back() > 0 ? recorderRate.back() / baselineRate.back() : 0.0);
        callerMs.push_back(static_cast<double>(round.recorderCallerNs) / 1e6);
    }
    const auto [rMin, rMax] = std::minmax_element(recorderRate.cbegin(), recorderRate.cend());
    const auto [bMin, bMax] = std::minmax_element(baselineRate.cbegin(), baselineRate.cend());
    const auto [qMin, qMax] = std::minmax_element(roundRatio.cbegin(), roundRatio.cend());
    const double rMed = median(recorderRate);
    const double bMed = median(baselineRate);
    const auto k = [](double rowsPerS) { return fixed(rowsPerS / 1000.0, 0); };

    out << "Recorder throughput: " << o.steps << " step results + " << o.steps
        << " measurements = " << r.rowsPerRun << " rows per run, " << r.rounds.size()
        << " runs of each, alternating, files in a temporary directory\n\n";
    printTable(
        out,
        {
            {QStringLiteral("thousand rows/s"), QStringLiteral("median"), QStringLiteral("min"),
             QStringLiteral("max")},
            {QStringLiteral("hil::Recorder: runStarted .. close() returned"), k(rMed), k(*rMin), k(*rMax)},
            {QStringLiteral("baseline: prepared INSERTs in one transaction"), k(bMed), k(*bMin), k(*bMax)},
            {QStringLiteral("ratio recorder/baseline (of medians; per run)"), ratio(rMed, bMed),
             fixed(*qMin, 2) + u'x', fixed(*qMax, 2) + u'x'},
        });
    const double callerMed = median(callerMs);
    out << "\n  caller side of hil::Recorder (runStarted + " << o.steps << " stepFinished calls): median "
        << fixed(callerMed) << " ms, " << fixed(callerMed * 1e6 / o.steps, 0) << " ns per step\n"
        << "  peak resident memory of this process: " << fixed(r.peakRssBeforeKiB / 1024.0) << " MiB before, "
        << fixed(r.peakRssAfterKiB / 1024.0) << " MiB after the recorder runs\n\n";
}

} // namespace

int main(int argc, char *argv[]) {
    // The event dispatcher `hil run` uses (app/cli/main.cpp), so the harness side is measured as it runs.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hil-benchmark"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIL_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);

    QString error;
    const std::optional<Options> options = parseArguments(app, &error);
    if (!options) {
        err << "hil-benchmark: " << error << " (see --help)\n";
        return ExitUsage;
    }

    printMachine(out, machineInfo());
    out.flush();

    if (options->mode == Mode::Mqtt) {
        const bool ok = runMqttBenchmark(options->mqtt, out, &error);
        out << "load average at end: " << loadAverage() << '\n';
        out.flush();
        if (!ok) {
            err << "hil-benchmark: mqtt: " << error << '\n';
            return ExitFailure;
        }
        return ExitOk;
    }
    if (options->mode == Mode::Framing) {
        const bool ok = runFramingBenchmark(options->framing, out, &error);
        out.flush();
        if (!ok) {
            err << "hil-benchmark: framing: " << error << '\n';
            return ExitFailure;
        }
        return ExitOk;
    }
    if (options->mode == Mode::Expressions) {
        const bool ok = runExpressionBenchmark(options->expressions, out, &error);
        out << "load average at end: " << loadAverage() << '\n';
        out.flush();
        if (!ok) {
            err << "hil-benchmark: expressions: " << error << '\n';
            return ExitFailure;
        }
        return ExitOk;
    }
    if (options->mode == Mode::LongRun) {
        const bool ok = runLongRunBenchmark(options->longRun, out, &error);
        out << "load average at end: " << loadAverage() << '\n';
        out.flush();
        if (!ok) {
            err << "hil-benchmark: long run: " << error << '\n';
            return ExitFailure;
        }
        return ExitOk;
    }
    if (options->mode == Mode::UdpFidelity) {
        const bool ok = runUdpFidelityBenchmark(options->udpFidelity, out, &error);
        out << "load average at end: " << loadAverage() << '\n';
        out.flush();
        if (!ok) {
            err << "hil-benchmark: udp-fidelity: " << error << '\n';
            return ExitFailure;
        }
        return ExitOk;
    }
    if (options->mode == Mode::FaultFidelity) {
        const bool ok = runFaultFidelityBenchmark(options->fidelity, out, &error);
        out << "load average at end: " << loadAverage() << '\n';
        out.flush();
        if (!ok) {
            err << "hil-benchmark: fault fidelity: " << error << '\n';
            return ExitFailure;
        }
        return ExitOk;
    }
    if (options->mode == Mode::Push) {
        const bool ok = runPushBenchmark(options->push, out, &error);
        out << "load average at end: " << loadAverage() << '\n';
        out.flush();
        if (!ok) {
            err << "hil-benchmark: push: " << error << '\n';
            return ExitFailure;
        }
        return ExitOk;
    }
    if (options->mode == Mode::Modbus) {
        ModbusResult m;
        if (!runModbus(options->modbus, &m, &error)) {
            err << "hil-benchmark: modbus: " << error << '\n';
            return ExitFailure;
        }
        const Percentiles h = percentiles(m.harnessNs);
        const Percentiles p = percentiles(m.pymodbusNs);
        out << "modbus tcp read_holding x2 against " << m.server << '\n'
            << "  hil session     p50 " << h.p50 << " us  p99 " << h.p99 << " us  (" << m.harnessNs.size()
            << " reads)\n"
            << "  pymodbus client p50 " << p.p50 << " us  p99 " << p.p99 << " us  (" << m.pymodbusNs.size()
            << " reads)\n"
            << "  ratio hil/pymodbus p50 " << (p.p50 > 0 ? h.p50 / p.p50 : 0.0) << "  (goal <= 1.0)\n";
        out << "load average at end: " << loadAverage() << '\n';
        return ExitOk;
    }
    if (options->mode != Mode::Default) {
        const bool ok = options->mode == Mode::Soak ? runSoakBenchmark(options->soak, out, &error)
                                                    : runFleetBenchmark(options->fleet, out, &error);
        out << "load average at end: " << loadAverage() << '\n';
        out.flush();
        if (!ok) {
            err << "hil-benchmark: " << (options->mode == Mode::Soak ? "soak: " : "fleet: ") << error << '\n';
            return ExitFailure;
        }
        return ExitOk;
    }

    RoundTripResult roundTrip;
    if (!runRoundTrip(options->roundTrip, &roundTrip, &error)) {
        err << "hil-benchmark: round trip: " << error << '\n';
        return ExitFailure;
    }
    printRoundTrip(out, options->roundTrip, roundTrip);
    out.flush();

    RecorderResult recorder;
    if (!runRecorderBenchmark(options->recorder, &recorder, &error)) {
        err << "hil-benchmark: recorder: " << error << '\n';
        return ExitFailure;
    }
    printRecorder(out, options->recorder, recorder);
    out.flush();

    if (!runExpressionBenchmark(options->expressions, out, &error)) {
        err << "hil-benchmark: expressions: " << error << '\n';
        return ExitFailure;
    }
    out.flush();

    if (!runFramingBenchmark(options->framing, out, &error)) {
        err << "hil-benchmark: framing: " << error << '\n';
        return ExitFailure;
    }
    out.flush();

    if (!runLinkBenchmark(options->roundTrip, out, &error)) {
        err << "hil-benchmark: link: " << error << '\n';
        return ExitFailure;
    }
    out.flush();

    if (!printReportBenchmark(out, &error)) {
        err << "hil-benchmark: report: " << error << '\n';
        return ExitFailure;
    }
    if (!printGuiBenchmark(out, &error)) {
        err << "hil-benchmark: live plot: " << error << '\n';
        return ExitFailure;
    }
    out << "load average at end: " << loadAverage() << '\n';
    return ExitOk;
}
