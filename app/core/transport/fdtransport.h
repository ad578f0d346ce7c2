#pragma once

#include "core/transport/transport.h"

#include <QByteArray>
#include <QString>

class QSocketNotifier;

namespace hil {

// A Transport over one non-blocking file descriptor (a tty, a PTY slave), driven by QSocketNotifiers.
// Subclasses say how the descriptor is obtained and let go of; everything else (reading, the write
// queue, detecting a lost device) lives here, so every fd-based transport behaves the same.
//
// States: Closed -> (open()) Opening -> (event loop: openDescriptor() succeeds) Open, or back to Closed
// with failed(). Open -> Closed through close() (silent) or a lost device (closed(reason), once).
// Opening happens in the event loop after open() returns, so opened() and failed() are never emitted
// from inside open(). Writes made while Opening are queued and sent once open; writes while Closed are
// dropped (there is nobody to send them to, and a reconnect must not replay stale commands).
//
// Loss: read() returning 0 (end of file), read() or write() failing with EIO (a PTY whose master side
// closed, an unplugged USB adapter) or another error, or POLLHUP/POLLERR on the descriptor. The
// descriptor is released before closed() is emitted, so a slot may call open() again at once.
//
// Threads: lives in, and must only be called from, the thread that owns it. It is safe to close() or
// deleteLater() the transport from a slot connected to any of its signals.
//
// Subclasses must call close() in their destructor: the base destructor cannot reach
// releaseDescriptor() any more.
class FdTransport : public Transport {
    Q_OBJECT
public:
    ~FdTransport() override;

    // Does nothing unless the transport is Closed.
    void open() final;
    // Releases the descriptor and drops unsent bytes; emits nothing. Cancels an open() in progress.
    void close() final;
    void write(const QByteArray &bytes) final;
    bool isOpen() const final;
    // On a terminal (a serial port, a PTY), drop the input the operating system holds at each open
    // (tcflush TCIFLUSH): what the device sent while nobody read the port is not news. Default: off.
    void setDiscardInputAtOpen(bool discard);
    // Reads what the device has sent so far now, rather than when the event loop next looks: the owner
    // marks a moment (the run begins) and needs everything that arrived before it on its side of the line.
    void readAvailable();

protected:
    explicit FdTransport(QObject *parent = nullptr);

    // Opens the device and returns its descriptor, or -1 with *error set to a sentence for failed().
    // Called from the event loop, never from inside open(). FdTransport makes the descriptor
    // non-blocking and close-on-exec (so a spawned simulator does not inherit the port) itself, and on a
    // non-canonical terminal sets VMIN = 1, VTIME = 0 so that read() returning 0 means end of file.
    virtual int openDescriptor(QString *error) = 0;
    // Lets go of the descriptor that openDescriptor() returned: called exactly once per successful
    // openDescriptor(), after the notifiers on it are disabled. Must not emit signals.
    virtual void releaseDescriptor(int fd) = 0;
    // What read() returning 0 means on this kind of descriptor, for the closed() reason.
    virtual QString endOfFileReason() const;

private:
    enum class State { Closed, Opening, Open };

    void finishOpening(quint64 attempt);
    void onReadable();
    void onWritable();
    // Writes queued bytes until the queue is empty or the descriptor would block. Returns false and
    // sets *error when the device is gone.
    bool flush(QString *error);
    void updateWriteNotifier();
    // Loss of an open device: release everything, then emit closed(reason) once.
    void lose(const QString &reason);
    void releaseAll();

    State m_state = State::Closed;
    // Bumped by every open() and close(), so a queued finishOpening() or loss report from an earlier
    // attempt recognises itself as stale and does nothing.
    quint64 m_attempt = 0;
    int m_fd = -1;
    bool m_isSocket = false; // written with send(MSG_NOSIGNAL)
    bool m_discardAtOpen = false;
    // Children of this transport, created per successful open and deleteLater()'d when it ends,
    // because the end is often noticed inside their own activated() signal.
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    // Bytes not yet taken by the device: m_out from m_outPos on.
    QByteArray m_out;
    qsizetype m_outPos = 0;
};

} // namespace hil
