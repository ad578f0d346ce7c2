#pragma once

#include <QJsonObject>
#include <QString>

namespace hil {

struct RunStatistics;
struct RunComparison;

// The report for machines: one JSON object with the run, its verdict and findings, and the statistics of
// every step, measurement, device and fault (no per-sample data: that is in the CSV files and the
// database). Times are ns; shares are 0..1. "format" is "hil-report/1"; fields are only ever added
// under the same format name. Strings from devices and files are as recorded (JSON escapes them).
QJsonObject runSummaryJson(const RunStatistics &stats, const RunComparison *comparison = nullptr);
QJsonObject comparisonJson(const RunComparison &comparison);

// Writes runSummaryJson() to path (atomically). Returns false with *error.
bool writeJsonSummary(const QString &path, const RunStatistics &stats, const RunComparison *comparison,
                      QString *error);

} // namespace hil
