#pragma once

#include <QString>

namespace hil {

// Line settings of a serial device, as a fixture's `serial:` block gives them.
struct SerialSettings {
    enum class Parity { None, Odd, Even, Mark, Space };
    enum class Flow { None, XonXoff, RtsCts, DtrDsr };
    // Which code opens the port. Auto: a pseudo-terminal (/dev/pts/N, or a symlink to one such as
    // socat's `link=`) goes through the PTY path, anything else through libserialport.
    enum class Backend { Auto, LibSerialPort, Pty };

    QString port;
    int baud = 115200;
    int dataBits = 8;
    Parity parity = Parity::None;
    int stopBits = 1;
    Flow flow = Flow::None;
    Backend backend = Backend::Auto;
};

} // namespace hil
