#pragma once

#include <QString>

namespace hil {

// Who an answer belongs to: the device (its lane) and the device's own count of requests that expect an
// answer, from 1. Printed `calc#12`; stored as that text (step_results.exchange).
struct ExchangeId {
    QString device;
    quint64 seq = 0; // 0: no exchange (a listen without a request)

    bool isValid() const { return seq > 0; }
    QString toString() const { return isValid() ? QStringLiteral("%1#%2").arg(device).arg(seq) : QString(); }
};

} // namespace hil
