#pragma once

#include "core/analysis/runstatistics.h"
#include "core/store/runquery.h"

#include <QStringList>

namespace hil {

// Writes one CSV file per table of a run into dir (created if missing), RFC 4180 (comma, CRLF, quotes
// doubled), UTF-8:
//   steps.csv         one row per step: verdict counts, latency percentiles, failure rate (statistics)
//   measurements.csv  one row per measurement: count, mean, sigma, min, max, Cpk, limits (statistics)
//   sweeps.csv        one row per sweep point: measurement, swept values, n, mean, min, max (only for a
//                     run with swept steps)
//   devices.csv       availability, MTBF and outages per device
//   faults.csv        every fault with its window and recovery
//   events.csv        every event
//   step_results.csv  every step result, the device's answer escaped as in reports (printableBytes)
//   samples.csv       every measured sample
// The last three stream from the database, so their size is not bounded by memory. Text that came from
// a device or a file and begins with = + - @ is prefixed with ' so that a spreadsheet shows it instead of
// evaluating it. *written receives the files' paths. Returns false with *error on the first failure.
bool exportCsv(const RunQuery &db, const RunStatistics &stats, const QString &dir, QStringList *written,
               QString *error);

} // namespace hil
