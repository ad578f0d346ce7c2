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
