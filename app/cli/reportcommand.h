#pragma once

#include "core/export/reportpipeline.h"
#include "core/export/reportpreflight.h"

#include <QString>
#include <QStringList>
#include <memory>

class QCommandLineParser;
class QCoreApplication;

// `hil report --db D [--run R] [--html F] [--pdf F] [--csv DIR] [--json F] [--junit F] [--baseline RUN]`:
// the statistics and reports of a recorded run. Without an output option it prints the verdict, the
// findings and the step table. Exit codes: 0 written, 2 bad input (no such database or run, bad option),
// 3 a report could not be written.
int reportCommand(const QStringList &args);

// Where a run's reports go; shared by `hil report` and `hil run` (which reports after its run).
struct ReportOutputs {
    hil::ReportTargets targets; // the files and directory asked for
    QString baseline;           // a run to compare against: id, uuid (prefix) or "latest" before this run
    double threshold = 0.20;    // latency regression threshold, as a share
};

// Adds --html, --pdf, --csv, --json, --junit, --baseline and --threshold to a command's parser.
void addReportOptions(QCommandLineParser &parser);
// Reads those options after parsing. false with *error on a bad value.
bool reportOutputsFrom(const QCommandLineParser &parser, ReportOutputs *outputs, QString *error);

// The checks made before anything runs or is read: this build can draw HTML/PDF if asked (else 3), every
// output can be written (core/export/reportpreflight.h: 2 for a missing directory or a directory named as
// a file, 3 for a read-only, full or forbidden place) and, when baselineDb is not empty, the --baseline run
// is in that database (else 2; "previous" of the scenario and fixture in run). Prints the problem prefixed
// with command; returns 0 or the exit code.
int preflightReports(const QString &command, const ReportOutputs &outputs, const QString &baselineDb,
                     const hil::BaselineOf &run = {});

// Computes the statistics of a run (runSpec: id, uuid or "latest") and writes every requested output
// through the report pipeline (core/export/reportpipeline.h), the same writers as the desktop app's,
// printing each file's path unless quiet. Problems go to stderr prefixed with command. Returns an exit
// code: 0, 2 (no such database or run), or 3 (an output could not be written, or no renderer in this build).
int writeRunReports(const QString &command, const QString &dbPath, const QString &runSpec,
                    const ReportOutputs &outputs, bool quiet);

// The application object for main(): a QApplication when the command line asks for HTML or PDF (`hil
// report` or `hil run` with --html or --pdf: QCustomPlot is a QWidget), else a QCoreApplication. A
// report never opens a window, so unless QT_QPA_PLATFORM is set it uses the offscreen platform: it then
// works the same over SSH, in CI and at a desk, and a stale DISPLAY cannot abort it.
std::unique_ptr<QCoreApplication> createApplication(int &argc, char **argv);
