#pragma once

#include <QString>

namespace hil {

struct RunStatistics;

// Writes a run's JUnit XML from its statistics, after the fact (hil report --junit), in the layout that
// JUnitWriter gives during a run: one <testsuite> per phase, one <testcase> per scenario step with its
// repetitions aggregated, <failure>/<error> with the first failures and the device's answers, <skipped>
// for aborted steps, and the measurements, limits and latency percentiles as <properties>. Its size is
// bounded by the number of steps. Returns false with *error if the file cannot be written.
bool writeJUnitReport(const RunStatistics &stats, const QString &path, QString *error);

} // namespace hil
