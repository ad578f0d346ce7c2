#include "commandline.h"
#include "commands.h"
#include "core/base/verdict.h"
#include "core/transport/serialportinfo.h"

#include <QCommandLineParser>
#include <QTextStream>

int portsCommand(const QStringList &args) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("List serial ports with what libserialport knows of them: name, "
                       "description, USB VID:PID and serial number."));
    p.addHelpOption();
    if (const auto code = parseCommandLine(p, args))
        return *code;
    QTextStream out(stdout);
    QTextStream err(stderr);
    QString error;
    const QList<hil::SerialPortInfo> ports = hil::listSerialPorts(&error);
    if (!error.isEmpty()) {
        err << "hil ports: " << error << '\n';
        return hil::ExitError;
    }
    if (ports.isEmpty()) {
        out << "no serial ports found\n";
        return hil::ExitPass;
    }
    for (const hil::SerialPortInfo &port : ports) {
        out << port.name << "  " << port.transport;
        if (!port.usbVidPid.isEmpty())
            out << "  usb " << port.usbVidPid;
        if (!port.usbSerial.isEmpty())
            out << "  serial " << port.usbSerial;
        if (!port.description.isEmpty())
            out << "  \"" << port.description << '"';
        out << '\n';
    }
    return hil::ExitPass;
}
