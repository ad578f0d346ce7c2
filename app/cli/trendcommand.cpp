#include "trendcommand.h"

#include "commandline.h"
#include "core/analysis/trend.h"
#include "core/base/printable.h"
#include "core/base/verdict.h"
#include "core/export/atomicfile.h"
#include "core/export/trendexport.h"
#include "core/store/runcatalog.h"
#include "core/store/runquery.h"
#include "databasesource.h"
#include "runfilteroptions.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>

namespace {

QString cell(std::optional<double> v, int decimals, double scale = 1, const QString &unit = QString()) {
    return v ? QString::number(*v * scale, 'f', decimals) + unit : QStringLiteral("-");
}

void printTable(QTextStream &out, const QList<hil::TrendRow> &rows) {
    const QStringList kinds = hil::trendFaultKinds(rows);
    QStringList head = {QStringLiteral("NIGHT"), QStringLiteral("FIRMWARE"), QStringLiteral("RUNS"),
                        QStringLiteral("PASS%"), QStringLiteral("P50ms"),    QStringLiteral("P99ms"),
                        QStringLiteral("AVAIL%")};
    for (const QString &k : kinds)
        head.append(QStringLiteral("MTTR:%1").arg(k));
    const auto line = [&out](const QStringList &cells) {
        QString s;
        for (qsizetype i = 0; i < cells.size(); ++i)
            s += i < 2 ? cells[i].left(12).leftJustified(i == 0 ? 10 : 12) + QStringLiteral("  ")
                       : cells[i].rightJustified(8) + QStringLiteral("  ");
        out << s.trimmed();
    };
    line(head);
    out << "  REGRESSION\n";
    for (const hil::TrendRow &r : rows) {
        const auto p50 = r.latencyPercentileNs(0.5), p99 = r.latencyPercentileNs(0.99);
        QStringList cells = {r.night.toString(Qt::ISODate),
                             hil::printableText(r.firmware),
                             QString::number(r.runs),
                             cell(r.passRate(), 1, 100),
                             cell(p50 ? std::optional<double>(*p50) : std::nullopt, 3, 1e-6),
                             cell(p99 ? std::optional<double>(*p99) : std::nullopt, 3, 1e-6),
                             cell(r.availability(), 2, 100)};
        for (const QString &k : kinds)
            cells.append(cell(r.meanRecoveryNs(k), 1, 1e-6));
        line(cells);
        out << "  "
            << (r.regressions.isEmpty()
                    ? (r.enoughHistory ? QStringLiteral("-") : QStringLiteral("not enough history"))
                    : hil::printableText(r.regressions.join(QStringLiteral("; "))))
            << '\n';
    }
}

} // namespace

int trendCommand(const QStringList &args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Nightly trends of a scenario across runs: per night (UTC date of a run's start) and firmware, the "
        "pass\n"
        "rate, latency p50/p99, availability and mean time to recover per fault kind, each night compared "
        "with\n"
        "the nights before it (docs/reports.md, Trends). Exit codes: 0 no regression on the last night, 1 "
        "the\n"
        "last night regressed, 2 bad input (no runs of that scenario), 3 error. Latencies and MTTR in ms."));
    p.addHelpOption();
    p.addOption({QStringLiteral("db"),
                 QStringLiteral("Results database: a SQLite file or a central store (postgresql://...)."),
                 QStringLiteral("D")});
    addRunFilterOptions(p, true);
    p.addOption({QStringLiteral("html"), QStringLiteral("Write the trend as an HTML page with charts."),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("csv"),
                 QStringLiteral("Write the trend as CSV, one row per night and firmware."),
                 QStringLiteral("FILE")});
    if (const auto code = parseCommandLine(p, args))
        return *code;
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!p.isSet(QStringLiteral("db")) || !p.isSet(QStringLiteral("scenario"))) {
        err << "hil trend: needs --db D and --scenario NAME\n\n" << commandHelp(p, args.value(0));
        return hil::ExitBadInput;
    }
    QString error;
    FetchRequest request;
    if (!readRunFilterOptions(p, &request.filter, &error)) {
        err << "hil trend: " << error << '\n';
        return hil::ExitBadInput;
    }
    for (const char *opt : {"html", "csv"}) {
        const QString path = p.value(QString::fromLatin1(opt));
        if (!path.isEmpty() && !QFileInfo(QFileInfo(path).absolutePath()).isDir()) {
            err << "hil trend: --" << opt << " " << path << ": no such directory\n";
            return hil::ExitBadInput;
        }
    }
    int code = hil::ExitBadInput;
    const auto source = DatabaseSource::open(p.value(QStringLiteral("db")), request, &error, &code);
    if (!source) {
        err << "hil trend: " << error << '\n';
        return code;
    }
    const auto all = hil::listRuns(source->path(), &error);
    if (!all) {
        err << "hil trend: " << error << '\n';
        return hil::ExitBadInput;
    }
    const QList<hil::RunHeader> runs = request.filter.apply(*all);
    if (runs.isEmpty()) {
        QStringList scenarios;
        for (const hil::RunHeader &r : *all)
            if (!scenarios.contains(r.scenario))
                scenarios.append(r.scenario);
        err << "hil trend: " << source->display() << " has no runs of scenario '"
            << hil::printableText(request.filter.scenario) << "' matching the filter"
            << (scenarios.isEmpty() ? QString()
                                    : QStringLiteral(" (scenarios there: %1)")
                                          .arg(hil::printableText(scenarios.join(QStringLiteral(", ")))))
            << '\n';
        return hil::ExitBadInput;
    }
    const auto db = hil::RunQuery::open(source->path(), &error);
    if (!db) {
        err << "hil trend: " << error << '\n';
        return hil::ExitBadInput;
    }
    QList<hil::TrendRun> trendRuns;
    for (const hil::RunHeader &r : runs) {
        if (r.live)
            continue; // still recording: tomorrow's trend has it
        const auto t = hil::readTrendRun(*db, r.id, &error);
        if (!t) {
            err << "hil trend: run " << r.id << ": " << error << '\n';
            return hil::ExitError;
        }
        trendRuns.append(*t);
    }
    const QList<hil::TrendRow> rows = hil::buildTrend(trendRuns);
    printTable(out, rows);
    const QString title = QStringLiteral("Trend of %1 (%2)").arg(request.filter.scenario, source->display());
    for (const auto &[opt, data] : {std::pair{QStringLiteral("csv"), hil::trendCsv(rows)},
                                    std::pair{QStringLiteral("html"), hil::trendHtml(rows, title)}}) {
        if (!p.isSet(opt))
            continue;
        if (!hil::AtomicFile::writeWhole(p.value(opt), data, &error)) {
            err << "hil trend: " << error << '\n';
            return hil::ExitError;
        }
        out << opt << ": " << QFileInfo(p.value(opt)).absoluteFilePath() << '\n';
    }
    const bool lastRegressed = !rows.isEmpty() && [&] {
        const QDate last = rows.last().night;
        for (const hil::TrendRow &r : rows)
            if (r.night == last && !r.regressions.isEmpty())
                return true;
        return false;
    }();
    return lastRegressed ? hil::ExitFail : hil::ExitPass;
}
