#pragma once

#include <QString>
#include <QStringView>
#include <chrono>
#include <optional>

namespace hil {

using Nanoseconds = std::chrono::nanoseconds;

// Parses "250ms", "30s", "8h", "1h30m", "1.5s", "100us", "2d". A unit is required: a bare number is
// ambiguous. Returns nullopt and sets *error (if given) on bad input.
std::optional<Nanoseconds> parseDuration(QStringView text, QString *error = nullptr);

// Short human form: "250ms", "1.5s", "2h03m", "3d04h".
QString formatDuration(Nanoseconds d);

} // namespace hil
