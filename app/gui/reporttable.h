#pragma once

#include "report/reportmodel.h"

#include <QColor>

class QTableWidget;
class QWidget;

namespace hil::gui {

// A table of the report model (report/reportmodel.h) as a read-only QTableWidget, with the report's tones
// as text colours, tall enough for up to maxRows rows before it scrolls.
QTableWidget *makeReportTable(const report::Table &table, QWidget *parent, int maxRows = 12);

// The colour of a report tone on screen.
QColor toneColor(report::Tone tone);

} // namespace hil::gui
