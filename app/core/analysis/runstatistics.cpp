#include "core/analysis/runstatistics.h"

#include "core/analysis/runstatisticscomputation.h"

namespace hil {

qint64 RunStatistics::stepResultCount() const {
    qint64 n = 0;
    for (const StepStatistics &s : steps)
        n += s.results;
    return n;
}

qint64 RunStatistics::sampleCount() const {
    qint64 n = 0;
    for (const MeasurementStatistics &m : measurements)
        n += m.samples;
    return n;
}

QList<const StepStatistics *> RunStatistics::flakySteps() const {
    QList<const StepStatistics *> out;
    for (const StepStatistics &s : steps) {
        if (s.flaky())
            out.append(&s);
    }
    return out;
}

std::optional<RunStatistics> computeRunStatistics(const RunQuery &db, qint64 runId,
                                                  const StatisticsOptions &options, QString *error) {
    RunStatistics r;
    QString why;
    RunStatisticsComputation c(db, runId, options);
    if (!c.run(&r, &why)) {
        if (error)
            *error = why;
        return std::nullopt;
    }
    return r;
}

} // namespace hil
