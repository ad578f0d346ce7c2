#pragma once

#include "core/store/runfilter.h"

#include <QString>

class QCommandLineParser;

// The filter options of the fleet commands: --station, --scenario, --firmware, --since, --until and
// (withLast) --last N. Dates are ISO 8601 in UTC (2026-12-01 or 2026-12-01T22:00:00).
void addRunFilterOptions(QCommandLineParser &parser, bool withLast);
// false with *error naming the option on a malformed value.
bool readRunFilterOptions(const QCommandLineParser &parser, hil::RunFilter *filter, QString *error);
