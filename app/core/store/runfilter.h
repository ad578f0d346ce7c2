#pragma once

#include "core/run/runheader.h"

#include <QList>
#include <QString>
#include <optional>

namespace hil {

// Which runs of a database a fleet command reads (`hil runs`, `hil trend`, and what is fetched from a
// central store): by bench, scenario, firmware and start time. Empty fields match everything.
struct RunFilter {
    QString station;
    QString scenario;
    QString firmware;
    std::optional<qint64> sinceNs; // wall clock: started at or after
    std::optional<qint64> untilNs; // wall clock: started before
    int last = 0;                  // > 0: only the last N matching runs by start time

    bool empty() const {
        return station.isEmpty() && scenario.isEmpty() && firmware.isEmpty() && !sinceNs && !untilNs
               && last <= 0;
    }
    bool matches(const RunHeader &run) const;
    // The matching runs of a list in start order (by start time, then id), the last `last` of them if set.
    QList<RunHeader> apply(const QList<RunHeader> &runs) const;
};

} // namespace hil
