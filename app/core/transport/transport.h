#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

namespace hil {

// Bytes in and out of one device. Implementations are non-blocking and driven by the Qt event loop of
// the thread that owns them (a QSocketNotifier on a file descriptor, or a QTcpSocket): no call blocks and
// nothing polls. All functions must be called from the owning thread.
//
// Life cycle: open() starts connecting and returns at once; opened() or failed() follows. After opened(),
// bytesReceived() delivers data in order; closed() is emitted once when the peer goes away or an I/O error
// ends the link (the reason says which). close() from the owner emits nothing.
class Transport : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    ~Transport() override = default;

    virtual void open() = 0;
    virtual void close() = 0;
    // Queues bytes for sending; a short write is completed when the device can take more.
    virtual void write(const QByteArray &bytes) = 0;
    virtual bool isOpen() const = 0;
    // What this transport is connected to, for messages and events ("tcp 127.0.0.1:5025", "pty /dev/pts/4").
    virtual QString describe() const = 0;

signals:
    void opened();
    void failed(const QString &reason);
    void bytesReceived(const QByteArray &bytes);
    void closed(const QString &reason);
};

} // namespace hil
