#pragma once

#include "core/run/verdictrule.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>

namespace hil {

// Works out, from faults and passing results fed in the order they happened, whether each fault's device
// proved it recovers (FaultFacts::passedBefore, recoveredAfter). Fed live by the RunLedger and, for a stored
// run, by readVerdictInputs in time order, so both reach the same facts.
//
// A fault's recovery is a PASS on its device that started at or after the reference time and ended within
// the fault's bound of it. The reference time is the fault's end, moved to the end of any other fault on
// the device that acted when it ended or began before a recovery came within the bound (it holds the
// bound, as the fault injector does). A pass while another fault acts on the device proves nothing.
// A fault on a proxy (FaultFacts::served) acts on every device it serves: each must have passed before it
// began, and each device's first pass after the reference must come within the bound.
// Plain data; not thread-safe.
class RecoveryTracker {
public:
    void faultStarted(const FaultFacts &fault);
    void faultEnded(int id, qint64 endNs);
    // A result on a device; only passes matter.
    void passed(const QString &device, qint64 startNs, qint64 endNs);

    // The facts so far, in the order the faults started; a fault that has not ended has not recovered.
    QList<FaultFacts> facts() const;

private:
    struct Pending {
        qint64 refNs = 0;
        qint64 boundNs = 0;
        QSet<int> holders;     // faults that began before this one's recovery: it waits for their ends
        QSet<QString> waiting; // its devices that have not passed since the reference
        bool late = false;     // one of them passed first after the bound
    };
    QList<FaultFacts> m_faults;
    QHash<int, qsizetype> m_index;
    QHash<QString, qint64> m_firstPassStart; // by device
    QHash<QString, QSet<int>> m_acting;      // by device
    QMap<int, Pending> m_pending;            // ended faults awaiting their recovery
};

} // namespace hil
