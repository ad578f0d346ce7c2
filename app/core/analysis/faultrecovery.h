#pragma once

#include "core/analysis/faultstatistics.h"
#include "core/analysis/resultclass.h"

#include <QList>
#include <vector>

namespace hil {

// What the faults of a run did to their devices, found while the step results stream by in time order:
// the failed results while each fault acted (until its device recovered), and the recovery time the
// engine did not record: from the fault's end to its device's first passing result.
class FaultRecovery {
public:
    // faults in order of start; deviceOf[i] is the device index of fault i, or -1 for a run-wide fault.
    void start(QList<FaultStatistics> faults, std::vector<int> deviceOf);
    void onResult(int device, ResultClass v, qint64 start, qint64 end);
    const QList<FaultStatistics> &faults() const { return m_faults; }

private:
    struct Faults {
        std::vector<int> pending; // fault indices still to recover, by end time, front first
        size_t pendingFront = 0;
        std::vector<int> active; // started and not yet recovered
    };
    Faults &of(int device);

    QList<FaultStatistics> m_faults;
    std::vector<int> m_deviceOf;
    Faults m_runWide;
    std::vector<Faults> m_devices;
    qsizetype m_nextToStart = 0;
};

} // namespace hil
