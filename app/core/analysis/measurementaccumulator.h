#pragma once

#include "core/analysis/measurementstatistics.h"
#include "core/analysis/seriesaccumulator.h"
#include "core/analysis/statmath.h"
#include "core/analysis/stepstatistics.h"
#include "core/analysis/timeaxis.h"
#include "core/store/runscan.h"

#include <QList>
#include <string>
#include <unordered_map>
#include <vector>

namespace hil {

// The samples of a run, one MeasurementStatistics per step and name, built while they stream by.
class MeasurementAccumulator {
public:
    // stepKey identifies the sample's step (-1 when its step result is not one of the run's), step is
    // that step's statistics (nullptr for -1); expected: its result failed during a fault.
    void add(const MeasurementRow &row, int stepKey, const StepStatistics *step, bool expected,
             const TimeAxis &axis, int rawLimit);
    // In the order of their steps (rankOf[stepKey]; samples without a step last), then by name.
    QList<MeasurementStatistics> finish(const std::vector<int> &rankOf, const TimeAxis &axis, int rawLimit);

private:
    struct Measurement {
        MeasurementStatistics m;
        RunningStats stats;
        SeriesAccumulator series;
        int stepKey = -1;
    };
    std::vector<Measurement> m_measurements;
    std::unordered_map<std::string, int> m_byKey; // step key and name
    std::string m_key;
};

} // namespace hil
