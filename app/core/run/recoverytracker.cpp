#include "core/run/recoverytracker.h"

namespace hil {

void RecoveryTracker::faultStarted(const FaultFacts &fault) {
    m_index.insert(fault.id, m_faults.size());
    m_faults.append(fault);
    m_faults.last().endNs = -1;
    m_faults.last().passedBefore = false;
    m_faults.last().recoveredAfter = false;
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
        const FaultFacts &p = m_faults[m_index.value(it.key())];
        if (p.device == fault.device && fault.startNs <= it->refNs + it->boundNs)
            it->holders.insert(fault.id);
    }
    m_acting[fault.device].insert(fault.id);
}

void RecoveryTracker::faultEnded(int id, qint64 endNs) {
    const auto idx = m_index.constFind(id);
    if (idx == m_index.cend() || m_faults[*idx].endNs >= 0)
        return;
    FaultFacts &f = m_faults[*idx];
    f.endNs = endNs;
    QSet<int> &acting = m_acting[f.device];
    acting.remove(id);
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
        if (it->holders.remove(id))
            it->refNs = std::max(it->refNs, endNs);
    }
    m_pending.insert(id, Pending{endNs, f.recoveryBoundNs, acting});
}

void RecoveryTracker::passed(const QString &device, qint64 startNs, qint64 endNs) {
    const auto first = m_firstPassStart.find(device);
    if (first == m_firstPassStart.end())
        m_firstPassStart.insert(device, startNs);
    else if (startNs < *first)
        *first = startNs;
    if (!m_acting.value(device).isEmpty())
        return;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        FaultFacts &f = m_faults[m_index.value(it.key())];
        if (f.device != device || !it->holders.isEmpty() || startNs < it->refNs) {
            ++it;
            continue;
        }
        // The first pass after the reference decides: in time, a recovery; late, the bound was missed.
        f.recoveredAfter = endNs - it->refNs <= it->boundNs;
        it = m_pending.erase(it);
    }
}

QList<FaultFacts> RecoveryTracker::facts() const {
    QList<FaultFacts> out = m_faults;
    for (FaultFacts &f : out) {
        const auto first = m_firstPassStart.constFind(f.device);
        f.passedBefore = first != m_firstPassStart.cend() && *first < f.startNs;
        if (f.endNs < 0)
            f.recoveredAfter = false;
    }
    return out;
}

} // namespace hil
