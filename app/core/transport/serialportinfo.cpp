#include "core/transport/serialportinfo.h"

#include <algorithm>
#include <libserialport.h>
#include <memory>

namespace hil {

namespace {

struct PortListDeleter {
    void operator()(sp_port **list) const noexcept { sp_free_port_list(list); }
};

// libserialport returns NULL for strings it does not know.
QString text(const char *value) {
    return value ? QString::fromUtf8(value).trimmed() : QString();
}

QString transportName(sp_transport transport) {
    switch (transport) {
    case SP_TRANSPORT_USB:
        return QStringLiteral("usb");
    case SP_TRANSPORT_BLUETOOTH:
        return QStringLiteral("bluetooth");
    case SP_TRANSPORT_NATIVE:
        break;
    }
    return QStringLiteral("native");
}

SerialPortInfo describePort(sp_port *port) {
    SerialPortInfo info;
    info.name = text(sp_get_port_name(port));
    info.description = text(sp_get_port_description(port));
    const sp_transport transport = sp_get_port_transport(port);
    info.transport = transportName(transport);
    if (transport == SP_TRANSPORT_USB) {
        int vid = 0;
        int pid = 0;
        if (sp_get_port_usb_vid_pid(port, &vid, &pid) == SP_OK) {
            info.usbVidPid =
                QStringLiteral("%1:%2").arg(vid, 4, 16, QLatin1Char('0')).arg(pid, 4, 16, QLatin1Char('0'));
        }
        info.usbSerial = text(sp_get_port_usb_serial(port));
        info.manufacturer = text(sp_get_port_usb_manufacturer(port));
        info.product = text(sp_get_port_usb_product(port));
    }
    return info;
}

} // namespace

QList<SerialPortInfo> listSerialPorts(QString *error) {
    if (error)
        error->clear();
    sp_port **ports = nullptr;
    const sp_return result = sp_list_ports(&ports);
    if (result != SP_OK) {
        if (error) {
            char *message = sp_last_error_message();
            *error = QStringLiteral("cannot list serial ports: ") + QString::fromLocal8Bit(message);
            sp_free_error_message(message);
        }
        return {};
    }
    const std::unique_ptr<sp_port *, PortListDeleter> owner(ports);

    QList<SerialPortInfo> infos;
    for (sp_port **port = ports; *port; ++port)
        infos.append(describePort(*port));
    std::sort(infos.begin(), infos.end(),
              [](const SerialPortInfo &a, const SerialPortInfo &b) { return a.name < b.name; });
    return infos;
}

} // namespace hil
