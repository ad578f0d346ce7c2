#pragma once

#include <QStringList>

// `hil trend --db D --scenario NAME`: nightly trends across runs (docs/reports.md, Trends).
int trendCommand(const QStringList &args);
