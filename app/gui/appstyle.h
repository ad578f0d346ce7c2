#pragma once

#include <QColor>
#include <QString>

class QApplication;

namespace hil::gui {

// The app's look in one place: the Fusion style with a light, calm palette, and the colours that carry
// meaning (verdicts, device states, fault windows). The verdict colours are those of the reports
// (report/reportstyle.h), so that a PASS looks the same on screen and on paper.
namespace appstyle {

void apply(QApplication &app);

QColor pass();
QColor fail();
QColor error();
QColor abort();
QColor running();
QColor paused();
QColor idle();
QColor marginal();
QColor accent();
QColor ink();
QColor subtle();
QColor line();
QColor surface(); // panels on the window background

// The colour of a verdict name (PASS, FAIL, ERROR, ABORT, RUNNING), grey for anything else.
QColor verdictColor(const QString &verdict);
// A light tint of a colour for backgrounds (table cells, bands).
QColor tint(const QColor &c, int alpha = 40);

// Fault windows in plots, by fault target (link, device, power).
QColor faultColor(const QString &target);

} // namespace appstyle
} // namespace hil::gui
