#pragma once

#include "core/export/reportpipeline.h"

namespace hil::report {

// The HTML and PDF writers of the report pipeline: charts drawn with QCustomPlot, so it needs a
// QApplication (offscreen is enough). Stateless; any thread that may use QWidgets may call it.
class ChartRenderer : public ReportRenderer {
public:
    bool write(ReportFormat format, const ReportInput &input, const QString &path,
               QString *error) const override;
};

} // namespace hil::report
