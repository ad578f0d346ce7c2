#include "core/transport/serialtransportfactory.h"

#include "core/transport/ptytransport.h"
#include "core/transport/serialtransport.h"

namespace hil {

std::unique_ptr<Transport> makeSerialTransport(const SerialSettings &settings, QObject *parent) {
    bool usePty = false;
    switch (settings.backend) {
    case SerialSettings::Backend::Pty:
        usePty = true;
        break;
    case SerialSettings::Backend::LibSerialPort:
        usePty = false;
        break;
    case SerialSettings::Backend::Auto:
        usePty = PtyTransport::isPseudoTerminal(settings.port);
        break;
    }
    if (usePty)
        return std::make_unique<PtyTransport>(settings, parent);
    return std::make_unique<SerialTransport>(settings, parent);
}

} // namespace hil
