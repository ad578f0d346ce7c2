#pragma once

#include "core/transport/transport.h"

#include <QTcpSocket>
#include <QTimer>

namespace hil {

class FdTransport;

// A TCP client link. open() connects (giving up after connectTimeoutMs with failed()); a peer that closes
// or resets the connection gives closed(). Nagle is off: a test harness measures latency.
//
// QTcpSocket only connects (name lookup, the connect timeout, its errors). Once connected, the socket's
// descriptor is driven like every other device descriptor (FdTransport: one read() per wake-up straight
// into the session, send() without a buffer of Qt's in between), which takes a third of the harness's own
// share off a round trip (docs/benchmarks.md, section 9).
class TcpTransport : public Transport {
    Q_OBJECT
public:
    TcpTransport(QString host, quint16 port, QObject *parent = nullptr, int connectTimeoutMs = 5000);
    ~TcpTransport() override;

    void open() override;
    void close() override;
    void write(const QByteArray &bytes) override;
    bool isOpen() const override;
    QString describe() const override;

private:
    class Stream;
    void onConnected();
    void dropStream();

    QString m_host;
    quint16 m_port;
    int m_connectTimeoutMs;
    QTcpSocket m_socket;
    QTimer m_connectTimer;
    FdTransport *m_stream = nullptr; // the connected socket's descriptor, once connected
    bool m_connected = false;
    bool m_closing = false;
};

} // namespace hil
