#include "core/export/reportpipeline.h"

#include "core/analysis/runcomparison.h"
#include "core/analysis/runstatistics.h"
#include "core/export/csvexport.h"
#include "core/export/jsonsummary.h"
#include "core/export/junitreport.h"
#include "core/store/runquery.h"

#include <QFileInfo>

namespace hil {

QString reportFormatName(ReportFormat format) {
    switch (format) {
    case ReportFormat::Html:
        return QStringLiteral("html");
    case ReportFormat::Pdf:
        return QStringLiteral("pdf");
    case ReportFormat::Json:
        return QStringLiteral("json");
    case ReportFormat::JUnit:
        return QStringLiteral("junit");
    case ReportFormat::Csv:
        return QStringLiteral("csv");
    }
    return {};
}

bool ReportTargets::any() const {
    return !html.isEmpty() || !pdf.isEmpty() || !json.isEmpty() || !junit.isEmpty() || !csvDir.isEmpty();
}

QString ReportTargets::pathOf(ReportFormat format) const {
    switch (format) {
    case ReportFormat::Html:
        return html;
    case ReportFormat::Pdf:
        return pdf;
    case ReportFormat::Json:
        return json;
    case ReportFormat::JUnit:
        return junit;
    case ReportFormat::Csv:
        return csvDir;
    }
    return {};
}

bool writeReport(ReportFormat format, const ReportInput &input, const QString &path,
                 const ReportRenderer *renderer, QString *error) {
    if (!input.stats) {
        *error = QStringLiteral("no run to report");
        return false;
    }
    switch (format) {
    case ReportFormat::Html:
    case ReportFormat::Pdf:
        if (!renderer) {
            *error = QStringLiteral("this build of hil has no HTML/PDF renderer (configured with "
                                    "HIL_BUILD_REPORTS=OFF); CSV, JSON and JUnit work");
            return false;
        }
        return renderer->write(format, input, path, error);
    case ReportFormat::Json:
        return writeJsonSummary(path, *input.stats, input.comparison, error);
    case ReportFormat::JUnit:
        return writeJUnitReport(*input.stats, path, error);
    case ReportFormat::Csv: {
        if (!input.db) {
            *error = QStringLiteral("CSV export needs the run's database");
            return false;
        }
        QStringList files;
        return exportCsv(*input.db, *input.stats, path, &files, error);
    }
    }
    return false;
}

ReportOutcome writeReports(const ReportInput &input, const ReportTargets &targets,
                           const ReportRenderer *renderer) {
    ReportOutcome outcome;
    for (const ReportFormat f : {ReportFormat::Html, ReportFormat::Pdf, ReportFormat::Json,
                                 ReportFormat::JUnit, ReportFormat::Csv}) {
        const QString path = targets.pathOf(f);
        if (path.isEmpty())
            continue;
        QString error;
        if (writeReport(f, input, path, renderer, &error))
            outcome.written.append({f, path});
        else
            outcome.errors.append(error);
    }
    return outcome;
}

LoadedReport::LoadedReport() = default;
LoadedReport::LoadedReport(LoadedReport &&) noexcept = default;
LoadedReport &LoadedReport::operator=(LoadedReport &&) noexcept = default;
LoadedReport::~LoadedReport() = default;

ReportInput LoadedReport::input() const {
    ReportInput in;
    in.stats = stats.get();
    in.comparison = comparison.get();
    in.db = db.get();
    in.databasePath = db ? QFileInfo(db->path()).absoluteFilePath() : QString();
    return in;
}

std::optional<LoadedReport> loadReport(const QString &dbPath, const QString &runSpec,
                                       const QString &baselineSpec, double threshold, QString *error) {
    LoadedReport r;
    r.db = RunQuery::open(dbPath, error);
    if (!r.db)
        return std::nullopt;
    const auto runId = r.db->resolveRun(runSpec, error);
    if (!runId)
        return std::nullopt;
    r.runId = *runId;
    std::optional<RunStatistics> baseline;
    if (!baselineSpec.isEmpty()) {
        const auto baseId = baselineSpec.compare(u"previous", Qt::CaseInsensitive) == 0
                                ? r.db->previousRun(*runId, error)
                                : r.db->resolveRun(baselineSpec, error);
        if (!baseId) {
            *error = QStringLiteral("--baseline: ") + *error;
            return std::nullopt;
        }
        if (*baseId == *runId) {
            *error = QStringLiteral("--baseline names run %1 itself").arg(*runId);
            return std::nullopt;
        }
        StatisticsOptions bo;
        bo.measurements = false;
        baseline = computeRunStatistics(*r.db, *baseId, bo, error);
        if (!baseline)
            return std::nullopt;
    }
    auto stats = computeRunStatistics(*r.db, *runId, {}, error);
    if (!stats)
        return std::nullopt;
    r.stats = std::make_unique<RunStatistics>(std::move(*stats));
    if (baseline) {
        CompareOptions co;
        co.latencyThreshold = threshold;
        r.comparison = std::make_unique<RunComparison>(compareRuns(*baseline, *r.stats, co));
    }
    return r;
}

} // namespace hil
