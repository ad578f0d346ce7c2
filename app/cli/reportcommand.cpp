#include "reportcommand.h"

#include "commandline.h"
#include "core/analysis/runcomparison.h"
#include "core/analysis/runstatistics.h"
#include "core/analysis/whatbroke.h"
#include "core/base/duration.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"
#include "core/base/verdict.h"
#include "core/export/reportpipeline.h"
#include "core/export/reportpreflight.h"
#include "databasesource.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QMap>
#include <QTextStream>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HIL_HAVE_REPORTS
#include "report/chartrenderer.h"

#include <QApplication>
#endif

namespace {

QString absolute(const QString &path) {
    return QFileInfo(path).absoluteFilePath();
}

// The step table and findings of a run, for a terminal: every recorded string goes through printableText(),
// so that a device's escape sequences cannot drive the terminal.
void printSummary(QTextStream &out, const hil::RunStatistics &s) {
    const auto pt = [](const QString &t) { return hil::printableText(t); };
    const hil::RunHeader &h = s.run;
    out << (h.unfinished() ? QStringLiteral("UNFINISHED") : pt(h.verdict)) << "  " << pt(h.scenario)
        << "  run " << h.id << "  " << hil::formatWallClock(h.startedAtNs) << "  "
        << (h.durationNs ? hil::formatOffset(*h.durationNs) : QStringLiteral("(did not finish)")) << '\n';
    if (!h.firmware.isEmpty() || !h.dutSerial.isEmpty())
        out << "DUT " << pt(h.dutSerial) << "  firmware " << pt(h.firmware) << "  station " << pt(h.station)
            << '\n';
    if (s.findings.isEmpty())
        out << "no problems found\n";
    // Worst first, and at most kTerminalFindings: a 64-device bench can have a finding per step, which
    // would push the step table off the screen. The rest are counted by severity; every report file has all.
    constexpr qsizetype kTerminalFindings = 12;
    for (qsizetype i = 0; i < std::min(kTerminalFindings, s.findings.size()); ++i) {
        const hil::Finding &f = s.findings[i];
        out << "  " << hil::severityName(f.severity).leftJustified(9) << pt(f.title) << '\n';
        if (!f.detail.isEmpty())
            out << "           " << pt(f.detail) << '\n';
    }
    if (s.findings.size() > kTerminalFindings) {
        QMap<int, int> bySeverity;
        for (qsizetype i = kTerminalFindings; i < s.findings.size(); ++i)
            ++bySeverity[static_cast<int>(s.findings[i].severity)];
        QStringList counts;
        for (auto it = bySeverity.cbegin(); it != bySeverity.cend(); ++it)
            counts.append(QStringLiteral("%1 %2")
                              .arg(it.value())
                              .arg(hil::severityName(static_cast<hil::Finding::Severity>(it.key()))));
        out << "  ... and " << s.findings.size() - kTerminalFindings << " more ("
            << counts.join(QStringLiteral(", ")) << "): every finding is in the HTML, PDF and JSON reports\n";
    }
    // The report's head: what broke, or what the PASS rests on (the same lines as the HTML and PDF).
    const QList<hil::WhatBrokeItem> what = hil::whatBroke(s);
    if (!what.isEmpty()) {
        const bool passed = h.verdict == u"PASS" && !h.unfinished();
        out << '\n' << (passed ? "what the PASS rests on" : "what broke") << '\n';
        for (const hil::WhatBrokeItem &i : what)
            out << "  " << pt(i.label) << ": " << pt(i.text) << '\n';
    }
    // Columns are padded by hand, not with QString::arg(), so that a '%1' in a step name stays text.
    const auto row = [&out](const QStringList &cells) {
        static const int widths[] = {-28, -10, 7, 6, 6, 8, 8, 8, 8};
        QString line;
        for (qsizetype i = 0; i < cells.size(); ++i) {
            const int w = widths[i];
            line += (w < 0 ? cells[i].left(-w).leftJustified(-w) : cells[i].rightJustified(w))
                    + QStringLiteral("  ");
        }
        out << line.trimmed() << '\n';
    };
    out << '\n';
    row({QStringLiteral("STEP"), QStringLiteral("DEVICE"), QStringLiteral("RUNS"), QStringLiteral("FAIL"),
         QStringLiteral("ERROR"), QStringLiteral("FAIL%"), QStringLiteral("P50ms"), QStringLiteral("P95ms"),
         QStringLiteral("P99ms")});
    for (const hil::StepStatistics &st : s.steps) {
        const auto ms = [&st](qint64 ns) {
            return st.latency.count ? hil::formatMs(static_cast<double>(ns)) : QStringLiteral("-");
        };
        row({pt(st.step), pt(st.device), QString::number(st.results), QString::number(st.fail),
             QString::number(st.error),
             st.failureRate.trials ? QString::number(st.failureRate.rate * 100, 'f', 2) : QStringLiteral("-"),
             ms(st.latency.p50Ns), ms(st.latency.p95Ns), ms(st.latency.p99Ns)});
    }
    if (s.availability)
        out << "\navailability " << hil::formatPercent(*s.availability) << ", " << s.failureEpisodes
            << " failure episodes"
            << (s.mtbfNs ? QStringLiteral(", MTBF %1")
                               .arg(hil::formatDuration(hil::Nanoseconds(static_cast<qint64>(*s.mtbfNs))))
                         : QString())
            << '\n';
}

#ifdef HIL_HAVE_REPORTS
bool argIs(const char *arg, const char *option) {
    const size_t n = std::strlen(option);
    return std::strncmp(arg, option, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}
#endif

} // namespace

void addReportOptions(QCommandLineParser &p) {
    p.addOption({QStringLiteral("html"), QStringLiteral("Write the report as one self-contained HTML file."),
                 QStringLiteral("F")});
    p.addOption({QStringLiteral("pdf"), QStringLiteral("Write the report as a PDF."), QStringLiteral("F")});
    p.addOption({QStringLiteral("csv"),
                 QStringLiteral("Write one CSV file per table (steps, measurements, devices, faults, events, "
                                "step_results, samples) into this directory."),
                 QStringLiteral("DIR")});
    p.addOption({QStringLiteral("json"), QStringLiteral("Write the summary as JSON, for machines."),
                 QStringLiteral("F")});
    p.addOption({QStringLiteral("junit"), QStringLiteral("Write JUnit XML."), QStringLiteral("F")});
    p.addOption(
        {QStringLiteral("baseline"),
         QStringLiteral("Compare with this run (id, uuid, or 'previous': the last finished run of the same "
                        "scenario and fixture before this one); shown in the HTML, PDF and JSON."),
         QStringLiteral("RUN")});
    p.addOption(
        {QStringLiteral("threshold"),
         QStringLiteral("Latency regression threshold against the baseline, in percent (default 20)."),
         QStringLiteral("PCT"), QStringLiteral("20")});
}

bool reportOutputsFrom(const QCommandLineParser &p, ReportOutputs *o, QString *error) {
    o->targets.html = p.value(QStringLiteral("html"));
    o->targets.pdf = p.value(QStringLiteral("pdf"));
    o->targets.csvDir = p.value(QStringLiteral("csv"));
    o->targets.json = p.value(QStringLiteral("json"));
    o->targets.junit = p.value(QStringLiteral("junit"));
    o->baseline = p.value(QStringLiteral("baseline"));
    bool ok = false;
    const double pct = p.value(QStringLiteral("threshold")).toDouble(&ok);
    if (!ok || pct < 0) {
        *error = QStringLiteral("--threshold must be a percentage >= 0");
        return false;
    }
    o->threshold = pct / 100;
    return true;
}

int preflightReports(const QString &command, const ReportOutputs &o, const QString &baselineDb,
                     const hil::BaselineOf &run) {
    QTextStream err(stderr);
#ifndef HIL_HAVE_REPORTS
    if (o.targets.needsRenderer()) {
        err << command
            << ": this build of hil has no HTML/PDF renderer (configured with HIL_BUILD_REPORTS=OFF); "
            << "CSV, JSON and JUnit work\n";
        return hil::ExitError;
    }
#endif
    auto problem = hil::checkReportTargets(o.targets);
    if (!problem && !baselineDb.isEmpty())
        problem = hil::checkBaseline(baselineDb, o.baseline, run);
    if (!problem)
        return hil::ExitPass;
    err << command << ": " << problem->message << '\n';
    return problem->kind == hil::PreflightProblem::Kind::BadInput ? hil::ExitBadInput : hil::ExitError;
}

int writeRunReports(const QString &command, const QString &dbPath, const QString &runSpec,
                    const ReportOutputs &o, bool quiet) {
    QTextStream out(stdout);
    QTextStream err(stderr);
#ifdef HIL_HAVE_REPORTS
    const hil::report::ChartRenderer chartRenderer;
    const hil::ReportRenderer *renderer = &chartRenderer;
#else
    const hil::ReportRenderer *renderer = nullptr;
#endif
    if (const int code = preflightReports(command, o, QString()); code != hil::ExitPass)
        return code;
    QString error;
    const auto loaded = hil::loadReport(dbPath, runSpec, o.baseline, o.threshold, &error);
    if (!loaded) {
        err << command << ": " << error << '\n';
        return hil::ExitBadInput;
    }
    if (!o.targets.any()) {
        printSummary(out, *loaded->stats);
        if (const hil::RunComparison *cmp = loaded->comparison.get())
            out << "\nagainst baseline run " << cmp->baseline.id << ": " << cmp->regressions
                << " regressions\n";
        return hil::ExitPass;
    }
    const hil::ReportOutcome outcome = hil::writeReports(loaded->input(), o.targets, renderer);
    if (!quiet) {
        for (const hil::ReportOutcome::Written &w : outcome.written)
            out << hil::reportFormatName(w.format) << ": " << absolute(w.path) << '\n';
    }
    for (const QString &e : outcome.errors)
        err << command << ": " << e << '\n';
    return outcome.ok() ? hil::ExitPass : hil::ExitError;
}

int reportCommand(const QStringList &args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Statistics and reports of a recorded run: latency percentiles, availability, recovery after faults, "
        "failure rate, flaky steps, measurement capability. Without an output option, prints a summary."));
    p.addHelpOption();
    p.addOption({QStringLiteral("db"),
                 QStringLiteral("Results database: a SQLite file or a central store (postgresql://...)."),
                 QStringLiteral("D")});
    p.addOption({QStringLiteral("run"),
                 QStringLiteral("The run: an id, a uuid (or 8+ characters of one), or 'latest' (default)."),
                 QStringLiteral("RUN"), QStringLiteral("latest")});
    addReportOptions(p);
    p.addOption({QStringLiteral("quiet"), QStringLiteral("Do not print the paths written.")});
    if (const auto code = parseCommandLine(p, args))
        return *code;
    QTextStream err(stderr);
    if (!p.isSet(QStringLiteral("db")) || !p.positionalArguments().isEmpty()) {
        err << "hil report: needs --db D and no other arguments\n\n" << commandHelp(p, args.value(0));
        return hil::ExitBadInput;
    }
    ReportOutputs outputs;
    QString error;
    if (!reportOutputsFrom(p, &outputs, &error)) {
        err << "hil report: " << error << '\n';
        return hil::ExitBadInput;
    }
    // A central store: the run (and its baseline) fetched into a temporary file first.
    FetchRequest request;
    request.runSpecs = {p.value(QStringLiteral("run"))};
    if (outputs.baseline == u"previous")
        request.withBaseline = true;
    else if (!outputs.baseline.isEmpty())
        request.runSpecs.append(outputs.baseline);
    int code = hil::ExitBadInput;
    const auto source = DatabaseSource::open(p.value(QStringLiteral("db")), request, &error, &code);
    if (!source) {
        err << "hil report: " << error << '\n';
        return code;
    }
    return writeRunReports(QStringLiteral("hil report"), source->path(), p.value(QStringLiteral("run")),
                           outputs, p.isSet(QStringLiteral("quiet")));
}

std::unique_ptr<QCoreApplication> createApplication(int &argc, char **argv) {
#ifdef HIL_HAVE_REPORTS
    bool render = false;
    if (argc > 1 && (std::strcmp(argv[1], "report") == 0 || std::strcmp(argv[1], "run") == 0)) {
        for (int i = 2; i < argc; ++i)
            render = render || argIs(argv[i], "--html") || argIs(argv[i], "--pdf");
    }
    if (render) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        // Qt warns on stderr without a runtime directory (CI, cron); give it a private one.
        if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
            const QByteArray dir =
                QDir::tempPath().toLocal8Bit() + "/hil-runtime-" + QByteArray::number(::getuid());
            if (::mkdir(dir.constData(), 0700) == 0 || errno == EEXIST)
                qputenv("XDG_RUNTIME_DIR", dir);
        }
        return std::make_unique<QApplication>(argc, argv);
    }
#endif
    return std::make_unique<QCoreApplication>(argc, argv);
}
