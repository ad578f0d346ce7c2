#include "eventmodel.h"

#include "appstyle.h"
#include "columnfilterproxy.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"

#include <QBrush>
#include <QFont>

namespace hil::gui {

EventModel::EventModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void EventModel::clear() {
    beginResetModel();
    m_rows.clear();
    m_dropped = 0;
    m_devices.clear();
    m_kinds.clear();
    endResetModel();
    emit vocabularyChanged();
}

void EventModel::append(const QList<Event> &events, qint64 skippedBefore) {
    m_dropped += skippedBefore;
    if (events.isEmpty())
        return;
    const qsizetype overflow = m_rows.size() + events.size() - kMaxRows;
    if (overflow > 0) {
        const int n = static_cast<int>(
            std::min<qsizetype>(m_rows.size(), std::max<qsizetype>(overflow, kMaxRows / 10)));
        beginRemoveRows({}, 0, n - 1);
        m_rows.remove(0, n);
        m_dropped += n;
        endRemoveRows();
    }
    bool newWords = false;
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(events.size()) - 1);
    for (const Event &e : events) {
        m_rows.append(Row{e.timeNs, e.kind, e.device, printableText(e.detail)});
        if (!e.device.isEmpty() && !m_devices.contains(e.device)) {
            m_devices.append(e.device);
            newWords = true;
        }
        if (!m_kinds.contains(e.kind)) {
            m_kinds.append(e.kind);
            newWords = true;
        }
    }
    endInsertRows();
    if (newWords) {
        m_devices.sort();
        m_kinds.sort();
        emit vocabularyChanged();
    }
}

int EventModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int EventModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QColor EventModel::kindColor(const QString &kind) {
    if (kind == u"error" || kind == u"abort" || kind == u"recovery-missed")
        return appstyle::fail();
    if (kind.startsWith(u"fault"))
        return appstyle::faultColor(QStringLiteral("device"));
    if (kind == u"disconnect" || kind == u"sim-exit" || kind == u"power-off" || kind.contains(u"overflow")
        || kind == u"schedule-overrun")
        return appstyle::error();
    if (kind == u"connect" || kind == u"reconnect" || kind == u"power-on")
        return appstyle::pass();
    return appstyle::subtle();
}

QVariant EventModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    return cell(m_rows[index.row()], index.column(), role);
}

QVariant EventModel::cell(const Row &r, int column, int role) {
    if (role == Qt::DisplayRole || role == ColumnFilterProxy::kFilterRole) {
        switch (column) {
        case ColTime:
            return formatOffset(r.timeNs);
        case ColKind:
            return r.kind;
        case ColDevice:
            return r.device;
        case ColDetail:
            return r.detail;
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && column == ColDetail)
        return r.detail;
    if (role == Qt::ForegroundRole && column == ColKind)
        return QBrush(kindColor(r.kind));
    if (role == Qt::FontRole && column == ColKind) {
        QFont f;
        f.setBold(true);
        return f;
    }
    return {};
}

QVariant EventModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ColTime:
        return tr("Time");
    case ColKind:
        return tr("Kind");
    case ColDevice:
        return tr("Device");
    case ColDetail:
        return tr("Detail");
    default:
        return {};
    }
}

} // namespace hil::gui
