#pragma once

#include "core/analysis/deviceavailability.h"
#include "core/analysis/resultclass.h"
#include "core/analysis/timeaxis.h"

#include <vector>

namespace hil {

// One device's availability, built while its results stream by in time order (deviceavailability.h
// says how each result counts).
class AvailabilityAccumulator {
public:
    explicit AvailabilityAccumulator(QString device) { m_a.device = std::move(device); }

    const QString &device() const { return m_a.device; }
    // Whether the device had any result (a device only named by a fault has none).
    bool seen() const { return m_seen; }

    void add(ResultClass v, qint64 start, qint64 end, const TimeAxis &axis);
    DeviceAvailability finish(const TimeAxis &axis);

    // The same figures from rollup cells (store/steprollup.h) in the order they were written: the totals
    // and the outages closed while a cell was the device's current one, the time that fell in its bin
    // (axisBin), and the device's state after the cell's last result.
    void addTotals(qint64 upNs, qint64 downNs, qint64 faultNs, qint64 unknownNs, qint64 episodes);
    void addSpread(int axisBin, qint64 upNs, qint64 knownNs, const TimeAxis &axis);
    void addOutage(qint64 lengthNs, qint64 startNs);
    void setState(bool inOutage, qint64 outageStartNs, qint64 outageEndNs);

private:
    void closeOutage();

    DeviceAvailability m_a;
    bool m_seen = false;
    qint64 m_prevEnd = 0;
    int m_state = -1; // last known: 0 up, 1 down
    bool m_inOutage = false;
    qint64 m_outageStart = 0;
    qint64 m_outageEnd = 0;
    std::vector<double> m_up, m_known; // per time bin
};

} // namespace hil
