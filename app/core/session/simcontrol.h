#pragma once

#include <QObject>
#include <QTcpSocket>
#include <QTimer>
#include <deque>
#include <functional>

namespace hil {

// A client of a simulator's control channel (docs/simulators.md): one command per line, answered by data
// lines and then OK or ERR <reason>. Commands are queued and sent one at a time; each handler is called
// once, from the event loop, with ok and the answer (the data lines, or the ERR reason, or why the channel
// failed). Connects on first use and reconnects after the simulator restarts (setAddress()).
class SimControl : public QObject {
    Q_OBJECT
public:
    using Handler = std::function<void(bool ok, const QString &answer)>;

    explicit SimControl(QObject *parent = nullptr);

    void setAddress(const QString &hostPort);
    const QString &address() const { return m_address; }
    void send(const QString &command, Handler handler = {}, int timeoutMs = 3000);

private:
    struct Pending {
        QString command;
        Handler handler;
        int timeoutMs;
    };
    void next();
    void finish(bool ok, const QString &answer);

    QString m_address;
    QTcpSocket m_socket;
    QTimer m_timeout;
    std::deque<Pending> m_queue;
    bool m_busy = false;
    QByteArray m_buffer;
    QStringList m_data;
};

} // namespace hil
