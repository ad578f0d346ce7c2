#pragma once

#include "reportmodel.h"

#include <QString>

namespace hil::report {

// The report as one self-contained HTML file: styles inline, charts as PNG data URIs rendered at twice
// their size (sharp on high-density screens), no script, no network. A Content-Security-Policy forbids
// scripts and remote loads outright, as a second line of defence behind the escaping: every string that
// came from a device, a scenario or the database is escaped (entities for markup characters; controls and
// bidirectional overrides are already made visible by the model).
//
// Needs a QApplication for the charts (see reportcharts.h); call on its thread.
QString renderHtmlReport(const ReportModel &model, const RunStatistics &stats);

// Writes renderHtmlReport() to path atomically. Returns false with *error.
bool writeHtmlReport(const ReportModel &model, const RunStatistics &stats, const QString &path,
                     QString *error);

// Escapes text for HTML element content and attribute values.
QString htmlEscape(const QString &text);

} // namespace hil::report
