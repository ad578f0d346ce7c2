#include "mergecommand.h"

#include "commandline.h"
#include "core/base/verdict.h"
#include "core/store/dbmerge.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QTextStream>

int mergeCommand(const QStringList &args) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Merge the runs of results databases (one per bench) into "
                                               "one, so that they report together. Runs are "
                                               "identified by their uuid: a run already in the target is "
                                               "skipped, so merging the same file again adds "
                                               "nothing. Ids are renumbered, no row is lost, and each run is "
                                               "copied in one transaction. The sources are "
                                               "only read."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("SOURCE"), QStringLiteral("Databases to merge from."),
                            QStringLiteral("SOURCE..."));
    p.addOption({QStringLiteral("into"), QStringLiteral("The target database (created if missing)."),
                 QStringLiteral("FLEET.db")});
    p.addOption({QStringLiteral("quiet"), QStringLiteral("Print nothing but errors.")});
    if (const auto code = parseCommandLine(p, args))
        return *code;
    QTextStream out(stdout);
    QTextStream err(stderr);
    const QStringList sources = p.positionalArguments();
    if (!p.isSet(QStringLiteral("into")) || sources.isEmpty()) {
        err << "hil merge: needs --into FLEET.db and at least one SOURCE\n\n"
            << commandHelp(p, args.value(0));
        return hil::ExitBadInput;
    }
    for (const QString &s : sources) {
        if (!QFileInfo(s).isFile()) {
            err << "hil merge: " << s
                << (QFileInfo::exists(s) ? QStringLiteral(" is not a file, so not a results database\n")
                                         : QStringLiteral(": no such database (no file by that name)\n"));
            return hil::ExitBadInput;
        }
    }
    const QString target = p.value(QStringLiteral("into"));
    QList<hil::MergeSourceResult> results;
    QString error;
    const hil::MergeOutcome outcome = hil::mergeDatabases(target, sources, &results, &error);
    if (!p.isSet(QStringLiteral("quiet"))) {
        for (const hil::MergeSourceResult &r : std::as_const(results)) {
            out << r.path << ": " << r.runsMerged << " runs merged";
            if (r.runsReplaced)
                out << ", " << r.runsReplaced << " replaced (finished since the last merge)";
            out << ", " << r.runsSkipped << " already present; rows: " << r.stepResults << " step results, "
                << r.measurements << " samples, " << r.events << " events, " << r.exchanges << " exchanges, "
                << r.faults << " faults\n";
        }
    }
    if (outcome != hil::MergeOutcome::Merged) {
        err << "hil merge: " << error << '\n';
        return outcome == hil::MergeOutcome::BadSource ? hil::ExitBadInput : hil::ExitError;
    }
    if (!p.isSet(QStringLiteral("quiet")))
        out << "into " << QFileInfo(target).absoluteFilePath() << '\n';
    return hil::ExitPass;
}
