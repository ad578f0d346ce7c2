#include "commandline.h"
#include "commands.h"
#include "consoleprogress.h"
#include "core/base/duration.h"
#include "core/base/printable.h"
#include "core/run/runner.h"
#include "core/store/recorder.h"
#include "reportcommand.h"
#include "signalbridge.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>
#include <limits>

int runCommand(const QStringList &args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Run a scenario on a bench. Everything is recorded in the database; the exit code is the verdict: "
        "0 PASS, 1 FAIL, 2 bad input, 3 ERROR, 130 ABORT (SIGINT/SIGTERM)."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("scenario"), QStringLiteral("Scenario file (YAML)."),
                            QStringLiteral("SCENARIO"));
    p.addOption({{QStringLiteral("f"), QStringLiteral("fixture")},
                 QStringLiteral("Fixture file (YAML)."),
                 QStringLiteral("F")});
    p.addOption({QStringLiteral("db"), QStringLiteral("Results database (default: hil-results.db)."),
                 QStringLiteral("D"), QStringLiteral("hil-results.db")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("Seed of the run (overrides the scenario's)."),
                 QStringLiteral("S")});
    p.addOption(
        {QStringLiteral("record-exchanges"), QStringLiteral("Record every line to and from the devices.")});
    p.addOption({QStringLiteral("for"),
                 QStringLiteral("Run the scenario's loop for this long instead (e.g. 2m for a short soak)."),
                 QStringLiteral("DURATION")});
    p.addOption({QStringLiteral("quiet"), QStringLiteral("No progress line and no summary.")});
    addReportOptions(p);
    if (const auto code = parseCommandLine(p, args))
        return *code;

    QTextStream out(stdout);
    QTextStream err(stderr);
    if (p.positionalArguments().size() != 1 || !p.isSet(QStringLiteral("fixture"))) {
        err << "hil run: needs SCENARIO and --fixture F\n\n" << commandHelp(p, args.value(0));
        return hil::ExitBadInput;
    }
    ReportOutputs reports;
    QString reportError;
    if (!reportOutputsFrom(p, &reports, &reportError)) {
        err << "hil run: " << reportError << '\n';
        return hil::ExitBadInput;
    }
    hil::RunOptions options;
    if (p.isSet(QStringLiteral("seed"))) {
        bool ok = false;
        const qlonglong seed = p.value(QStringLiteral("seed")).toLongLong(&ok);
        if (!ok || seed < 0) {
            err << "hil run: --seed must be a whole number >= 0\n";
            return hil::ExitBadInput;
        }
        options.seed = static_cast<quint64>(seed);
    }
    options.recordExchanges = p.isSet(QStringLiteral("record-exchanges"));

    std::optional<hil::Fixture> fixture;
    std::optional<hil::Scenario> scenario;
    if (!loadInputs(p.value(QStringLiteral("fixture")), p.positionalArguments().first(), &fixture, &scenario))
        return hil::ExitBadInput;
    if (p.isSet(QStringLiteral("for"))) {
        QString why;
        const auto d = hil::parseDuration(p.value(QStringLiteral("for")), &why);
        if (!d || d->count() <= 0) {
            err << "hil run: --for: " << (why.isEmpty() ? QStringLiteral("must be longer than zero") : why)
                << '\n';
            return hil::ExitBadInput;
        }
        scenario->repeat.count.reset();
        scenario->repeat.forDuration = *d;
    }

    const QString dbPath = p.value(QStringLiteral("db"));
    QString error;
    std::unique_ptr<hil::Recorder> recorder = hil::Recorder::open(dbPath, &error);
    if (!recorder) {
        err << "hil run: " << error << '\n';
        return hil::ExitError;
    }

    hil::Runner runner(std::move(*scenario), std::move(*fixture), options);
    runner.addListener(recorder.get());
    const bool quiet = p.isSet(QStringLiteral("quiet"));
    ConsoleProgress progress;
    if (!quiet)
        runner.addListener(&progress);

    recorder->setErrorHandler([&runner](const QString &why) {
        // Called on the recorder's writer thread: hand over to the runner's.
        QMetaObject::invokeMethod(
            &runner, [&runner, why] { runner.abort(why, hil::Verdict::Error); }, Qt::QueuedConnection);
    });
    SignalBridge signals_;
    QObject::connect(&signals_, &SignalBridge::received, &runner, [&runner](int, const QString &name) {
        runner.abort(QStringLiteral("%1 received").arg(name));
    });
    hil::Verdict verdict = hil::Verdict::Error;
    QObject::connect(&runner, &hil::Runner::finished, qApp, [&verdict](hil::Verdict v) {
        verdict = v;
        QCoreApplication::quit();
    });
    QMetaObject::invokeMethod(&runner, &hil::Runner::start, Qt::QueuedConnection);
    QCoreApplication::exec();

    const bool recorded = recorder->close();
    if (!recorded) {
        err << "hil run: " << recorder->error() << '\n';
        verdict = hil::combine(verdict, hil::Verdict::Error);
    }
    if (!quiet) {
        const hil::RunCounts &c = runner.counts();
        out << hil::verdictName(verdict) << "  " << hil::printableText(runner.info().scenario) << "  "
            << c.total() << " steps: " << c.pass << " pass, " << c.fail << " fail, " << c.error << " error";
        if (c.expected)
            out << " (" << c.expected << " expected during faults)";
        if (c.marginal)
            out << " (" << c.marginal << " marginal)";
        if (c.abort)
            out << ", " << c.abort << " aborted";
        out << "  seed " << runner.info().seed << '\n';
        if (!runner.endReason().isEmpty())
            out << "ended early: " << hil::printableText(runner.endReason()) << '\n';
        out << "database: " << QFileInfo(dbPath).absoluteFilePath() << " (run " << recorder->runId() << ")\n";
    }
    // Reports are written from the database once everything is committed, also for a run that ended early.
    if (reports.any() && recorder->runId() > 0) {
        out.flush();
        if (writeRunReports(QStringLiteral("hil run"), dbPath, QString::number(recorder->runId()), reports,
                            quiet)
            != 0)
            verdict = hil::combine(verdict, hil::Verdict::Error);
    }
    return hil::exitCodeFor(verdict);
}
