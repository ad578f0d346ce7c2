#include "core/store/runfilter.h"

#include <algorithm>

namespace hil {

bool RunFilter::matches(const RunHeader &run) const {
    if (!station.isEmpty() && run.station != station)
        return false;
    if (!scenario.isEmpty() && run.scenario != scenario)
        return false;
    if (!firmware.isEmpty() && run.firmware != firmware)
        return false;
    if (sinceNs && run.startedAtNs < *sinceNs)
        return false;
    if (untilNs && run.startedAtNs >= *untilNs)
        return false;
    return true;
}

QList<RunHeader> RunFilter::apply(const QList<RunHeader> &runs) const {
    QList<RunHeader> out;
    for (const RunHeader &r : runs)
        if (matches(r))
            out.append(r);
    std::stable_sort(out.begin(), out.end(), [](const RunHeader &a, const RunHeader &b) {
        return a.startedAtNs != b.startedAtNs ? a.startedAtNs < b.startedAtNs : a.id < b.id;
    });
    if (last > 0 && out.size() > last)
        out = out.mid(out.size() - last);
    return out;
}

} // namespace hil
