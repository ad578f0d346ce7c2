#pragma once

#include <QString>
#include <QStringList>
#include <vector>

class QTextStream;

namespace hilbench {

struct ReportOptions {
    int steps = 1'000'000;   // step results of the generated run (0: skip this benchmark)
    int samplesPerStep = 10; // measurements per step result
};

struct ReportTiming {
    QString what;          // "hil report --html"
    double seconds = 0;    // wall clock
    qint64 peakRssKiB = 0; // of the process (or of the statistics in-process)
    bool ok = false;
    QString detail; // output size
};

struct ReportResult {
    qint64 stepResults = 0;
    qint64 samples = 0;
    qint64 databaseBytes = 0;
    double generateSeconds = 0;
    QString hil;             // the hil executable measured
    qint64 parentRssKiB = 0; // this process's RSS when it started the children
    QString directory;       // of the database and the reports
    std::vector<ReportTiming> timings;
};

// Makes a results database with one 24-hour soak run of options.steps step results on two devices, each
// with options.samplesPerStep measurements (plus faults, events and failures as a soak has them), written
// in one transaction through SQLite's C API, then measures reporting on it: the statistics in this process
// (peak RSS reset before, through /proc/self/clear_refs), and `hil report` as a child process for each
// output (wall time and the child's peak RSS from wait4()). Uses the hil next to this program (HIL=path
// overrides). Returns false with *error if the database cannot be made or a report fails.
bool runReportBenchmark(const ReportOptions &options, ReportResult *result, QString *error);
// The 24-hour soak database runReportBenchmark reports on (one run, uuid 0b5e55ed-...-000000000001), for
// other benchmarks that need a big real results file.
bool generateSoakDatabase(const QString &path, const ReportOptions &options, ReportResult *result,
                          QString *error);
// Runs a program to its end with stdout to /dev/null: wall time, peak RSS (wait4) and whether it exited 0.
ReportTiming measureProcess(const QString &what, const QString &program, const QStringList &args);

// Runs the report benchmark and prints its table. The size comes from the environment, so that the
// program's own options stay as they are: HIL_BENCH_REPORT_STEPS (default 1000000; 0 skips it); with
// --quick on the command line, 20000. HIL_BENCH_REPORT_KEEP=1 keeps the files.
bool printReportBenchmark(QTextStream &out, QString *error);

} // namespace hilbench
