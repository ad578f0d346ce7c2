#include "chartrenderer.h"

#include "htmlreport.h"
#include "pdfreport.h"
#include "reportmodel.h"

#include <QApplication>

namespace hil::report {

bool ChartRenderer::write(ReportFormat format, const ReportInput &input, const QString &path,
                          QString *error) const {
    if (!qobject_cast<QApplication *>(QCoreApplication::instance())) {
        *error = QStringLiteral("HTML and PDF need a QApplication; main() must create it");
        return false;
    }
    const ReportModel model = buildReportModel(*input.stats, input.comparison, input.databasePath);
    if (format == ReportFormat::Html)
        return writeHtmlReport(model, *input.stats, path, error);
    if (format == ReportFormat::Pdf)
        return writePdfReport(model, *input.stats, path, error);
    *error = QStringLiteral("the chart renderer writes HTML and PDF only");
    return false;
}

} // namespace hil::report
