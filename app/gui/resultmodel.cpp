#include "resultmodel.h"

#include "appstyle.h"
#include "columnfilterproxy.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"

#include <QBrush>
#include <QFont>

namespace hil::gui {

ResultModel::ResultModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void ResultModel::clear() {
    beginResetModel();
    m_rows.clear();
    m_dropped = 0;
    endResetModel();
}

void ResultModel::append(const QList<StepResult> &results) {
    if (results.isEmpty())
        return;
    const qsizetype overflow = m_rows.size() + results.size() - kMaxRows;
    if (overflow > 0) {
        const int n = static_cast<int>(
            std::min<qsizetype>(m_rows.size(), std::max<qsizetype>(overflow, kMaxRows / 10)));
        beginRemoveRows({}, 0, n - 1);
        m_rows.remove(0, n);
        m_dropped += n;
        endRemoveRows();
    }
    const int first = static_cast<int>(m_rows.size());
    beginInsertRows({}, first, first + static_cast<int>(results.size()) - 1);
    for (const StepResult &r : results) {
        Row row;
        row.startNs = r.startNs;
        row.phase = r.phase;
        row.iteration = r.iteration;
        row.step = printableText(r.step);
        row.device = r.device;
        row.verdict = r.verdict;
        row.marginal = r.marginal;
        row.expected = r.expected;
        row.latencyNs = r.latencyNs;
        QStringList values;
        for (const MeasurementResult &m : r.measurements)
            values << QStringLiteral("%1=%2%3").arg(m.name, formatValue(m.value),
                                                    m.unit.isEmpty() ? QString() : u' ' + m.unit);
        row.values = values.join(QStringLiteral(", "));
        row.message = printableText(r.message);
        row.response = printableBytes(r.response.left(512));
        m_rows.append(std::move(row));
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
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &r = m_rows[index.row()];
    const QString verdict = verdictName(r.verdict);
    if (role == ColumnFilterProxy::kFilterRole) {
        switch (index.column()) {
        case ColVerdict:
            return verdict;
        case ColDevice:
            return r.device;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case ColTime:
            return formatOffset(r.startNs);
        case ColPhase:
            return phaseName(r.phase);
        case ColIteration:
            return r.phase == hil::Phase::Steps ? QVariant(r.iteration + 1) : QVariant();
        case ColStep:
            return r.step;
        case ColDevice:
            return r.device;
        case ColVerdict:
            if (r.expected)
                return tr("%1 (expected)").arg(verdict);
            return r.marginal ? tr("%1 (marginal)").arg(verdict) : verdict;
        case ColLatency:
            return r.latencyNs >= 0 ? formatLatency(static_cast<double>(r.latencyNs)) : QString();
        case ColValues:
            return r.values;
        case ColMessage:
            return r.message;
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && (index.column() == ColMessage || index.column() == ColVerdict)) {
        if (r.message.isEmpty() && r.response.isEmpty())
            return {};
        return r.response.isEmpty() ? r.message : tr("%1\nanswer: %2").arg(r.message, r.response);
    }
    if (role == Qt::TextAlignmentRole) {
        if (index.column() == ColIteration || index.column() == ColLatency)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    }
    if (role == Qt::ForegroundRole && index.column() == ColVerdict) {
        if (r.expected)
            return QBrush(appstyle::subtle());
        if (r.verdict == hil::Verdict::Pass && r.marginal)
            return QBrush(appstyle::marginal());
        return QBrush(appstyle::verdictColor(verdict));
    }
    if (role == Qt::FontRole && index.column() == ColVerdict) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role == Qt::BackgroundRole && r.verdict != hil::Verdict::Pass && !r.expected)
        return QBrush(appstyle::tint(appstyle::verdictColor(verdict), 22));
    return {};
}

QVariant ResultModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ColTime:
        return tr("Time");
    case ColPhase:
        return tr("Phase");
    case ColIteration:
        return tr("Iter.");
    case ColStep:
        return tr("Step");
    case ColDevice:
        return tr("Device");
    case ColVerdict:
        return tr("Verdict");
    case ColLatency:
        return tr("Latency");
    case ColValues:
        return tr("Values");
    case ColMessage:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace hil::gui
