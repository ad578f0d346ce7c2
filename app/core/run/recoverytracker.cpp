#include "core/run/recoverytracker.h"

namespace hil {

namespace {

bool shareADevice(const FaultFacts &a, const FaultFacts &b) {
    const QStringList devices = b.devices();
    for (const QString &d : a.devices()) {
        if (devices.contains(d))
            return true;
    }
    return false;
}

} // namespace

void RecoveryTracker::faultStarted(const FaultFacts &fault) {
    m_index.insert(fault.id, m_faults.size());
    m_faults.append(fault);
    m_faults.last().endNs = -1;
    m_faults.last().passedBefore = false;
    m_faults.last().recoveredAfter = false;
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
        const FaultFacts &p = m_faults[m_index.value(it.key())];
        if (shareADevice(p, fault) && fault.startNs <= it->refNs + it->boundNs)
            it->holders.insert(fault.id);
    }
    for (const QString &d : fault.devices())
        m_acting[d].insert(fault.id);
}

void RecoveryTracker::faultEnded(int id, qint64 endNs) {
    const auto idx = m_index.constFind(id);
    if (idx == m_index.cend() || m_faults[*idx].endNs >= 0)
        return;
    FaultFacts &f = m_faults[*idx];
    f.endNs = endNs;
    Pending pending{endNs, f.recoveryBoundNs, {}, {}, false};
    for (const QString &d : f.devices()) {
        QSet<int> &acting = m_acting[d];
        acting.remove(id);
        pending.holders.unite(acting);
        pending.waiting.insert(d);
    }
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
        if (it->holders.remove(id))
            it->refNs = std::max(it->refNs, endNs);
    }
    m_pending.insert(id, pending);
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
        if (!it->waiting.contains(device) || !it->holders.isEmpty() || startNs < it->refNs) {
            ++it;
            continue;
        }
        // The device's first pass after the reference decides: in time, it recovered; late, the bound was
        // missed. The fault has recovered when every one of its devices has, in time.
        it->waiting.remove(device);
        it->late = it->late || endNs - it->refNs > it->boundNs;
        if (!it->waiting.isEmpty()) {
            ++it;
            continue;
        }
        m_faults[m_index.value(it.key())].recoveredAfter = !it->late;
        it = m_pending.erase(it);
    }
}

QList<FaultFacts> RecoveryTracker::facts() const {
    QList<FaultFacts> out = m_faults;
    for (FaultFacts &f : out) {
        f.passedBefore = true;
        for (const QString &d : f.devices()) {
            const auto first = m_firstPassStart.constFind(d);
            f.passedBefore = f.passedBefore && first != m_firstPassStart.cend() && *first < f.startNs;
        }
        if (f.endNs < 0)
            f.recoveredAfter = false;
    }
    return out;
}

} // namespace hil
