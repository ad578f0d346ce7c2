#include "envsensordevice.h"

#include <algorithm>

namespace hilsim {

EnvSensorDevice::EnvSensorDevice(const EnvSensorConfig &config, QObject *parent)
    : QObject(parent)
    , m_protocol(config)
    , m_start(std::chrono::steady_clock::now()) {
    // Coarse timers may fire up to 5 % late, which at 1 kHz would bunch DATA lines together.
    m_streamTimer.setTimerType(Qt::PreciseTimer);
    m_streamTimer.setSingleShot(true);
    connect(&m_streamTimer, &QTimer::timeout, this, &EnvSensorDevice::onStreamDeadline);
}

void EnvSensorDevice::receive(QByteArrayView bytes) {
    send(m_protocol.feed(bytes, elapsed()));
    armStreamTimer();
}

void EnvSensorDevice::startSession() {
    send(m_protocol.banner());
}

void EnvSensorDevice::endSession() {
    m_protocol.resetSession();
    armStreamTimer();
}

std::chrono::nanoseconds EnvSensorDevice::elapsed() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - m_start);
}

void EnvSensorDevice::onStreamDeadline() {
    send(m_protocol.tick(elapsed()));
    armStreamTimer();
}

void EnvSensorDevice::send(const QByteArray &bytes) {
    if (!bytes.isEmpty())
        emit transmit(bytes);
}

void EnvSensorDevice::armStreamTimer() {
    const auto deadline = m_protocol.nextDeadline();
    if (!deadline) {
        m_streamTimer.stop();
        return;
    }
    // Re-armed for the next absolute deadline every time, so timer lateness never accumulates. Rounding
    // up means the timer never fires before the line is due.
    const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(*deadline - elapsed());
    m_streamTimer.start(std::max(remaining, std::chrono::milliseconds(0)));
}

} // namespace hilsim
