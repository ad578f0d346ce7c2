#pragma once

#include <QHash>
#include <QSet>
#include <QSortFilterProxyModel>

namespace hil::gui {

// Shows the rows whose value in each filtered column is one of the allowed values (several columns: all
// must match). Values are read with kFilterRole, which the source models answer with the raw value (a
// verdict name, a device, an event kind).
class ColumnFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    static constexpr int kFilterRole = Qt::UserRole + 1;

    explicit ColumnFilterProxy(QObject *parent = nullptr);

    // An empty list removes the column's filter.
    void setAllowed(int column, const QStringList &values);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QHash<int, QSet<QString>> m_allowed;
};

} // namespace hil::gui
