#pragma once

#include "core/analysis/trend.h"

#include <QByteArray>
#include <QString>

namespace hil {

// `hil trend --csv`: one row per night and firmware, a column per fault kind's mean time to recover.
QByteArray trendCsv(const QList<TrendRow> &rows);
// `hil trend --html`: a self-contained page (inline SVG charts, no scripts, no files beside it) with pass
// rate, latency p50/p99, availability and mean time to recover over the nights, one colour per firmware,
// regressions ringed in red and listed, and the table. title names the scenario and the filter.
QByteArray trendHtml(const QList<TrendRow> &rows, const QString &title);

} // namespace hil
