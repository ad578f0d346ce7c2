#pragma once

#include <QList>
#include <QString>
#include <memory>
#include <optional>

namespace hil {

class RunQuery;
struct RunStatistics;
struct RunComparison;

// The formats a run's report is written in. Every one is written from the store (the run's statistics
// and, for CSV, its rows), so a report written at the end of `hil run`, by `hil report` later, or from
// the desktop app's history is the same file.
enum class ReportFormat { Html, Pdf, Json, JUnit, Csv };
QString reportFormatName(ReportFormat format); // "html", "pdf", "json", "junit", "csv"

// Where each requested format goes; an empty path is not written. csv names a directory.
struct ReportTargets {
    QString html, pdf, json, junit, csvDir;

    bool any() const;
    // HTML and PDF draw charts, which only a ReportRenderer (app/report, Qt Gui) can do.
    bool needsRenderer() const { return !html.isEmpty() || !pdf.isEmpty(); }
    QString pathOf(ReportFormat format) const;
};

// What every writer reads: the run's statistics, optionally a comparison with a baseline, and the
// database they came from (named in the reports, and read again by the CSV writer for its row tables).
struct ReportInput {
    const RunStatistics *stats = nullptr;
    const RunComparison *comparison = nullptr;
    const RunQuery *db = nullptr;
    QString databasePath; // absolute
};

// Writes the formats that need Qt Gui (HTML, PDF). The core has none: app/report implements it, and a
// build without it (HIL_BUILD_REPORTS=OFF) passes no renderer, so HTML and PDF fail with a clear error.
class ReportRenderer {
public:
    virtual ~ReportRenderer() = default;
    // format is Html or Pdf. Returns false with *error if the file could not be written.
    virtual bool write(ReportFormat format, const ReportInput &input, const QString &path,
                       QString *error) const = 0;
};

// The one writer per format: the CLI (`hil run`, `hil report`) and the desktop app both call this.
// Returns false with *error (naming the path) if the file could not be written; a file that could not
// be written completely is not left behind (every writer commits through a temporary name).
bool writeReport(ReportFormat format, const ReportInput &input, const QString &path,
                 const ReportRenderer *renderer, QString *error);

struct ReportOutcome {
    struct Written {
        ReportFormat format;
        QString path;
    };
    QList<Written> written; // in the order HTML, PDF, JSON, JUnit, CSV
    QStringList errors;     // one sentence each, for what could not be written
    bool ok() const { return errors.isEmpty(); }
};

// Writes every format requested in targets, carrying on past a failure so that one bad path does not
// cost the other reports.
ReportOutcome writeReports(const ReportInput &input, const ReportTargets &targets,
                           const ReportRenderer *renderer);

// A run's statistics loaded for reporting: the run named by runSpec (an id, a uuid or a prefix of one,
// or "latest") and, when baselineSpec is not empty, the comparison with that run ("previous": the last
// finished run of the same scenario and fixture before it). Owns what ReportInput points to.
struct LoadedReport {
    std::unique_ptr<RunQuery> db;
    std::unique_ptr<RunStatistics> stats;
    std::unique_ptr<RunComparison> comparison;
    qint64 runId = 0;

    LoadedReport();
    LoadedReport(LoadedReport &&) noexcept;
    LoadedReport &operator=(LoadedReport &&) noexcept;
    ~LoadedReport();
    ReportInput input() const;
};
// nullopt with *error (a sentence for the user: no such database, run or baseline) if it cannot be loaded.
// threshold: the latency regression threshold of the comparison, as a share (0.2 = 20 %).
std::optional<LoadedReport> loadReport(const QString &dbPath, const QString &runSpec,
                                       const QString &baselineSpec, double threshold, QString *error);

} // namespace hil
