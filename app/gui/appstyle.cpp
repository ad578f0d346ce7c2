#include "appstyle.h"

#include "report/reportstyle.h"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

namespace hil::gui::appstyle {

QColor pass() {
    return report::style::good();
}
QColor fail() {
    return report::style::bad();
}
QColor error() {
    return report::style::error();
}
QColor abort() {
    return QColor(0x57, 0x60, 0x6a);
}
QColor running() {
    return QColor(0x09, 0x69, 0xda);
}
QColor paused() {
    return report::style::warn();
}
QColor idle() {
    return QColor(0x8c, 0x95, 0x9f);
}
QColor marginal() {
    return QColor(0xbf, 0x87, 0x00);
}
QColor accent() {
    return QColor(0x09, 0x69, 0xda);
}
QColor ink() {
    return report::style::ink();
}
QColor subtle() {
    return report::style::subtle();
}
QColor line() {
    return report::style::line();
}
QColor surface() {
    return QColor(0xff, 0xff, 0xff);
}

QColor verdictColor(const QString &verdict) {
    if (verdict == u"PASS")
        return pass();
    if (verdict == u"FAIL")
        return fail();
    if (verdict == u"ERROR")
        return error();
    if (verdict == u"ABORT")
        return abort();
    if (verdict == u"RUNNING")
        return running();
    return idle();
}

QColor tint(const QColor &c, int alpha) {
    QColor t = c;
    t.setAlpha(alpha);
    return t;
}

QColor faultColor(const QString &target) {
    if (target == u"device")
        return QColor(0x82, 0x50, 0xdf); // violet
    if (target == u"power")
        return QColor(0x57, 0x60, 0x6a); // slate
    return QColor(0xbc, 0x4c, 0x00);     // link and proxy: orange
}

void apply(QApplication &app) {
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p;
    const QColor window(0xf3, 0xf5, 0xf7);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, ink());
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xf6, 0xf8, 0xfa));
    p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xff, 0xf0));
    p.setColor(QPalette::ToolTipText, ink());
    p.setColor(QPalette::PlaceholderText, idle());
    p.setColor(QPalette::Text, ink());
    p.setColor(QPalette::Button, QColor(0xf6, 0xf8, 0xfa));
    p.setColor(QPalette::ButtonText, ink());
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, accent());
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, accent());
    p.setColor(QPalette::Mid, line());
    p.setColor(QPalette::Dark, QColor(0xaf, 0xb8, 0xc1));
    p.setColor(QPalette::Disabled, QPalette::Text, idle());
    p.setColor(QPalette::Disabled, QPalette::WindowText, idle());
    p.setColor(QPalette::Disabled, QPalette::ButtonText, idle());
    app.setPalette(p);
    // Only what the palette cannot say: flat toolbars, quiet dock titles, table headers.
    app.setStyleSheet(QStringLiteral(
        "QToolBar { background: #ffffff; border: none; border-bottom: 1px solid #d0d7de; spacing: 4px;"
        "  padding: 3px 6px; }"
        "QToolButton { padding: 4px 8px; border-radius: 5px; }"
        "QToolButton:hover { background: #eaeef2; }"
        "QToolButton:checked { background: #ddf4ff; }"
        "QDockWidget::title { background: #eaeef2; padding: 5px 8px; border-bottom: 1px solid #d0d7de; }"
        "QHeaderView::section { background: #f6f8fa; border: none; border-bottom: 1px solid #d0d7de;"
        "  border-right: 1px solid #eaeef2; padding: 4px 6px; font-weight: 600; color: #424a53; }"
        "QTableView, QTreeView, QListView, QPlainTextEdit, QTextBrowser { border: 1px solid #d0d7de;"
        "  gridline-color: #eaeef2; selection-background-color: #ddf4ff; selection-color: #1f2328; }"
        "QTabWidget::pane { border: none; border-top: 1px solid #d0d7de; }"
        "QTabBar::tab { padding: 6px 14px; border: none; color: #59636e; }"
        "QTabBar::tab:selected { color: #1f2328; border-bottom: 2px solid #0969da; font-weight: 600; }"
        "QStatusBar { background: #ffffff; border-top: 1px solid #d0d7de; }"
        "QGroupBox { font-weight: 600; border: 1px solid #d0d7de; border-radius: 6px; margin-top: 10px;"
        "  padding-top: 8px; background: #ffffff; }"
        "QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; }"));
}

} // namespace hil::gui::appstyle
