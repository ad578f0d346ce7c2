#pragma once

#include <QString>
#include <optional>

namespace hil {

struct FaultStatistics {
    qint64 id = 0;
    QString device; // empty: run-wide
    QString target; // link, device, power, proxy
    QString kind;
    QString direction;
    QString params;
    bool manual = false;
    std::optional<qint64> seed;
    qint64 startNs = 0;
    std::optional<qint64> endNs;
    // End of the fault to the device's first passing result: as the engine recorded it, else found here.
    std::optional<qint64> recoveryNs;
    bool recoveryRecorded = false;
    std::optional<qint64> bytesDropped, bytesCorrupted, bytesDelayed;
    qint64 failedResults = 0; // FAIL and ERROR results of its device from its start until it recovered
};

} // namespace hil
