#pragma once

#include <QString>
#include <initializer_list>
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
// The same, with as many more digits as it takes for the number shown to lie on the same side of every
// bound as the value does (and on a bound only when the value is): 1.41425 against [1.4142, 1.4143]
// prints 1.41425, never 1.414. Absent bounds are ignored.
QString formatValueAgainst(double v, std::initializer_list<std::optional<double>> bounds);
// A configured number (a limit, a marginal bound) with the fewest digits that read back as the same
// double, so as the scenario wrote it: 1.4142, 0.1, 1e-9, 1000000000000 (an exponent only below 1e-5
// and from 1e16). Two different limits never print alike.
QString formatLimit(double v);
// "[15, 35]" with "-inf"/"+inf" for open sides; empty when both are open. Each side as formatLimit.
QString formatRange(std::optional<double> low, std::optional<double> high);

} // namespace hil
