#pragma once

#include "core/config/serialsettings.h"
#include "core/transport/transport.h"

#include <memory>

class QObject;

namespace hil {

// The transport for a fixture's serial device, chosen by settings.backend: Pty -> PtyTransport,
// LibSerialPort -> SerialTransport, Auto -> PtyTransport if PtyTransport::isPseudoTerminal(settings.port)
// (a simulator's /dev/pts/N or a symlink to one), else SerialTransport. Nothing is opened yet.
//
// The caller owns the result. If parent is given, the transport also joins the parent's QObject tree;
// then release() the pointer into that tree rather than letting both delete it, or keep the
// unique_ptr and destroy it before the parent. Any thread; the transport lives in the calling thread.
std::unique_ptr<Transport> makeSerialTransport(const SerialSettings &settings, QObject *parent = nullptr);

} // namespace hil
