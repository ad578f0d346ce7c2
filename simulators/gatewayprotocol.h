#pragma once

#include "deviceprotocol.h"

#include <QByteArray>

namespace hilsim {

class Gateway;

// The GW-1's line protocol towards the harness (its service port): identity and counters. Power reaches
// the gateway through it: powered down, the gateway stops polling and drops its broker connection; after
// a boot it carries on (its buffer is kept, as in flash).
//
// Commands: *IDN? → "ACME,GW-1,<serial>,<firmware>"; STATS? → "STATS buffered=B dropped=D published=P
// reconnects=R readings=N poll_errors=E connected=0|1"; SENSORS? → "SENSORS s1 s2 ..."; LINK? → "LINK UP"
// or "LINK DOWN <why>" (the broker connection); BUFFER? → "BUFFER n"; BUFFER n (1..1000000) → "OK": the
// buffer's capacity from now on (a smaller one drops the oldest readings at once, counted).
//
// Not thread-safe; use it from one thread.
class GatewayProtocol : public DeviceProtocol {
public:
    // The gateway is not owned and must outlive the protocol.
    static constexpr qlonglong kMaxBuffer = 1'000'000;

    GatewayProtocol(Gateway *gateway, bool banner, bool noReply);

    double currentValue(int, std::chrono::nanoseconds) override { return 0.0; }

protected:
    QByteArrayList execute(const QByteArrayList &words, std::chrono::nanoseconds now) override;
    QByteArray bannerText() const override;
    void onPowerDown() override;
    void onBoot() override;

private:
    Gateway *m_gateway;
};

} // namespace hilsim
