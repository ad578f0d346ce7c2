#include "core/analysis/faultrecovery.h"

#include <algorithm>
#include <optional>

namespace hil {

FaultRecovery::Faults &FaultRecovery::of(int device) {
    if (device < 0)
        return m_runWide;
    if (static_cast<size_t>(device) >= m_devices.size())
        m_devices.resize(static_cast<size_t>(device) + 1);
    return m_devices[static_cast<size_t>(device)];
}

void FaultRecovery::start(QList<FaultStatistics> faults, std::vector<std::vector<int>> devicesOf) {
    m_faults = std::move(faults);
    m_devicesOf = std::move(devicesOf);
    m_waiting.assign(static_cast<size_t>(m_faults.size()), 0);
    m_lastPassEnd.assign(static_cast<size_t>(m_faults.size()), 0);
    std::vector<int> byEnd;
    for (int i = 0; i < m_faults.size(); ++i) {
        if (m_faults[i].endNs && !m_faults[i].recoveryRecorded)
            byEnd.push_back(i);
    }
    std::stable_sort(byEnd.begin(), byEnd.end(),
                     [this](int a, int b) { return *m_faults[a].endNs < *m_faults[b].endNs; });
    for (int i : byEnd) {
        const std::vector<int> &devices = m_devicesOf[static_cast<size_t>(i)];
        m_waiting[static_cast<size_t>(i)] = static_cast<int>(devices.size());
        for (int d : devices)
            of(d).pending.push_back(i);
    }
}

void FaultRecovery::onResult(int device, ResultClass v, qint64 start, qint64 end) {
    // Faults that have begun by this result's start become active.
    while (m_nextToStart < m_faults.size() && m_faults[m_nextToStart].startNs <= start) {
        const int i = static_cast<int>(m_nextToStart++);
        for (int d : m_devicesOf[static_cast<size_t>(i)])
            of(d).active.push_back(i);
    }
    Faults &d = of(device);
    const auto activeUntil = [this](int i) -> std::optional<qint64> {
        const FaultStatistics &f = m_faults[i];
        if (f.endNs && f.recoveryNs)
            return *f.endNs + *f.recoveryNs;
        return std::nullopt;
    };
    const auto prune = [&](std::vector<int> &active) {
        active.erase(std::remove_if(active.begin(), active.end(),
                                    [&](int i) {
                                        const auto until = activeUntil(i);
                                        return until && *until < start;
                                    }),
                     active.end());
    };
    prune(d.active);
    prune(m_runWide.active);
    if (v == ResultClass::Fail || v == ResultClass::Error || v == ResultClass::Expected) {
        for (int i : d.active)
            ++m_faults[i].failedResults;
        for (int i : m_runWide.active)
            ++m_faults[i].failedResults;
    }
    if (v == ResultClass::Pass) {
        const auto recover = [&](Faults &f) {
            while (f.pendingFront < f.pending.size() && *m_faults[f.pending[f.pendingFront]].endNs < end) {
                const int i = f.pending[f.pendingFront];
                const size_t k = static_cast<size_t>(i);
                m_lastPassEnd[k] = std::max(m_lastPassEnd[k], end);
                // Recovered when the last of its devices has passed.
                if (--m_waiting[k] == 0)
                    m_faults[i].recoveryNs = m_lastPassEnd[k] - *m_faults[i].endNs;
                ++f.pendingFront;
            }
        };
        recover(d);
        recover(m_runWide);
    }
}

} // namespace hil
