#include "resultrow.h"

#include "appstyle.h"
#include "columnfilterproxy.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"
#include "core/store/steppages.h"
#include "resultmodel.h"

#include <QBrush>
#include <QCoreApplication>
#include <QFont>
#include <QStringList>
#include <limits>

namespace hil::gui {

namespace {

QString tr(const char *text) {
    return QCoreApplication::translate("hil::gui::ResultModel", text);
}

QString valueText(const QString &name, double value, const QString &unit) {
    return QStringLiteral("%1=%2%3").arg(name, formatValue(value), unit.isEmpty() ? QString() : u' ' + unit);
}

hil::Phase phaseFrom(const QString &name) {
    for (hil::Phase p : {hil::Phase::Setup, hil::Phase::Steps, hil::Phase::Teardown}) {
        if (phaseName(p) == name)
            return p;
    }
    return hil::Phase::Steps;
}

} // namespace

ResultRow ResultRow::from(const StepResult &r) {
    ResultRow row;
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
        values << valueText(m.name, m.value, m.unit);
    row.values = values.join(QStringLiteral(", "));
    row.message = printableText(r.message);
    row.response = printableBytes(r.response.left(512));
    return row;
}

ResultRow ResultRow::from(const ListedStep &r) {
    ResultRow row;
    row.startNs = r.startNs;
    row.phase = phaseFrom(r.phase);
    row.iteration = r.iteration;
    row.step = printableText(r.step);
    row.device = r.device;
    row.verdict = verdictFromName(r.verdict).value_or(hil::Verdict::Error);
    row.marginal = r.marginal;
    row.expected = r.expected;
    row.latencyNs = r.latencyNs.value_or(-1);
    QStringList values;
    for (const ListedStep::Value &v : r.values)
        values << valueText(v.name, v.value.value_or(std::numeric_limits<double>::quiet_NaN()), v.unit);
    row.values = values.join(QStringLiteral(", "));
    row.message = printableText(r.message);
    row.response = printableBytes(r.response);
    return row;
}

QVariant resultCell(const ResultRow &r, int column, int role) {
    const QString verdict = verdictName(r.verdict);
    if (role == ColumnFilterProxy::kFilterRole) {
        switch (column) {
        case ResultModel::ColVerdict:
            return verdict;
        case ResultModel::ColDevice:
            return r.device;
        default:
            return resultCell(r, column, Qt::DisplayRole);
        }
    }
    if (role == Qt::DisplayRole) {
        switch (column) {
        case ResultModel::ColTime:
            return formatOffset(r.startNs);
        case ResultModel::ColPhase:
            return phaseName(r.phase);
        case ResultModel::ColIteration:
            return r.phase == hil::Phase::Steps ? QVariant(r.iteration + 1) : QVariant();
        case ResultModel::ColStep:
            return r.step;
        case ResultModel::ColDevice:
            return r.device;
        case ResultModel::ColVerdict:
            if (r.expected)
                return tr("%1 (expected)").arg(verdict);
            return r.marginal ? tr("%1 (marginal)").arg(verdict) : verdict;
        case ResultModel::ColLatency:
            return r.latencyNs >= 0 ? formatLatency(static_cast<double>(r.latencyNs)) : QString();
        case ResultModel::ColValues:
            return r.values;
        case ResultModel::ColMessage:
            return r.message;
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole && (column == ResultModel::ColMessage || column == ResultModel::ColVerdict)) {
        if (r.message.isEmpty() && r.response.isEmpty())
            return {};
        return r.response.isEmpty() ? r.message : tr("%1\nanswer: %2").arg(r.message, r.response);
    }
    if (role == Qt::TextAlignmentRole) {
        if (column == ResultModel::ColIteration || column == ResultModel::ColLatency)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    }
    if (role == Qt::ForegroundRole && column == ResultModel::ColVerdict) {
        if (r.expected)
            return QBrush(appstyle::subtle());
        if (r.verdict == hil::Verdict::Pass && r.marginal)
            return QBrush(appstyle::marginal());
        return QBrush(appstyle::verdictColor(verdict));
    }
    if (role == Qt::FontRole && column == ResultModel::ColVerdict) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role == Qt::BackgroundRole && r.verdict != hil::Verdict::Pass && !r.expected)
        return QBrush(appstyle::tint(appstyle::verdictColor(verdict), 22));
    return {};
}

QVariant resultHeader(int column) {
    switch (column) {
    case ResultModel::ColTime:
        return tr("Time");
    case ResultModel::ColPhase:
        return tr("Phase");
    case ResultModel::ColIteration:
        return tr("Iter.");
    case ResultModel::ColStep:
        return tr("Step");
    case ResultModel::ColDevice:
        return tr("Device");
    case ResultModel::ColVerdict:
        return tr("Verdict");
    case ResultModel::ColLatency:
        return tr("Latency");
    case ResultModel::ColValues:
        return tr("Values");
    case ResultModel::ColMessage:
        return tr("Message");
    default:
        return {};
    }
}

} // namespace hil::gui
