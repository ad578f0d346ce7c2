#include "guibenchmark.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTextStream>

namespace hilbench {

namespace {

struct Case {
    QString name;
    double fps = 0;
    double ms = 0;
    qint64 frames = 0;
    qint64 points = 0;
};

QString fixed(double v, int decimals) {
    return QString::number(v, 'f', decimals);
}

} // namespace

bool printGuiBenchmark(QTextStream &out, QString *error) {
    int points = 1'000'000;
    if (QCoreApplication::arguments().contains(QStringLiteral("--quick")))
        points = 100'000;
    if (qEnvironmentVariableIsSet("HIL_BENCH_GUI_POINTS"))
        points = qEnvironmentVariableIntValue("HIL_BENCH_GUI_POINTS");
    if (points <= 0)
        return true;
    const QString program =
        qEnvironmentVariableIsSet("HIL_BENCH")
            ? qEnvironmentVariable("HIL_BENCH")
            : QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("hil-bench"));
    out << "Live plot of the desktop app: frames per second with " << points << " points\n";
    if (!QFileInfo(program).isExecutable()) {
        out << "  skipped: " << program
            << " is not there (the desktop app is built with HIL_BUILD_GUI=ON)\n\n";
        return true;
    }
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), qEnvironmentVariableIsSet("HIL_BENCH_GUI_PLATFORM")
                                                      ? qEnvironmentVariable("HIL_BENCH_GUI_PLATFORM")
                                                      : QStringLiteral("offscreen"));
    child.setProcessEnvironment(env);
    child.start(program, {QStringLiteral("--benchmark-plot"), QString::number(points)});
    if (!child.waitForFinished(300'000) || child.exitStatus() != QProcess::NormalExit
        || child.exitCode() != 0) {
        *error = QStringLiteral("%1 --benchmark-plot failed: %2")
                     .arg(program, QString::fromUtf8(child.readAllStandardError()));
        child.kill();
        return false;
    }
    static const QRegularExpression line(
        QStringLiteral("^case (\\S+) fps=([0-9.]+) ms=([0-9.]+) frames=([0-9]+) points=([0-9]+)$"));
    QString header;
    QList<Case> cases;
    for (const QString &l :
         QString::fromUtf8(child.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts)) {
        if (l.startsWith(u"plot-benchmark"))
            header = l.mid(15);
        const QRegularExpressionMatch m = line.match(l);
        if (m.hasMatch())
            cases.append({m.captured(1), m.captured(2).toDouble(), m.captured(3).toDouble(),
                          m.captured(4).toLongLong(), m.captured(5).toLongLong()});
    }
    if (cases.size() != 4) {
        *error =
            QStringLiteral("%1 --benchmark-plot printed %2 cases, expected 4").arg(program).arg(cases.size());
        return false;
    }
    out << "  " << header
        << "; each frame appends a batch of points, then decimates, replots and repaints at once\n\n";
    const QStringList labels{
        QStringLiteral("LivePlot, no data (limit bands only)"),
        QStringLiteral("LivePlot, whole run, min/max per pixel column, 20 fault windows"),
        QStringLiteral("LivePlot, last minute of it"),
        QStringLiteral("baseline: QCustomPlot alone, every point in its graph, whole run")};
    int width = 0;
    for (const QString &l : labels)
        width = std::max(width, static_cast<int>(l.size()));
    out << "  " << QStringLiteral("frames").leftJustified(width) << "  "
        << QStringLiteral("per s").rightJustified(8) << "  " << QStringLiteral("ms each").rightJustified(8)
        << "  " << QStringLiteral("points").rightJustified(9) << '\n';
    for (int i = 0; i < cases.size(); ++i)
        out << "  " << labels[i].leftJustified(width) << "  " << fixed(cases[i].fps, 1).rightJustified(8)
            << "  " << fixed(cases[i].ms, 2).rightJustified(8) << "  "
            << QString::number(cases[i].points).rightJustified(9) << '\n';
    out << "  ratio whole run / no data: " << fixed(cases[1].fps / cases[0].fps, 3)
        << "x; whole run / QCustomPlot alone: " << fixed(cases[1].fps / cases[3].fps, 1) << "x\n\n";
    out.flush();
    return true;
}

} // namespace hilbench
