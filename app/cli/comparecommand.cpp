#include "comparecommand.h"

#include "commandline.h"
#include "core/analysis/runcomparison.h"
#include "core/base/duration.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"
#include "core/base/verdict.h"
#include "core/export/atomicfile.h"
#include "core/export/jsonsummary.h"
#include "core/store/runquery.h"
#include "databasesource.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTextStream>

int compareCommand(const QStringList &args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Compare run RUN_B with the baseline RUN_A, step by step (steps are matched by phase, name and "
        "device): "
        "latency p50/p95/p99 and pass rate. A latency percentile regresses when it grows past the threshold "
        "and "
        "the minimum delta; the pass rate regresses when the 95 % interval of the change in failure rate "
        "lies "
        "above zero. Runs of different firmware versions compare the same way. Exit code 1 when anything "
        "regressed."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("RUN_A"),
                            QStringLiteral("The baseline: an id, a uuid, or 'latest'."));
    p.addPositionalArgument(QStringLiteral("RUN_B"),
                            QStringLiteral("The run to judge: an id, a uuid, or 'latest'."));
    p.addOption({QStringLiteral("db"),
                 QStringLiteral("Results database: a SQLite file or a central store (postgresql://...)."),
                 QStringLiteral("D")});
    p.addOption({QStringLiteral("threshold"),
                 QStringLiteral("Latency regression threshold in percent (default 20)."),
                 QStringLiteral("PCT"), QStringLiteral("20")});
    p.addOption({QStringLiteral("min-delta"),
                 QStringLiteral("Smallest latency increase that counts as a regression (default 100us)."),
                 QStringLiteral("D"), QStringLiteral("100us")});
    p.addOption(
        {QStringLiteral("json"), QStringLiteral("Also write the comparison as JSON."), QStringLiteral("F")});
    if (const auto code = parseCommandLine(p, args))
        return *code;
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!p.isSet(QStringLiteral("db")) || p.positionalArguments().size() != 2) {
        err << "hil compare: needs --db D, RUN_A and RUN_B\n\n" << commandHelp(p, args.value(0));
        return hil::ExitBadInput;
    }
    hil::CompareOptions options;
    bool ok = false;
    const double pct = p.value(QStringLiteral("threshold")).toDouble(&ok);
    if (!ok || pct < 0) {
        err << "hil compare: --threshold must be a percentage >= 0\n";
        return hil::ExitBadInput;
    }
    options.latencyThreshold = pct / 100;
    QString error;
    const auto minDelta = hil::parseDuration(p.value(QStringLiteral("min-delta")), &error);
    if (!minDelta) {
        err << "hil compare: --min-delta: " << error << '\n';
        return hil::ExitBadInput;
    }
    options.minLatencyDeltaNs = minDelta->count();

    FetchRequest request;
    request.runSpecs = p.positionalArguments();
    int code = hil::ExitBadInput;
    const auto source = DatabaseSource::open(p.value(QStringLiteral("db")), request, &error, &code);
    if (!source) {
        err << "hil compare: " << error << '\n';
        return code;
    }
    const std::unique_ptr<hil::RunQuery> db = hil::RunQuery::open(source->path(), &error);
    if (!db) {
        err << "hil compare: " << error << '\n';
        return hil::ExitBadInput;
    }
    const auto a = db->resolveRun(p.positionalArguments().at(0), &error);
    const auto b = a ? db->resolveRun(p.positionalArguments().at(1), &error) : std::nullopt;
    if (!a || !b) {
        err << "hil compare: " << error << '\n';
        return hil::ExitBadInput;
    }
    hil::StatisticsOptions so;
    so.measurements = false;
    const auto sa = hil::computeRunStatistics(*db, *a, so, &error);
    const auto sb = sa ? hil::computeRunStatistics(*db, *b, so, &error) : std::nullopt;
    if (!sa || !sb) {
        err << "hil compare: " << error << '\n';
        return hil::ExitBadInput;
    }
    const hil::RunComparison c = hil::compareRuns(*sa, *sb, options);

    const auto pt = [](const QString &t) { return hil::printableText(t); };
    const auto describe = [&pt](const hil::RunHeader &h) {
        return QStringLiteral("run %1  %2  %3  firmware %4  %5")
            .arg(QString::number(h.id), pt(h.verdict), pt(h.scenario),
                 h.firmware.isEmpty() ? QStringLiteral("-") : pt(h.firmware),
                 hil::formatWallClock(h.startedAtNs));
    };
    out << "baseline   " << describe(c.baseline) << '\n' << "candidate  " << describe(c.candidate) << "\n\n";
    const auto row = [&out](const QStringList &cells) {
        static const int widths[] = {-26, -10, 17, 17, 17, 19};
        QString line;
        for (qsizetype i = 0; i < cells.size(); ++i) {
            const int w = i < 6 ? widths[i] : 0;
            line += (w < 0   ? cells[i].left(-w).leftJustified(-w)
                     : w > 0 ? cells[i].rightJustified(w)
                             : cells[i])
                    + QStringLiteral("  ");
        }
        out << line.trimmed() << '\n';
    };
    row({QStringLiteral("STEP"), QStringLiteral("DEVICE"), QStringLiteral("P50 ms A -> B"),
         QStringLiteral("P95 ms A -> B"), QStringLiteral("P99 ms A -> B"), QStringLiteral("PASS % A -> B"),
         QStringLiteral("")});
    const auto change = [](qint64 ca, qint64 x, qint64 cb, qint64 y) -> QString {
        if (!ca || !cb)
            return QStringLiteral("-");
        return hil::formatMs(static_cast<double>(x)) + QStringLiteral(" -> ")
               + hil::formatMs(static_cast<double>(y));
    };
    for (const hil::StepComparison &s : c.steps) {
        if (!s.inBaseline || !s.inCandidate) {
            row({pt(s.step), pt(s.device), QStringLiteral("-"), QStringLiteral("-"), QStringLiteral("-"),
                 QStringLiteral("-"),
                 s.inBaseline ? QStringLiteral("only in the baseline") : QStringLiteral("new")});
            continue;
        }
        const auto &x = s.baseline;
        const auto &y = s.candidate;
        row({pt(s.step), pt(s.device), change(x.count, x.p50Ns, y.count, y.p50Ns),
             change(x.count, x.p95Ns, y.count, y.p95Ns), change(x.count, x.p99Ns, y.count, y.p99Ns),
             QStringLiteral("%1 -> %2")
                 .arg(QString::number(s.baselinePass.rate * 100, 'f', 2),
                      QString::number(s.candidatePass.rate * 100, 'f', 2)),
             s.regression() ? QStringLiteral("REGRESSION: ") + s.reasons.join(QStringLiteral("; "))
                            : QStringLiteral("ok")});
    }
    out << '\n' << c.regressions << (c.regressions == 1 ? " step regressed\n" : " steps regressed\n");

    if (p.isSet(QStringLiteral("json"))) {
        const QString path = p.value(QStringLiteral("json"));
        const QByteArray data = QJsonDocument(hil::comparisonJson(c)).toJson(QJsonDocument::Indented);
        if (QString why; !hil::AtomicFile::writeWhole(path, data, &why)) {
            err << "hil compare: " << why << '\n';
            return hil::ExitError;
        }
    }
    return c.regressions > 0 ? hil::ExitFail : hil::ExitPass;
}
