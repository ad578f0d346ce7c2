#pragma once

#include "core/analysis/timeseries.h"

#include <QString>
#include <optional>

namespace hil {

struct MeasurementStatistics {
    QString phase;
    int stepIndex = 0;
    QString step;
    QString device;
    QString name;
    QString unit;
    std::optional<double> low, high;                 // limits
    std::optional<double> marginalLow, marginalHigh; // marginal band
    qint64 samples = 0;                              // rows
    qint64 nonNumeric = 0;                           // captures that were not numbers (outside faults)
    qint64 fail = 0;                                 // FAIL samples, outside faults
    qint64 expected = 0; // samples of step results that failed during a fault (their values still count)
    qint64 marginal = 0;
    qint64 count = 0; // numeric values
    double mean = 0, stddev = 0, min = 0, max = 0;
    std::optional<double> cpk;
    TimeSeries series;
};

} // namespace hil
