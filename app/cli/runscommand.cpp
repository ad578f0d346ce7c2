#include "commandline.h"
#include "commands.h"
#include "core/base/duration.h"
#include "core/base/printable.h"
#include "core/base/verdict.h"
#include "core/store/runcatalog.h"
#include "databasesource.h"
#include "runfilteroptions.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QTextStream>
#include <QTimeZone>

int runsCommand(const QStringList &args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("List the runs recorded in a results database."));
    p.addHelpOption();
    p.addOption({QStringLiteral("db"),
                 QStringLiteral("Results database: a SQLite file or a central store (postgresql://...)."),
                 QStringLiteral("D")});
    addRunFilterOptions(p, true);
    if (const auto code = parseCommandLine(p, args))
        return *code;
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!p.isSet(QStringLiteral("db"))) {
        err << commandHelp(p, args.value(0));
        return hil::ExitBadInput;
    }
    QString error;
    FetchRequest request;
    if (!readRunFilterOptions(p, &request.filter, &error)) {
        err << "hil runs: " << error << '\n';
        return hil::ExitBadInput;
    }
    request.headersOnly = true;
    int code = hil::ExitBadInput;
    const auto source = DatabaseSource::open(p.value(QStringLiteral("db")), request, &error, &code);
    if (!source) {
        err << "hil runs: " << error << '\n';
        return code;
    }
    const auto all = hil::listRuns(source->path(), &error);
    if (!all) {
        err << "hil runs: " << error << '\n';
        return hil::ExitBadInput;
    }
    // A file lists in id order as it always did; a filter lists the matching runs in start order.
    const auto runs = request.filter.empty() ? all : request.filter.apply(*all);
    out << QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
               .arg(QStringLiteral("ID"), 4)
               .arg(QStringLiteral("STARTED (UTC)"), -19)
               .arg(QStringLiteral("VERDICT"), -8)
               .arg(QStringLiteral("DURATION"), -9)
               .arg(QStringLiteral("SCENARIO"), -20)
               .arg(QStringLiteral("DUT / FIRMWARE"), -24)
               .arg(QStringLiteral("PASS/FAIL/ERROR"));
    for (const hil::RunHeader &r : *runs) {
        const QString started = QDateTime::fromMSecsSinceEpoch(r.startedAtNs / 1'000'000, Qt::UTC)
                                    .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        // A run with no end is RUNNING while its writer lives, and RUNNING? when its row is too old to
        // tell (schema < 3); one whose writer is gone reads as ERROR with the reason below it.
        const QString verdict =
            r.verdict == u"RUNNING" && !r.durationNs && !r.live ? QStringLiteral("RUNNING?") : r.verdict;
        out << QStringLiteral("%1  %2  %3  %4  %5  %6  %7/%8/%9\n")
                   .arg(r.id, 4)
                   .arg(started, -19)
                   .arg(verdict, -8)
                   .arg(r.durationNs ? hil::formatDuration(hil::Nanoseconds(*r.durationNs))
                                     : QStringLiteral("-"),
                        -9)
                   .arg(hil::printableText(r.scenario), -20)
                   .arg(QStringLiteral("%1 / %2").arg(hil::printableText(r.dutSerial),
                                                      hil::printableText(r.firmware)),
                        -24)
                   .arg(r.pass)
                   .arg(r.fail)
                   .arg(r.error);
        if (r.interrupted)
            out << "      " << hil::printableText(r.reason) << '\n';
    }
    return hil::ExitPass;
}
