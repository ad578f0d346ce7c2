#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <map>

class QTcpServer;
class QTcpSocket;

namespace hilsim {

class SimDevice;

// The device's control channel: a line protocol on a TCP port of 127.0.0.1, kept apart from the
// device's own protocol (see docs/simulators.md). Any number of clients at once (the harness and a
// supply feeding the device, say); each line gets its answer lines, the last "OK" or "ERR <reason>".
// A line longer than kMaxLineLength is answered "ERR line too long" and discarded up to its newline.
//
// Does not own the device, which must outlive it. Use from the thread that owns both.
class ControlServer : public QObject {
    Q_OBJECT

public:
    static constexpr qsizetype kMaxLineLength = 4096;

    struct Counters {
        quint64 clientsAccepted = 0;
        quint64 linesHandled = 0;
    };

    explicit ControlServer(SimDevice *device, QObject *parent = nullptr);

    // Listens on 127.0.0.1; port 0 picks a free one. On failure returns false and errorString() says why.
    bool listen(quint16 port);
    QString errorString() const;
    QHostAddress address() const;
    quint16 port() const; // the real bound port once listening
    const Counters &counters() const { return m_counters; }

private:
    struct Client {
        QByteArray partialLine;
        bool discardingLine = false;
    };

    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void answer(QTcpSocket *socket, const QByteArray &line);

    SimDevice *m_device;
    QTcpServer *m_server;
    std::map<QTcpSocket *, Client> m_clients; // sockets owned by m_server through the QObject tree
    Counters m_counters;
};

} // namespace hilsim
