#pragma once

#include "core/transport/transport.h"

#include <QTcpSocket>
#include <QTimer>

namespace hil {

// A TCP client link. open() connects (giving up after connectTimeoutMs with failed()); a peer that closes
// or resets the connection gives closed(). Nagle is off: a test harness measures latency.
class TcpTransport : public Transport {
    Q_OBJECT
public:
    TcpTransport(QString host, quint16 port, QObject *parent = nullptr, int connectTimeoutMs = 5000);

    void open() override;
    void close() override;
    void write(const QByteArray &bytes) override;
    bool isOpen() const override;
    QString describe() const override;

private:
    QString m_host;
    quint16 m_port;
    int m_connectTimeoutMs;
    QTcpSocket m_socket;
    QTimer m_connectTimer;
    bool m_connected = false;
    bool m_closing = false;
};

} // namespace hil
