#pragma once

#include "reportmodel.h"

#include <QString>

namespace hil::report {

// The report as a PDF (A4 portrait), with the same content as the HTML report, laid out in pages: tables
// break between rows and repeat their header, charts and failures are kept whole, every page carries a
// footer with the run and "page n of N". Charts are drawn as vectors (QCustomPlot onto the PDF painter),
// so they stay sharp at any zoom; text is real text (searchable, and pdftotext reads it).
//
// Needs a QApplication for the charts (see reportcharts.h); call on its thread. Returns false with *error
// if the file cannot be written.
bool writePdfReport(const ReportModel &model, const RunStatistics &stats, const QString &path,
                    QString *error);

} // namespace hil::report
