#include "guibenchmark.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTextStream>
#include <algorithm>
#include <optional>

namespace hilbench {

namespace {

struct Case {
    QString name;
    double fps = 0;
    double ms = 0;
    double p50 = 0;
    double p99 = 0;
    qint64 frames = 0;
    qint64 points = 0;
};

QString fixed(double v, int decimals) {
    return QString::number(v, 'f', decimals);
}

QString hilBenchProgram() {
    return qEnvironmentVariableIsSet("HIL_BENCH")
               ? qEnvironmentVariable("HIL_BENCH")
               : QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("hil-bench"));
}

// Runs hil-bench with args on the offscreen platform (HIL_BENCH_GUI_PLATFORM overrides); its output, or
// nullopt with *error.
std::optional<QString> runHilBench(const QStringList &args, int timeoutMs, QString *error) {
    const QString program = hilBenchProgram();
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), qEnvironmentVariableIsSet("HIL_BENCH_GUI_PLATFORM")
                                                      ? qEnvironmentVariable("HIL_BENCH_GUI_PLATFORM")
                                                      : QStringLiteral("offscreen"));
    child.setProcessEnvironment(env);
    child.start(program, args);
    if (!child.waitForFinished(timeoutMs) || child.exitStatus() != QProcess::NormalExit
        || child.exitCode() != 0) {
        *error = QStringLiteral("%1 %2 failed: %3")
                     .arg(program, args.join(u' '), QString::fromUtf8(child.readAllStandardError()));
        child.kill();
        return std::nullopt;
    }
    return QString::fromUtf8(child.readAllStandardOutput());
}

bool printPlotBenchmark(QTextStream &out, QString *error) {
    int points = 1'000'000;
    if (QCoreApplication::arguments().contains(QStringLiteral("--quick")))
        points = 100'000;
    if (qEnvironmentVariableIsSet("HIL_BENCH_GUI_POINTS"))
        points = qEnvironmentVariableIntValue("HIL_BENCH_GUI_POINTS");
    if (points <= 0)
        return true;
    out << "Live plot of the desktop app: frames per second with " << points << " points\n";
    const std::optional<QString> output =
        runHilBench({QStringLiteral("--benchmark-plot"), QString::number(points)}, 900'000, error);
    if (!output)
        return false;
    static const QRegularExpression line(
        QStringLiteral("^case (\\S+) fps=([0-9.]+) ms=([0-9.]+) p50=([0-9.]+) p99=([0-9.]+) frames=([0-9]+) "
                       "points=([0-9]+)$"));
    QString header;
    QList<Case> cases;
    for (const QString &l : output->split(u'\n', Qt::SkipEmptyParts)) {
        if (l.startsWith(u"plot-benchmark"))
            header = l.mid(15);
        const QRegularExpressionMatch m = line.match(l);
        if (m.hasMatch())
            cases.append({m.captured(1), m.captured(2).toDouble(), m.captured(3).toDouble(),
                          m.captured(4).toDouble(), m.captured(5).toDouble(), m.captured(6).toLongLong(),
                          m.captured(7).toLongLong()});
    }
    if (cases.size() != 5) {
        *error = QStringLiteral("hil-bench --benchmark-plot printed %1 cases, expected 5").arg(cases.size());
        return false;
    }
    out << "  " << header
        << "; each frame appends a batch of points, then decimates, replots and repaints at once\n\n";
    const QStringList labels{QStringLiteral("LivePlot, no data (limit bands only)"),
                             QStringLiteral("LivePlot, zoomed out: whole run, min/max per pixel column"),
                             QStringLiteral("LivePlot, zoomed in: last minute (raw points)"),
                             QStringLiteral("LivePlot, zoomed in: a minute mid-run (min/max history)"),
                             QStringLiteral("baseline: QCustomPlot alone, every point in its graph")};
    int width = 0;
    for (const QString &l : labels)
        width = std::max(width, static_cast<int>(l.size()));
    out << "  " << QStringLiteral("frames").leftJustified(width) << "  "
        << QStringLiteral("per s").rightJustified(8) << "  " << QStringLiteral("p50 ms").rightJustified(8)
        << "  " << QStringLiteral("p99 ms").rightJustified(8) << "  "
        << QStringLiteral("points held").rightJustified(11) << '\n';
    for (int i = 0; i < cases.size(); ++i)
        out << "  " << labels[i].leftJustified(width) << "  " << fixed(cases[i].fps, 1).rightJustified(8)
            << "  " << fixed(cases[i].p50, 2).rightJustified(8) << "  "
            << fixed(cases[i].p99, 2).rightJustified(8) << "  "
            << QString::number(cases[i].points).rightJustified(11) << '\n';
    out << "  ratio zoomed out / no data: " << fixed(cases[1].fps / cases[0].fps, 3)
        << "x; zoomed out / QCustomPlot alone: " << fixed(cases[1].fps / cases[4].fps, 1) << "x\n\n";
    out.flush();
    return true;
}

// The figure measured before the live views were bounded (issue 16): 61 MB at start, 84 MB after 61,557
// results of a 2 ms loop, about 160 bytes a result kept for good.
constexpr double kUnboundedBytesPerResult = 160;

bool printLiveBenchmark(QTextStream &out, QString *error) {
    qint64 results = 10'000'000;
    if (QCoreApplication::arguments().contains(QStringLiteral("--quick")))
        results = 1'000'000;
    if (qEnvironmentVariableIsSet("HIL_BENCH_LIVE_RESULTS"))
        results = qEnvironmentVariable("HIL_BENCH_LIVE_RESULTS").toLongLong();
    if (results <= 0)
        return true;
    out << "Memory of the desktop app over " << results << " results fed at full speed\n";
    const std::optional<QString> output =
        runHilBench({QStringLiteral("--benchmark-live"), QString::number(results)}, 3'600'000, error);
    if (!output)
        return false;
    static const QRegularExpression rss(QStringLiteral("^rss results=([0-9]+) MiB=([0-9.]+)"));
    static const QRegularExpression end(
        QStringLiteral("^rss end .* growth=(-?[0-9.]+) bytes/result=(-?[0-9.]+)"));
    double growthMiB = -1, perResult = 0;
    for (const QString &l : output->split(u'\n', Qt::SkipEmptyParts)) {
        if (const QRegularExpressionMatch m = rss.match(l); m.hasMatch())
            out << "  after " << m.captured(1).rightJustified(9)
                << " results: " << m.captured(2).rightJustified(7) << " MiB resident\n";
        else if (const QRegularExpressionMatch e = end.match(l); e.hasMatch()) {
            growthMiB = e.captured(1).toDouble();
            perResult = e.captured(2).toDouble();
            out << "  " << l << '\n';
        } else {
            out << "  " << l << '\n';
        }
    }
    if (growthMiB < 0 && perResult == 0) {
        *error = QStringLiteral("hil-bench --benchmark-live printed no end line");
        return false;
    }
    const double unboundedMiB = kUnboundedBytesPerResult * static_cast<double>(results) / 1048576.0;
    out << "  growth " << fixed(growthMiB, 1) << " MiB (goal under 50 MB); unbounded as measured before (~"
        << fixed(kUnboundedBytesPerResult, 0) << " bytes a result): " << fixed(unboundedMiB, 0) << " MiB, "
        << fixed(unboundedMiB / std::max(growthMiB, 0.1), 1) << "x more\n\n";
    out.flush();
    return true;
}

} // namespace

bool printGuiBenchmark(QTextStream &out, QString *error) {
    if (!QFileInfo(hilBenchProgram()).isExecutable()) {
        out << "Desktop app: skipped: " << hilBenchProgram()
            << " is not there (the desktop app is built with HIL_BUILD_GUI=ON)\n\n";
        return true;
    }
    return printPlotBenchmark(out, error) && printLiveBenchmark(out, error);
}

} // namespace hilbench
