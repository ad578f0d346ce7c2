#pragma once

#include "envsensorprotocol.h"

#include <QObject>
#include <QTimer>
#include <chrono>

namespace hilsim {

// A running ENV-1: the protocol plus a monotonic clock and the timer that sends DATA lines on their
// deadlines. Endpoints feed it the bytes they read and write out whatever it transmits; it never
// touches a file descriptor itself.
//
// Lives in, and must be used from, the thread that owns it.
class EnvSensorDevice : public QObject {
    Q_OBJECT

public:
    explicit EnvSensorDevice(const EnvSensorConfig &config, QObject *parent = nullptr);

    // Bytes from the current client; answers come back through transmit().
    void receive(QByteArrayView bytes);

    // A client connected (TCP) or the PTY came up: sends the banner if it is enabled.
    void startSession();

    // The client went away: drops its partial line and stops streaming.
    void endSession();

    // Monotonic time since the device was created.
    std::chrono::nanoseconds elapsed() const;

    const EnvSensorProtocol &protocol() const { return m_protocol; }

signals:
    void transmit(const QByteArray &bytes);

private:
    void onStreamDeadline();
    void send(const QByteArray &bytes);
    void armStreamTimer();

    EnvSensorProtocol m_protocol;
    std::chrono::steady_clock::time_point m_start;
    QTimer m_streamTimer;
};

} // namespace hilsim
