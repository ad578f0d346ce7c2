#pragma once

#include <QString>
#include <optional>

namespace hil {

// How reports write numbers and times, the same in every format (text, HTML, PDF, CSV keeps raw values).

// A latency in milliseconds, as a bare number with a precision that suits its size: 0.065, 1.23, 12.3, 123.
QString formatMs(double ns);
// The same with its unit, choosing µs, ms or s: "65 µs", "1.23 ms", "4.1 s".
QString formatLatency(double ns);
// Monotonic time since the run started, as a clock: "00:01:02.345" (hours grow past 24 for long soaks).
QString formatOffset(qint64 ns);
// A wall-clock time (ns since the Unix epoch) in UTC: "2025-11-26 02:35:10 UTC".
QString formatWallClock(qint64 ns);
// A share 0..1 as a percentage: "2.0 %", with more decimals near 0 and 100 % so that 99.95 % does not
// print as 100.0 %.
QString formatPercent(double share);
// A measured value with up to 4 significant digits, no exponent for everyday magnitudes.
QString formatValue(double v);
// "[15, 35]" with "-inf"/"+inf" for open sides; empty when both are open.
QString formatRange(std::optional<double> low, std::optional<double> high);

} // namespace hil
