#pragma once

#include <QStringList>

// `hil compare --db D RUN_A RUN_B [--threshold PCT] [--min-delta D] [--json F]`: RUN_B against the
// baseline RUN_A, step by step: the change in latency percentiles and pass rate, flagged as regressions.
// Exit codes: 0 no regression, 1 a regression, 2 bad input, 3 the JSON file could not be written.
int compareCommand(const QStringList &args);
