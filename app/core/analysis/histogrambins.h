#pragma once

#include "core/analysis/latencyhistogram.h"

#include <QList>

namespace hil {

// Log-spaced display bins of a latency histogram between lowNs and highNs (both > 0).
struct HistogramBin {
    qint64 lowNs = 0;
    qint64 highNs = 0;
    qint64 count = 0;
};
QList<HistogramBin> logBins(const LatencyHistogram &h, qint64 lowNs, qint64 highNs, int bins);

} // namespace hil
