#include "columnfilterproxy.h"

namespace hil::gui {

ColumnFilterProxy::ColumnFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent) {}

void ColumnFilterProxy::setAllowed(int column, const QStringList &values) {
    if (values.isEmpty())
        m_allowed.remove(column);
    else
        m_allowed.insert(column, QSet<QString>(values.cbegin(), values.cend()));
    invalidateRowsFilter();
}

bool ColumnFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const {
    for (auto it = m_allowed.cbegin(); it != m_allowed.cend(); ++it) {
        const QModelIndex index = sourceModel()->index(sourceRow, it.key(), sourceParent);
        if (!it.value().contains(index.data(kFilterRole).toString()))
            return false;
    }
    return true;
}

} // namespace hil::gui
