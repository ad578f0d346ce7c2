#include "resultmodel.h"

namespace hil::gui {

ResultModel::ResultModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void ResultModel::clear() {
    beginResetModel();
    m_rows.clear();
    m_sequence.clear();
    m_nextSequence = 0;
    m_dropped = 0;
    endResetModel();
}

void ResultModel::append(const QList<StepResult> &results, qint64 skippedBefore) {
    m_nextSequence += skippedBefore;
    if (results.isEmpty())
        return;
    const auto held = static_cast<qsizetype>(m_rows.size());
    const qsizetype overflow = held + results.size() - kMaxRows;
    if (overflow > 0) {
        const int n =
            static_cast<int>(std::min<qsizetype>(held, std::max<qsizetype>(overflow, kMaxRows / 10)));
        if (n > 0) {
            beginRemoveRows({}, 0, n - 1);
            m_rows.erase(m_rows.begin(), m_rows.begin() + n);
            m_sequence.erase(m_sequence.begin(), m_sequence.begin() + n);
            m_dropped += n;
            endRemoveRows();
        }
    }
    // More results in one batch than the window holds: only the newest kMaxRows are kept.
    const qsizetype skip = std::max<qsizetype>(0, results.size() - kMaxRows);
    m_nextSequence += skip;
    m_dropped += skip;
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(results.size() - skip) - 1);
    for (qsizetype i = skip; i < results.size(); ++i) {
        m_rows.push_back(ResultRow::from(results[i]));
        m_sequence.push_back(m_nextSequence++);
    }
    endInsertRows();
}

int ResultModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ResultModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ResultModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || static_cast<std::size_t>(index.row()) >= m_rows.size())
        return {};
    return resultCell(m_rows[static_cast<std::size_t>(index.row())], index.column(), role);
}

QVariant ResultModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    return resultHeader(section);
}

} // namespace hil::gui
