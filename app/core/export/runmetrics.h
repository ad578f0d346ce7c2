#pragma once

#include "core/base/verdict.h"
#include "core/run/resultlistener.h"

#include <QByteArray>
#include <QHash>
#include <QMap>
#include <QMutex>
#include <array>

namespace hil {

// A run as Prometheus sees it: counters, gauges and a latency histogram fed by the run's results, and
// rendered as the text exposition format (version 0.0.4, core/export/prometheustext.h) on demand. Listener
// calls come on the runner's thread and a scrape may come from another: one mutex, held for an update or
// for one rendering (about 0.5 ms for a bench of 64 devices, docs/metrics.md). Metric names and labels:
// docs/metrics.md.
class RunMetrics : public ResultListener {
public:
    // Upper bounds of the latency histogram's buckets, in seconds (+Inf is implied).
    static constexpr std::array<double, 14> kLatencyBuckets = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    void runStarted(const RunHeader &info) override;
    void runInfoChanged(const RunHeader &info) override;
    void stepFinished(const StepResult &result) override;
    void countsChanged(const RunCounts &counts) override;
    void eventRecorded(const Event &event) override;
    void progress(qint64 iterationsDone, qint64 elapsedNs, qint64 plannedNs) override;
    void faultStarted(const FaultRecord &fault) override;
    void faultEnded(const FaultRecord &fault) override;
    void runFinished(const RunSummary &summary) override;

    QByteArray exposition() const;

private:
    struct Histogram {
        std::array<qint64, kLatencyBuckets.size()> buckets{}; // not cumulative; rendered cumulative
        qint64 count = 0;
        double sumSeconds = 0;
    };
    struct FaultKey {
        QString device, kind;
        bool operator<(const FaultKey &o) const {
            return device != o.device ? device < o.device : kind < o.kind;
        }
    };

    mutable QMutex m_mutex;
    RunHeader m_info;
    bool m_started = false;
    bool m_finished = false;
    // The run's verdict so far, from the engine's counts (excuses taken at their word), then its final one.
    Verdict m_verdictSoFar = Verdict::Pass;
    qint64 m_iterations = 0, m_elapsedNs = 0, m_plannedNs = 0;
    // device -> "verdict|expected" -> count
    QMap<QString, QMap<QString, qint64>> m_steps;
    QMap<QString, qint64> m_retries;
    QMap<QString, Histogram> m_latency;
    QMap<FaultKey, qint64> m_faultsActive, m_faultsTotal;
    QHash<int, FaultKey> m_openFaults; // fault id -> key
    QMap<QString, int> m_connected;
    QMap<QString, qint64> m_events;
    QMap<QPair<QString, QString>, QPair<double, QString>>
        m_lastMeasurement; // (device, name) -> (value, unit)
};

} // namespace hil
