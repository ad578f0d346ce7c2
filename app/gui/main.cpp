// hil-bench: the desktop app. main() parses the command line, builds the window and runs the event loop;
// everything else is in the hilgui library.

#include "appstyle.h"
#include "livebenchmark.h"
#include "mainwindow.h"
#include "plotbenchmark.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>
#include <memory>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

// Blocks of 256 KiB and more always get their own mapping, returned to the system when freed. glibc
// otherwise raises its mapping threshold to the largest block freed so far (up to 32 MiB), after which
// the live path's big, short-lived lists (a drained batch of results, a table's growing header) are
// carved from the heap and leave it fragmented: 11–18 MiB of free memory kept in a long run at full
// speed, 2–4 MiB with the threshold fixed (docs/benchmarks.md §17).
void keepLargeBlocksMapped() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
}

// --help and --version answer without a display (a terminal on a headless bench, a package check).
bool asksForHelpOrVersion(int argc, char *argv[]) {
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "-h" || a == "--help" || a == "--help-all" || a == "-v" || a == "--version" || a == "-?")
            return true;
    }
    return false;
}

// Qt aborts (exit 134) when no platform can be opened; say what to do instead, before trying.
bool hasDisplay() {
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
           || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

} // namespace

int main(int argc, char *argv[]) {
    keepLargeBlocksMapped();
    QGuiApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
    std::unique_ptr<QCoreApplication> core;
    if (asksForHelpOrVersion(argc, argv) || !hasDisplay())
        core = std::make_unique<QCoreApplication>(argc, argv);
    else
        core = std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("hil"));
    QCoreApplication::setApplicationName(QStringLiteral("hil-bench"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIL_VERSION));

    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("The desktop app of the hil harness: bench, scenario, live run, "
                       "faults by hand, results and history."));
    p.addHelpOption();
    p.addVersionOption();
    p.addPositionalArgument(QStringLiteral("scenario"), QStringLiteral("Scenario to open (YAML)."),
                            QStringLiteral("[SCENARIO]"));
    const QCommandLineOption fixture({QStringLiteral("f"), QStringLiteral("fixture")},
                                     QStringLiteral("Fixture to open (YAML)."), QStringLiteral("F"));
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("Results database (default: the last one used)."),
                                QStringLiteral("D"));
    const QCommandLineOption start(QStringLiteral("start"), QStringLiteral("Start the run at once."));
    QCommandLineOption benchmark(
        QStringLiteral("benchmark-plot"),
        QStringLiteral("Measure the live plot's frame rate with N points and exit (hil-benchmark)."),
        QStringLiteral("N"));
    benchmark.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption liveBenchmark(
        QStringLiteral("benchmark-live"),
        QStringLiteral(
            "Measure the app's memory while N results come at full speed and exit (hil-benchmark)."),
        QStringLiteral("N"));
    liveBenchmark.setFlags(QCommandLineOption::HiddenFromHelp);
    p.addOptions({fixture, db, start, benchmark, liveBenchmark});
    p.process(*core); // prints --help or --version and exits, without a display
    if (!qobject_cast<QApplication *>(core.get())) {
        QTextStream(stderr)
            << "hil-bench: no display (neither DISPLAY nor WAYLAND_DISPLAY is set): run it on a "
               "desktop, under xvfb-run, or with QT_QPA_PLATFORM=offscreen; headless benches use "
               "hil run\n";
        return 3;
    }
    auto &app = *static_cast<QApplication *>(core.get());

    if (p.isSet(benchmark)) {
        QTextStream out(stdout);
        hil::gui::PlotBenchmarkOptions o;
        bool ok = false;
        o.points = p.value(benchmark).toInt(&ok);
        if (!ok || o.points < 1) {
            QTextStream(stderr) << "hil-bench: --benchmark-plot needs a whole number of points >= 1\n";
            return 2;
        }
        hil::gui::appstyle::apply(app);
        return hil::gui::runPlotBenchmark(o, out);
    }

    if (p.isSet(liveBenchmark)) {
        QTextStream out(stdout);
        bool ok = false;
        const qint64 n = p.value(liveBenchmark).toLongLong(&ok);
        if (!ok || n < 1) {
            QTextStream(stderr) << "hil-bench: --benchmark-live needs a whole number of results >= 1\n";
            return 2;
        }
        hil::gui::appstyle::apply(app);
        return hil::gui::runLiveBenchmark(n, out);
    }

    hil::gui::appstyle::apply(app);
    hil::gui::MainWindow window;
    if (p.isSet(db))
        window.setDatabasePath(p.value(db));
    window.show();
    if (p.isSet(fixture))
        window.openFixture(p.value(fixture));
    if (!p.positionalArguments().isEmpty())
        window.openScenario(p.positionalArguments().constFirst());
    if (p.isSet(start))
        window.startRun();
    return app.exec();
}
