#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <chrono>

class QSocketNotifier;

namespace hilsim {

class SimDevice;

// Serves a device on a pseudo-terminal, as a serial device would appear: the harness opens slavePath().
// The endpoint keeps its own descriptor of the slave open for its whole life, set raw with echo off,
// so that nothing sent before the harness opens it is echoed back and the harness may close and reopen
// the slave without the master seeing a hang-up. The master is non-blocking and driven by socket
// notifiers, never polled.
//
// While nobody reads the slave, output piles up in the terminal's buffer and then in ours; beyond
// kMaxPendingBytes new output is dropped (and counted), as a UART would transmit into the void.
//
// With a link path (--link), a symbolic link to the slave is kept there, as udev or socat's link= make
// a stable name for a serial device. An unplug fault (SimDevice::unplugged) removes the device the way
// pulling a USB adapter does: kUnplugGrace after the cut answer (so it can reach the reader) the
// pseudo-terminal is closed, whoever has the slave open reads EIO, and the link is removed; after the
// fault's `down` a new pseudo-terminal is created and the link points at it (slavePath() changes).
//
// Does not own the device, which must outlive it. Use from the thread that owns both.
class PtyEndpoint : public QObject {
    Q_OBJECT

public:
    static constexpr qsizetype kMaxPendingBytes = 64 * 1024;
    static constexpr std::chrono::milliseconds kUnplugGrace{100};

    struct Counters {
        quint64 bytesReceived = 0;
        quint64 bytesSent = 0;
        quint64 bytesDropped = 0;
        quint64 unplugs = 0;
    };

    explicit PtyEndpoint(SimDevice *device, QObject *parent = nullptr);
    ~PtyEndpoint() override;

    // A symbolic link to keep pointing at the slave; set before open(). Only a symbolic link to a
    // pseudo-terminal (one a simulator made, perhaps left by one that was killed) is replaced: anything
    // else at the path is someone's file, and open() refuses it (see linkPathProblem()).
    void setLinkPath(const QString &path) { m_linkPath = path; }
    // Why path cannot be the link: it exists and is not a symbolic link into /dev/pts/ (a regular file, a
    // directory, a link elsewhere). Empty if it is free or such a link.
    static QString linkPathProblem(const QString &path);
    QString linkPath() const { return m_linkPath; }

    // Creates the pseudo-terminal. On failure returns false and errorString() says why.
    bool open();
    QString errorString() const { return m_errorString; }

    QString slavePath() const { return m_slavePath; } // e.g. /dev/pts/3, once open
    const Counters &counters() const { return m_counters; }

private:
    bool fail(const char *what);
    void onReadable();
    void onWritable();
    void write(const QByteArray &bytes);
    void flush();
    void closeAll();
    bool makeLink(const char *slave);
    void removeLink(); // only while it is still the link this endpoint made
    void unplug(std::chrono::nanoseconds down);

    SimDevice *m_device;
    int m_master = -1;
    int m_slave = -1;
    QSocketNotifier *m_readNotifier = nullptr;  // child of this
    QSocketNotifier *m_writeNotifier = nullptr; // child of this; enabled only while output is pending
    QByteArray m_pending;
    QString m_slavePath;
    QString m_linkPath;
    bool m_unplugged = false; // between an unplug's cut and the new pseudo-terminal: output is lost
    QString m_errorString;
    Counters m_counters;
};

} // namespace hilsim
