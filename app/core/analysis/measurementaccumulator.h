#pragma once

#include "core/analysis/measurementstatistics.h"
#include "core/analysis/seriesaccumulator.h"
#include "core/analysis/statmath.h"
#include "core/analysis/stepstatistics.h"
#include "core/analysis/timeaxis.h"
#include "core/store/rollupscan.h"
#include "core/store/runscan.h"

#include <QList>
#include <functional>
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
    // A rollup cell of a measurement (store/samplerollup.h): its counts, its values' statistics and one
    // binned point of the series. The cells of a measurement come in the order of their bins.
    void addCell(const SampleRollupRow &row, int stepKey, const StepStatistics *step, const TimeAxis &axis);
    // The measurements whose series has at most rawLimit values, which the row path would show raw: the
    // caller reads their samples and replaces the binned series with them (replaceSeries).
    struct SmallSeries {
        int index;
        int stepKey;
        QString name;
    };
    std::vector<SmallSeries> smallSeries(int rawLimit) const;
    void replaceSeries(int index, SeriesAccumulator series);
    // In the order of their steps (rankOf[stepKey]; samples without a step last), then by name.
    QList<MeasurementStatistics> finish(const std::vector<int> &rankOf, const TimeAxis &axis, int rawLimit);

private:
    struct Measurement;
    // The measurement of a step key and name, created with its definition on first sight.
    Measurement &at(int stepKey, QByteArrayView name, const StepStatistics *step,
                    const std::function<MeasurementRow::Definition()> &definition);

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
