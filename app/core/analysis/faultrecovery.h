#pragma once

#include "core/analysis/faultstatistics.h"
#include "core/analysis/resultclass.h"

#include <QList>
#include <vector>

namespace hil {

// What the faults of a run did to their devices, found while the step results stream by in time order:
// the failed results while each fault acted (until its devices recovered), and the recovery time the
// engine did not record: from the fault's end to its device's first passing result. A fault on a proxy
// acts on the devices the proxy serves and has recovered when every one of them has passed after its end.
class FaultRecovery {
public:
    // faults in order of start; devicesOf[i] are the device indices of fault i (its device, or those its
    // proxy serves), or {-1} for a run-wide fault; empty: a fault on a proxy that serves no device.
    void start(QList<FaultStatistics> faults, std::vector<std::vector<int>> devicesOf);
    void onResult(int device, ResultClass v, qint64 start, qint64 end);
    const QList<FaultStatistics> &faults() const { return m_faults; }
    // The failed results while fault i acted, counted without the stream (from an index, for a run read
    // from its rollups).
    void setFailedResults(qsizetype i, qint64 n) { m_faults[i].failedResults = n; }

private:
    struct Faults {
        std::vector<int> pending; // fault indices still to recover, by end time, front first
        size_t pendingFront = 0;
        std::vector<int> active; // started and not yet recovered
    };
    Faults &of(int device);

    QList<FaultStatistics> m_faults;
    std::vector<std::vector<int>> m_devicesOf;
    std::vector<int> m_waiting;        // by fault: its devices that have not passed since its end
    std::vector<qint64> m_lastPassEnd; // by fault: the latest of those first passes
    Faults m_runWide;
    std::vector<Faults> m_devices;
    qsizetype m_nextToStart = 0;
};

} // namespace hil
