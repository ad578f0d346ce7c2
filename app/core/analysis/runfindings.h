#pragma once

#include "core/analysis/finding.h"
#include "core/analysis/runstatistics.h"

#include <QList>

namespace hil {

// What went wrong in a run, worst first; empty for a clean run.
QList<Finding> makeFindings(const RunStatistics &r);

} // namespace hil
