#include "runresultsmodel.h"

#include "resultmodel.h"

#include <QCoreApplication>
#include <limits>

namespace hil::gui {

RunResultsModel::RunResultsModel(ResultModel *window, QObject *parent)
    : QAbstractTableModel(parent)
    , m_window(window) {
    // Rows come at the window's end, which is the table's end.
    connect(window, &QAbstractItemModel::rowsAboutToBeInserted, this,
            [this](const QModelIndex &, int first, int last) {
                if (m_stored)
                    return;
                // Past the bound the oldest tenth of the table leaves it first.
                const qint64 total = olderRows() + m_window->rowCount() + (last - first + 1);
                if (m_pager.isOpen() && total > m_maxRows) {
                    const qint64 drop = std::min(olderRows(), std::max(total - m_maxRows, m_maxRows / 10));
                    if (drop > 0) {
                        beginRemoveRows({}, 0, static_cast<int>(drop - 1));
                        m_base += drop;
                        endRemoveRows();
                    }
                }
                const int older = static_cast<int>(olderRows());
                beginInsertRows({}, older + first, older + last);
            });
    connect(window, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_stored)
            endInsertRows();
    });
    // The window's oldest rows leave it; with a database they stay in the table (read from the file now).
    connect(window, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this](const QModelIndex &, int first, int last) {
                if (!m_stored && !m_pager.isOpen())
                    beginRemoveRows({}, first, last);
            });
    connect(window, &QAbstractItemModel::rowsRemoved, this, [this] {
        if (!m_stored && !m_pager.isOpen())
            endRemoveRows();
    });
    connect(window, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        if (!m_stored)
            beginResetModel();
    });
    connect(window, &QAbstractItemModel::modelReset, this, [this] {
        if (m_stored)
            return;
        m_base = 0;
        endResetModel();
    });
}

bool RunResultsModel::attachDatabase(const QString &path, qint64 runId, QString *error) {
    beginResetModel();
    m_stored.reset();
    m_base = std::max<qint64>(0, m_window->firstSequence() - (m_maxRows - ResultModel::kMaxRows));
    const bool ok = m_pager.open(path, runId, error);
    endResetModel();
    return ok;
}

bool RunResultsModel::showStoredRun(const QString &path, qint64 runId, QString *error) {
    beginResetModel();
    m_stored.reset();
    bool ok = m_pager.open(path, runId, error);
    if (ok) {
        const std::optional<qint64> n = m_pager.rowCount(error);
        ok = n.has_value();
        if (ok) {
            m_stored = *n;
            m_base = std::max<qint64>(0, *n - m_maxRows);
        } else
            m_pager.close();
    }
    endResetModel();
    return ok;
}

void RunResultsModel::detach() {
    beginResetModel();
    m_pager.close();
    m_stored.reset();
    m_base = 0;
    endResetModel();
}

qint64 RunResultsModel::rowsBeforeWindow() const {
    if (m_stored)
        return *m_stored;
    return m_pager.isOpen() ? m_window->firstSequence() : 0;
}

qint64 RunResultsModel::olderRows() const {
    return rowsBeforeWindow() - m_base;
}

int RunResultsModel::rowCount(const QModelIndex &parent) const {
    if (parent.isValid())
        return 0;
    const qint64 n = olderRows() + (m_stored ? 0 : m_window->rowCount());
    return static_cast<int>(std::min<qint64>(n, std::numeric_limits<int>::max()));
}

int RunResultsModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ResultModel::ColumnCount;
}

QVariant RunResultsModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid())
        return {};
    const qint64 older = olderRows();
    if (index.row() >= older)
        return m_window->data(m_window->index(static_cast<int>(index.row() - older), index.column()), role);
    if (const ResultRow *row = m_pager.row(m_base + index.row()))
        return resultCell(*row, index.column(), role);
    if (role == Qt::DisplayRole && index.column() == ResultModel::ColMessage) {
        const QString path = m_pager.path();
        return m_pager.error().isEmpty()
                   ? QCoreApplication::translate("hil::gui::ResultModel", "(not in %1 yet)").arg(path)
                   : QCoreApplication::translate("hil::gui::ResultModel", "(%1 cannot be read: %2)")
                         .arg(path, m_pager.error());
    }
    return {};
}

QVariant RunResultsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    return resultHeader(section);
}

} // namespace hil::gui
