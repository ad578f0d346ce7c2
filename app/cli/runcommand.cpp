#include "commandline.h"
#include "commands.h"
#include "consoleprogress.h"
#include "core/base/duration.h"
#include "core/base/printable.h"
#include "core/engine/runsession.h"
#include "core/export/reportpreflight.h"
#include "core/export/runmetrics.h"
#include "core/store/pgconnection.h"
#include "core/store/recorder.h"
#include "metricsserver.h"
#include "pushcommand.h"
#include "reportcommand.h"
#include "signalbridge.h"
#include "terminalprompter.h"

#ifdef HIL_HAVE_REPORTS
#include "report/chartrenderer.h"
#endif

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QTextStream>
#include <cerrno>
#include <cstring>
#include <limits>
#include <sys/resource.h>

namespace {

// Why a run did not pass, in one line: how it ended early, else what its counts say.
QString quietReason(const hil::RunOutcome &outcome) {
    if (!outcome.endReason.isEmpty())
        return outcome.endReason;
    const hil::RunCounts &c = outcome.counts;
    if (!outcome.problems.isEmpty())
        return QStringLiteral("the run could not be recorded (above)");
    if (!outcome.reports.errors.isEmpty())
        return QStringLiteral("a report could not be written (below)");
    if (c.total() == 0)
        return QStringLiteral("no step was checked");
    const QString counts =
        QStringLiteral("%1 of %2 steps failed, %3 errors").arg(c.fail).arg(c.total()).arg(c.error);
    // Then the verdict rule's own words: which step on which device, which fault.
    return outcome.reasons.isEmpty()
               ? counts
               : counts + QStringLiteral(": ") + outcome.reasons.join(QStringLiteral("; "));
}

const hil::PromptSpec *findPrompt(const hil::Scenario &s, const QString &name) {
    for (hil::Phase phase : {hil::Phase::Setup, hil::Phase::Steps, hil::Phase::Teardown}) {
        for (const hil::Step &step : s.phase(phase)) {
            if (step.prompt && step.prompt->name == name)
                return &*step.prompt;
        }
    }
    return nullptr;
}

// --answer NAME=VALUE, checked against the scenario's prompts before anything runs.
int readAnswers(const QStringList &given, const hil::Scenario &s, QMap<QString, QString> *answers,
                QTextStream &err) {
    for (const QString &a : given) {
        const qsizetype eq = a.indexOf(u'=');
        const QString name = eq < 0 ? a : a.left(eq);
        const hil::PromptSpec *spec = findPrompt(s, name);
        if (eq < 0 || !spec) {
            err << "hil run: --answer " << a << ": "
                << (eq < 0 ? QStringLiteral("expected NAME=VALUE")
                           : QStringLiteral("the scenario has no prompt named '%1'").arg(name))
                << '\n';
            return hil::ExitBadInput;
        }
        const hil::PromptAnswer check = hil::checkPromptAnswer(*spec, a.mid(eq + 1));
        if (!check.value) {
            err << "hil run: --answer " << a << ": " << check.error << '\n';
            return hil::ExitBadInput;
        }
        answers->insert(name, a.mid(eq + 1));
    }
    return hil::ExitPass;
}

} // namespace

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
    p.addOption(
        {QStringLiteral("var"),
         QStringLiteral("Value of a variable the scenario or fixture declares (repeatable); wins over "
                        "both."),
         QStringLiteral("NAME=VALUE")});
    p.addOption({QStringLiteral("for"),
                 QStringLiteral("Run the scenario's loop for this long instead (e.g. 2m for a short soak)."),
                 QStringLiteral("DURATION")});
    p.addOption({QStringLiteral("nice"),
                 QStringLiteral("Scheduling priority of the harness and its simulators, -20 (first) to 19; "
                                "e.g. -10 keeps a bench on its schedule beside busy jobs (needs root or "
                                "CAP_SYS_NICE below 0)."),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("stall-threshold"),
                 QStringLiteral("How long the harness may not run before it is a bench-stall (default 25ms; "
                                "0 turns stall watching off)."),
                 QStringLiteral("DURATION")});
    p.addOption(
        {QStringLiteral("quiet"),
         QStringLiteral("No progress line and no summary; a FAIL or ERROR still prints one line on stderr "
                        "saying why.")});
    p.addOption(
        {QStringLiteral("answer"),
         QStringLiteral("Answer the prompt NAME with VALUE without asking anyone (repeatable); a prompt "
                        "without an answer and no terminal is an ERROR."),
         QStringLiteral("NAME=VALUE")});
    p.addOption({QStringLiteral("metrics"),
                 QStringLiteral("Serve the run's live metrics for Prometheus at http://HOST:PORT/metrics "
                                "(127.0.0.1:9464; port 0: any free port, printed on stderr)."),
                 QStringLiteral("HOST:PORT")});
    p.addOption({QStringLiteral("push"),
                 QStringLiteral("After the run, push the database's runs to this central store "
                                "(postgresql://...); a push that fails never changes the run's exit code."),
                 QStringLiteral("URL")});
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
    if (QString why; !hil::Recorder::keepsResults(p.value(QStringLiteral("db")), &why)) {
        err << "hil run: --db: " << why << '\n';
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
    if (p.isSet(QStringLiteral("stall-threshold"))) {
        QString why;
        const auto d = hil::parseDuration(p.value(QStringLiteral("stall-threshold")), &why);
        if (!d || d->count() < 0) {
            err << "hil run: --stall-threshold: "
                << (why.isEmpty() ? QStringLiteral("must not be negative") : why) << '\n';
            return hil::ExitBadInput;
        }
        options.stallThresholdNs = d->count();
    }

    std::optional<hil::Fixture> fixture;
    std::optional<hil::Scenario> scenario;
    hil::ScenarioOptions scenarioOptions;
    if (QString why; !readVarOptions(p.values(QStringLiteral("var")), &scenarioOptions, &why)) {
        err << "hil run: " << why << '\n';
        return hil::ExitBadInput;
    }
    if (!loadInputs(p.value(QStringLiteral("fixture")), p.positionalArguments().first(), &fixture, &scenario,
                    scenarioOptions))
        return hil::ExitBadInput;
    if (const int code = readAnswers(p.values(QStringLiteral("answer")), *scenario, &options.answers, err);
        code != hil::ExitPass)
        return code;
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

    // The bench before other work on this machine: set before any simulator starts, which inherit it.
    if (p.isSet(QStringLiteral("nice"))) {
        bool ok = false;
        const int nice = p.value(QStringLiteral("nice")).toInt(&ok);
        if (!ok || nice < -20 || nice > 19) {
            err << "hil run: --nice: expected a whole number from -20 to 19, got '"
                << p.value(QStringLiteral("nice")) << "'\n";
            return hil::ExitBadInput;
        }
        errno = 0;
        if (::setpriority(PRIO_PROCESS, 0, nice) != 0) {
            err << "hil run: --nice " << nice
                << ": cannot set the scheduling priority: " << QString::fromLocal8Bit(std::strerror(errno))
                << (errno == EACCES || errno == EPERM
                        ? QStringLiteral(" (a negative value needs root or CAP_SYS_NICE)")
                        : QString())
                << '\n';
            return hil::ExitError;
        }
    }

    const QString dbPath = p.value(QStringLiteral("db"));
    const QString pushUrl = p.value(QStringLiteral("push"));
    if (QString why; p.isSet(QStringLiteral("metrics"))
                     && !MetricsServer::checkAddress(p.value(QStringLiteral("metrics")), &why)) {
        err << "hil run: " << why << '\n';
        return hil::ExitBadInput;
    }
    if (QString why; p.isSet(QStringLiteral("push")) && !hil::PgConnection::checkUrl(pushUrl, &why)) {
        err << "hil run: --push: " << why << '\n';
        return hil::ExitBadInput;
    }
    // Before any simulator starts or run row exists: a run of hours must not end in reports that cannot be
    // written or a baseline that is not there.
    if (const int code =
            preflightReports(QStringLiteral("hil run"), reports, dbPath, {scenario->name, fixture->name});
        code != hil::ExitPass)
        return code;
    // Metrics listen before anything of the run exists: an address that cannot be served is a bench
    // error (exit 3), and nothing has run or been recorded.
    hil::RunMetrics metrics;
    MetricsServer metricsServer(metrics);
    if (QString why; p.isSet(QStringLiteral("metrics"))
                     && !metricsServer.listen(p.value(QStringLiteral("metrics")), &why)) {
        err << "hil run: " << why << '\n';
        return hil::ExitError;
    }
    hil::RunSessionConfig config;
    config.scenario = std::move(*scenario);
    config.fixture = std::move(*fixture);
    config.options = options;
    config.databasePath = dbPath;
    config.reports = reports.targets;
    config.baseline = reports.baseline;
    config.threshold = reports.threshold;
#ifdef HIL_HAVE_REPORTS
    const hil::report::ChartRenderer renderer;
    config.renderer = &renderer;
#endif
    TerminalPrompter prompter;
    if (TerminalPrompter::available())
        config.prompter = &prompter;
    QString error;
    std::unique_ptr<hil::RunSession> session = hil::RunSession::prepare(std::move(config), &error);
    if (!session) {
        err << "hil run: " << error << '\n';
        return hil::ExitError;
    }

    const bool quiet = p.isSet(QStringLiteral("quiet"));
    ConsoleProgress progress;
    if (!quiet)
        session->addListener(&progress);
    if (p.isSet(QStringLiteral("metrics"))) {
        session->addListener(&metrics);
        err << "metrics: serving " << metricsServer.url() << '\n' << Qt::flush;
    }
    SignalBridge signals_;
    QObject::connect(&signals_, &SignalBridge::received, session.get(), [&session](int, const QString &name) {
        session->abort(QStringLiteral("%1 received").arg(name));
    });
    hil::RunOutcome outcome;
    QObject::connect(session.get(), &hil::RunSession::finished, qApp, [&outcome](const hil::RunOutcome &o) {
        outcome = o;
        QCoreApplication::quit();
    });
    QMetaObject::invokeMethod(session.get(), &hil::RunSession::start, Qt::QueuedConnection);
    QCoreApplication::exec();

    // A recording that failed is named before the summary, a report that could not be written after it.
    for (const QString &problem : outcome.problems)
        err << "hil run: " << problem << '\n';
    if (quiet) {
        // Quiet hides progress, never why a run did not pass: one line on stderr.
        if (outcome.verdict == hil::Verdict::Error || outcome.verdict == hil::Verdict::Fail)
            err << "hil run: " << hil::verdictName(outcome.verdict) << ": "
                << hil::printableText(quietReason(outcome)) << '\n';
    } else {
        const hil::RunCounts &c = outcome.counts;
        out << hil::verdictName(outcome.verdict) << "  " << hil::printableText(outcome.info.scenario) << "  "
            << c.total() << " steps: " << c.pass << " pass, " << c.fail << " fail, " << c.error << " error";
        if (c.expected)
            out << " (" << c.expected << " expected during faults)";
        if (c.marginal)
            out << " (" << c.marginal << " marginal)";
        if (c.abort)
            out << ", " << c.abort << " aborted";
        if (c.retried)
            out << ", " << c.retried << " retried " << (c.retried == 1 ? "try" : "tries");
        out << "  seed " << outcome.info.seed << '\n';
        if (!outcome.endReason.isEmpty())
            out << "ended early: " << hil::printableText(outcome.endReason) << '\n';
        for (const QString &why : outcome.reasons)
            out << "  " << hil::printableText(why) << '\n';
        // A run whose row was never written has no id to show (never "run 0").
        out << "database: " << QFileInfo(dbPath).absoluteFilePath()
            << (outcome.runId > 0 ? QStringLiteral(" (run %1%2)")
                                        .arg(outcome.runId)
                                        .arg(outcome.problems.isEmpty()
                                                 ? QString()
                                                 : QStringLiteral("; its recording failed, see above"))
                                  : QStringLiteral(" (the run was not recorded)"))
            << '\n';
        for (const hil::ReportOutcome::Written &w : outcome.reports.written)
            out << hil::reportFormatName(w.format) << ": " << QFileInfo(w.path).absoluteFilePath() << '\n';
    }
    out.flush();
    for (const QString &e : outcome.reports.errors)
        err << "hil run: " << e << '\n';
    // The run is recorded and its verdict decided; a central store that cannot be reached changes neither.
    if (!pushUrl.isEmpty() && outcome.runId > 0)
        pushAfterRun(dbPath, pushUrl, err);
    return hil::exitCodeFor(outcome.verdict);
}
