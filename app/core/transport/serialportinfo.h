#pragma once

#include <QList>
#include <QString>

namespace hil {

// One serial port the system knows, as libserialport enumerates it (what `hil ports` prints).
struct SerialPortInfo {
    QString name;         // "/dev/ttyUSB0"
    QString description;  // the USB product string, or the device name
    QString transport;    // "native", "usb" or "bluetooth"
    QString usbVidPid;    // "1a86:7523", or empty if not USB
    QString usbSerial;    // empty if unknown
    QString manufacturer; // USB manufacturer string, empty if unknown
    QString product;      // USB product string, empty if unknown
};

// The serial ports present now, sorted by name. Pseudo-terminals are not serial ports to libserialport
// and never appear. May be empty (a VM, a CI runner). On failure returns an empty list and, if error is
// given, sets it to libserialport's message; on success clears it. Blocks briefly (reads sysfs, probes
// on-board UARTs); any thread.
QList<SerialPortInfo> listSerialPorts(QString *error = nullptr);

} // namespace hil
