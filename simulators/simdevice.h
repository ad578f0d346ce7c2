#pragma once

#include "devicecore.h"

#include <QObject>
#include <QTimer>
#include <chrono>
#include <memory>

namespace hilsim {

// A running simulated device: a DeviceCore plus the monotonic clock and the one precise timer that
// wakes it for its next deadline (DATA lines, the end of a boot, garbage bytes). Endpoints feed it the
// bytes they read and write out whatever it transmits; the control server feeds it control lines. It
// never touches a file descriptor itself.
//
// Output can be held back (holdOutput / releaseOutput, counted, so holds nest): a supply holds its
// answer to OUTP until the device it feeds has been switched, so "OK" means the switch happened.
//
// Lives in, and must be used from, the thread that owns it.
class SimDevice : public QObject {
    Q_OBJECT

public:
    // Takes the protocol over; faults are seeded with `seed`.
    SimDevice(std::unique_ptr<DeviceProtocol> protocol, quint64 seed, QObject *parent = nullptr);

    // Bytes from the current client; answers come back through transmit().
    void receive(QByteArrayView bytes);

    // A client connected (TCP) or the PTY came up: sends the banner if it is enabled.
    void startSession();

    // The client went away: drops its partial line and stops streaming.
    void endSession();

    // One control-channel line; returns the answer lines (see DeviceCore::control).
    QByteArrayList control(QByteArrayView line);

    void holdOutput();
    void releaseOutput();

    // The endpoint has handed everything transmitted so far to the link. A long line (longline fault)
    // is transmitted one piece at a time, each after the previous one drained, so it never sits in
    // memory whole and a reader that stops reading stops it; output made meanwhile waits behind it.
    void outputDrained();

    // Monotonic time since the device was created: the device time of DeviceCore.
    std::chrono::nanoseconds elapsed() const;

    const DeviceCore &core() const { return m_core; }
    const DeviceProtocol &protocol() const { return m_core.protocol(); }

signals:
    void transmit(const QByteArray &bytes);
    // An unplug fault cut an answer: the endpoint drops its link now, after the bytes already
    // transmitted, and brings it back after `down`.
    void unplugged(std::chrono::nanoseconds down);

private:
    void onDeadline();
    void send(const QByteArray &bytes);
    void armTimer();
    // Sends what a call into the core produced: its bytes, then its long lines, then an unplug.
    void deliver(const QByteArray &bytes);
    void pump();

    DeviceCore m_core;
    std::chrono::steady_clock::time_point m_start;
    QTimer m_timer;
    int m_holds = 0;
    QByteArray m_held;
    static constexpr qsizetype kLongLinePiece = 16 * 1024;
    static constexpr qsizetype kMaxBacklog = 64 * 1024;
    QList<DeviceCore::LongLine> m_longLines; // still to send; the front one partly sent
    QByteArray m_backlog;                    // output made while long lines are being sent
    bool m_awaitingDrain = false;
};

} // namespace hilsim
