#include "commands.h"
#include "comparecommand.h"
#include "core/base/verdict.h"
#include "mergecommand.h"
#include "proxycommand.h"
#include "pushcommand.h"
#include "reportcommand.h"
#include "trendcommand.h"

#include <QCoreApplication>
#include <QTextStream>
#include <csignal>

namespace {

const char *const kUsage = R"(Usage: hil <command> [options]

Hardware-in-the-loop test and soak harness.

Commands:
  run SCENARIO --fixture F   run a scenario on a bench, record it, exit with its verdict
  validate [SCENARIO] --fixture F
                             check a fixture (and scenario) without running anything
  runs --db D                list the runs recorded in a database (a file or postgresql://...)
  report --db D [--run R] [--html F] [--pdf F] [--csv DIR] [--json F] [--junit F]
                             statistics and reports of a recorded run
  compare --db D RUN_A RUN_B compare a run against a baseline, step by step
  merge --into FLEET.db A.db B.db ...
                             merge the runs of many databases into one
  trend --db D --scenario NAME [--last N] [--html F] [--csv F]
                             nightly trends: pass rate, latency, availability, recovery; regressions
  push --db D --to postgresql://USER@HOST/DB
                             send the runs a central store lacks (idempotent, one transaction per run)
  ports                      list serial ports with what libserialport knows of them
  proxy --upstream H:P [--fault SPEC]...
                             a TCP fault proxy: link faults on traffic the harness does not carry

Exit codes: 0 pass, 1 fail, 2 bad input, 3 error, 130 abort.
Run 'hil <command> --help' for the options of a command.
)";

} // namespace

int main(int argc, char *argv[]) {
    // A reader that goes away (`hil run ... | head`) must not end a run or cost its reports: writes to a
    // closed stdout then fail quietly instead of killing the process.
    std::signal(SIGPIPE, SIG_IGN);
    // Qt's own poll() event dispatcher rather than GLib's: a round trip with a device costs about 5 us
    // less at the median (docs/benchmarks.md, section 9), and hil has no GLib sources to integrate.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    const std::unique_ptr<QCoreApplication> app = createApplication(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hil"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIL_VERSION));

    const QStringList args = QCoreApplication::arguments();
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (args.size() < 2) {
        err << kUsage;
        return hil::ExitBadInput;
    }
    const QString command = args.at(1);
    if (command == u"--help" || command == u"-h" || command == u"help") {
        out << kUsage;
        return 0;
    }
    if (command == u"--version" || command == u"-v") {
        out << "hil " << HIL_VERSION << '\n';
        return 0;
    }
    QStringList rest = args.mid(1);
    rest[0] = QStringLiteral("hil ") + command;
    if (command == u"run")
        return runCommand(rest);
    if (command == u"validate")
        return validateCommand(rest);
    if (command == u"report")
        return reportCommand(rest);
    if (command == u"compare")
        return compareCommand(rest);
    if (command == u"merge")
        return mergeCommand(rest);
    if (command == u"trend")
        return trendCommand(rest);
    if (command == u"push")
        return pushCommand(rest);
    if (command == u"runs")
        return runsCommand(rest);
    if (command == u"ports")
        return portsCommand(rest);
    if (command == u"proxy")
        return proxyCommand(rest);
    err << "hil: unknown command '" << command << "'\n\n" << kUsage;
    return hil::ExitBadInput;
}
