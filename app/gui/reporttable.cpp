#include "reporttable.h"

#include "appstyle.h"
#include "report/reportstyle.h"
#include "tableviews.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QTableWidget>

namespace hil::gui {

QColor toneColor(report::Tone tone) {
    return report::style::tone(tone);
}

QTableWidget *makeReportTable(const report::Table &table, QWidget *parent, int maxRows) {
    auto *w =
        new QTableWidget(static_cast<int>(table.rows.size()), static_cast<int>(table.columns.size()), parent);
    w->setObjectName(table.id.isEmpty() ? QStringLiteral("reportTable") : table.id);
    tableviews::setUp(w);
    w->setEditTriggers(QAbstractItemView::NoEditTriggers);
    QStringList headers;
    for (const report::Column &c : table.columns)
        headers << c.title;
    w->setHorizontalHeaderLabels(headers);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (int r = 0; r < table.rows.size(); ++r) {
        const QList<report::Cell> &row = table.rows[r];
        for (int c = 0; c < row.size() && c < table.columns.size(); ++c) {
            const report::Cell &cell = row[c];
            auto *item = new QTableWidgetItem(cell.text);
            if (cell.tone != report::Tone::Neutral)
                item->setForeground(toneColor(cell.tone));
            if (cell.strong || cell.mono) {
                QFont f = cell.mono ? mono : w->font();
                f.setBold(cell.strong);
                item->setFont(f);
            }
            if (!cell.hint.isEmpty())
                item->setToolTip(cell.hint);
            else if (cell.text.size() > 40)
                item->setToolTip(cell.text);
            item->setTextAlignment(table.columns[c].numeric ? Qt::AlignRight | Qt::AlignVCenter
                                                            : Qt::AlignLeft | Qt::AlignVCenter);
            w->setItem(r, c, item);
        }
    }
    w->resizeColumnsToContents();
    for (int c = 0; c < w->columnCount(); ++c)
        w->setColumnWidth(c, std::min(w->columnWidth(c), w->fontMetrics().horizontalAdvance(u'x') * 48));
    const int rows = std::min<int>(maxRows, std::max<int>(1, w->rowCount()));
    w->setMinimumHeight(w->horizontalHeader()->sizeHint().height()
                        + rows * w->verticalHeader()->defaultSectionSize() + 4);
    w->setMaximumHeight(w->minimumHeight());
    w->setVerticalScrollBarPolicy(w->rowCount() > maxRows ? Qt::ScrollBarAsNeeded : Qt::ScrollBarAlwaysOff);
    return w;
}

} // namespace hil::gui
