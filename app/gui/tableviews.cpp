#include "tableviews.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QPointer>
#include <QScrollBar>
#include <QTableView>
#include <memory>

namespace hil::gui::tableviews {

void setUp(QTableView *view) {
    view->setAlternatingRowColors(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    view->setShowGrid(false);
    view->setWordWrap(false);
    view->setTextElideMode(Qt::ElideRight);
    view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    view->verticalHeader()->hide();
    const int row = view->fontMetrics().height() + 8;
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(row);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    view->horizontalHeader()->setHighlightSections(false);
}

void followTail(QTableView *view) {
    QAbstractItemModel *model = view->model();
    auto atEnd = std::make_shared<bool>(true);
    QScrollBar *bar = view->verticalScrollBar();
    QObject::connect(bar, &QScrollBar::valueChanged, view,
                     [atEnd, bar](int value) { *atEnd = value >= bar->maximum() - 2; });
    QObject::connect(model, &QAbstractItemModel::rowsInserted, view, [atEnd, view] {
        if (*atEnd)
            view->scrollToBottom();
    });
}

} // namespace hil::gui::tableviews
