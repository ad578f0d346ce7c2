#pragma once

#include "core/config/serialsettings.h"
#include "core/transport/fdtransport.h"

#include <memory>

struct sp_port;
struct sp_port_config;

namespace hil {

// A real serial port (on-board UART, USB adapter, Bluetooth SPP) opened and configured through
// libserialport; reading and writing then run on FdTransport's notifiers over the port's descriptor.
// A symlinked name (/dev/serial/by-id/...) is resolved first, because libserialport looks ports up in
// /sys/class/tty by their /dev/ name.
//
// libserialport 0.1.1 cannot open a Linux PTY (see DESIGN.md); makeSerialTransport() sends PTYs to
// PtyTransport instead.
//
// Errors: every libserialport failure in open() becomes failed("<describe()>: <call> failed: <message>"),
// the message being libserialport's sp_last_error_message() when the failure came from the system, and
// what the error code means when it did not (libserialport's errno text would then be stale).
// Later failures become closed(reason) as in FdTransport. Owning thread only.
//
// Owns the libserialport port and configuration from open() until close(), loss or destruction.
class SerialTransport : public FdTransport {
    Q_OBJECT
public:
    explicit SerialTransport(const SerialSettings &settings, QObject *parent = nullptr);
    ~SerialTransport() override;

    // "serial /dev/ttyUSB0 115200 8N1"
    QString describe() const override;

protected:
    int openDescriptor(QString *error) override;
    void releaseDescriptor(int fd) override;

private:
    struct PortDeleter {
        void operator()(sp_port *port) const noexcept;
    };
    struct ConfigDeleter {
        void operator()(sp_port_config *config) const noexcept;
    };

    SerialSettings m_settings;
    std::unique_ptr<sp_port, PortDeleter> m_port;
    std::unique_ptr<sp_port_config, ConfigDeleter> m_config;
};

} // namespace hil
