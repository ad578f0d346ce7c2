#pragma once

#include "core/config/serialsettings.h"
#include "core/transport/fdtransport.h"

namespace hil {

// A serial device presented as a pseudo-terminal: a simulator's /dev/pts/N, or a socat `link=` symlink
// to one. libserialport cannot open a PTY (see DESIGN.md, "Serial ports and PTYs"), so this opens the
// path with open(2) and sets it raw with termios. The line settings are applied as a real tty would
// take them; a PTY ignores baud rate and framing, and a baud rate termios has no constant for is left
// as it is rather than refused.
//
// Errors: open() is followed by failed("pty <path>: <strerror>") if the path cannot be opened or is not
// a terminal; otherwise as FdTransport (closed() when the master side goes away). Owning thread only.
class PtyTransport : public FdTransport {
    Q_OBJECT
public:
    explicit PtyTransport(const SerialSettings &settings, QObject *parent = nullptr);
    ~PtyTransport() override;

    QString describe() const override;

    // True if path, after following symlinks, is a Unix98 pseudo-terminal slave: a character device
    // with major 136-143, or, when the device cannot be inspected, a /dev/pts/<number> path.
    // False for anything else, including paths that do not exist. Any thread.
    static bool isPseudoTerminal(const QString &path);

protected:
    int openDescriptor(QString *error) override;
    void releaseDescriptor(int fd) override;

private:
    SerialSettings m_settings;
};

} // namespace hil
