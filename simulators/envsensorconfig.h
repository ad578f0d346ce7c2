#pragma once

#include <QByteArray>

namespace hilsim {

// Everything that makes one simulated ENV-1 differ from another; the command line fills it in, tests
// build it directly.
struct EnvSensorConfig {
    QByteArray serial = QByteArrayLiteral("SN0001");
    QByteArray firmware = QByteArrayLiteral("1.4.2");
    quint64 seed = 1;
    double rateHz = 10.0;
    bool banner = false;  // announce "ENV-1 <serial> ready" when a session starts
    bool noReply = false; // a hung device: swallow every byte, answer nothing
};

} // namespace hilsim
