#pragma once

#include <QByteArray>

namespace hilsim {

// Everything that makes one simulated PSU-2 differ from another; the command line fills it in, tests
// build it directly. `volts` and `outputOn` are also the state it boots into after a power cycle.
struct PsuConfig {
    QByteArray serial = QByteArrayLiteral("PS0001");
    QByteArray firmware = QByteArrayLiteral("2.1.0");
    quint64 seed = 1;
    double volts = 5.0;   // set point, 0..30 V
    bool outputOn = true; // output state at start and after every boot
    bool banner = false;  // announce "PSU-2 <serial> ready" when a session starts
    bool noReply = false; // a hung supply: swallow every byte, answer nothing
};

} // namespace hilsim
