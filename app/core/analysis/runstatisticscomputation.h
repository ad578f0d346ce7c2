#pragma once

#include "core/analysis/availabilityaccumulator.h"
#include "core/analysis/faultrecovery.h"
#include "core/analysis/latencyhistogram.h"
#include "core/analysis/measurementaccumulator.h"
#include "core/analysis/resultclass.h"
#include "core/analysis/runstatistics.h"
#include "core/analysis/seriesaccumulator.h"
#include "core/analysis/stepindex.h"
#include "core/analysis/timeaxis.h"
#include "core/store/rollupscan.h"
#include "core/store/runscan.h"

#include <QMap>
#include <string>
#include <unordered_map>
#include <vector>

namespace hil {

// A step's figures while its results stream by.
struct StepAccumulator {
    StepStatistics s;
    SeriesAccumulator latency{SeriesAccumulator::Kind::Quantiles};
    int lastPassFail = -1; // 0 pass, 1 fail
    qint64 streak = 0;
    qint64 streakStart = 0;
    std::vector<qint64> failureIds;
    std::vector<qint64> retriedIds;
};

struct DeviceAccumulator {
    explicit DeviceAccumulator(const QString &name)
        : availability(name) {}

    AvailabilityAccumulator availability;
    std::string key; // the name's UTF-8 bytes
};

// Computes the statistics of one run in a few streaming passes over its rows (runstatistics.h).
class RunStatisticsComputation {
public:
    RunStatisticsComputation(const RunQuery &db, qint64 runId, const StatisticsOptions &o)
        : m_db(db)
        , m_scan(db, runId)
        , m_runId(runId)
        , m_o(o)
        , m_index(o.stepIndexLimit) {}

    bool run(RunStatistics *out, QString *error);

private:
    bool timeAxis();
    bool loadFaults();
    bool chooseRollup();
    bool passSteps();
    // runstatisticsrollup.cpp: the step figures from the rollups, and the rows they do not hold.
    bool passRollups();
    bool rollupFailureIds(const RollupScan &scan);
    bool rollupFaults(const RollupScan &scan);
    bool rollupRawSeries(const RollupScan &scan);
    // The measurements from their rollup cells (store/samplerollup.h), on a run read from its rollups.
    bool passSampleRollups();
    void onStep(const StepRow &q);
    bool resolvePercentiles();
    bool passMeasurements();
    bool loadSweeps();
    bool loadFailureDetails();
    bool loadEvents();
    void finish(RunStatistics *out);
    int stepKey(const StepRow &r);
    int stepKey(QByteArrayView phase, qint64 index, QByteArrayView step, QByteArrayView device);
    int knownStepKey(const MeasurementRow::Step &r);
    int device(QByteArrayView name);
    DeviceAccumulator &deviceAt(int i) { return m_devices[static_cast<size_t>(i)]; }

    const RunQuery &m_db;
    RunScan m_scan;
    qint64 m_runId;
    StatisticsOptions m_o;
    QString m_error;
    RunHeader m_header;
    TimeAxis m_axis;

    std::vector<StepAccumulator> m_steps;
    std::unordered_map<std::string, int> m_stepByKey;
    std::string m_keyBuffer;
    std::vector<DeviceAccumulator> m_devices;
    std::unordered_map<std::string, int> m_deviceByName;
    int m_lastDevice = -1;
    StepIndex m_index;
    LatencyHistogram m_allLatency;
    LatencyHistogram m_outsideFaults, m_duringFaults; // by whether a fault acted on the device

    bool m_fromRollup = false;
    std::vector<std::vector<int>> m_faultDevices; // by fault: its devices (loadFaults)
    FaultRecovery m_recovery;
    bool m_faultsFromEvents = false;

    std::vector<qint64> m_runFailureIds;
    std::vector<qint64> m_failBins, m_errorBins;
    qint64 m_failureCount = 0;
    qint64 m_expectedCount = 0;
    qint64 m_retriedCount = 0;
    bool m_anySwept = false;
    QList<SweepStatistics> m_sweeps;
    qint64 m_stallExcludedCount = 0;
    QMap<qint64, FailureDetail> m_details;

    LatencySummary m_allSummary;

    MeasurementAccumulator m_measurements;

    QList<EventEntry> m_events;
    qint64 m_eventCount = 0;
    QMap<QString, qint64> m_eventKinds;
};

} // namespace hil
