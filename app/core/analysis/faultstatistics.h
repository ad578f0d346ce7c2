#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

struct FaultStatistics {
    qint64 id = 0;
    QString device;     // empty: run-wide
    QString target;     // link, device, power, proxy
    QStringList serves; // a proxy fault: the devices it acted on (the proxy's serves:)
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

    // A fault on a proxy that serves no device has no device to recover: no recovery verdict at all.
    bool recoveryTracked() const { return target != u"proxy" || !serves.isEmpty(); }
    static QString untrackedReason() {
        return QStringLiteral("recovery not tracked: proxy serves no device");
    }
};

} // namespace hil
