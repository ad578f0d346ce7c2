#include "simdevice.h"

#include <algorithm>
#include <utility>

namespace hilsim {

SimDevice::SimDevice(std::unique_ptr<DeviceProtocol> protocol, quint64 seed, QObject *parent)
    : QObject(parent)
    , m_core(std::move(protocol), seed)
    , m_start(std::chrono::steady_clock::now()) {
    // Coarse timers may fire up to 5 % late, which at 1 kHz would bunch DATA lines together.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &SimDevice::onDeadline);
}

void SimDevice::receive(QByteArrayView bytes) {
    send(m_core.receive(bytes, elapsed()));
    armTimer();
}

void SimDevice::startSession() {
    send(m_core.startSession(elapsed()));
    armTimer();
}

void SimDevice::endSession() {
    m_core.endSession(elapsed());
    armTimer();
}

QByteArrayList SimDevice::control(QByteArrayView line) {
    const auto now = elapsed();
    const QByteArrayList answer = m_core.control(line, now);
    // A command may have made something due at once (what a power-off leaves behind, say).
    send(m_core.tick(now));
    armTimer();
    return answer;
}

void SimDevice::holdOutput() {
    ++m_holds;
}

void SimDevice::releaseOutput() {
    if (m_holds == 0)
        return;
    if (--m_holds == 0 && !m_held.isEmpty())
        emit transmit(std::exchange(m_held, QByteArray()));
}

std::chrono::nanoseconds SimDevice::elapsed() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - m_start);
}

void SimDevice::onDeadline() {
    send(m_core.tick(elapsed()));
    armTimer();
}

void SimDevice::send(const QByteArray &bytes) {
    if (bytes.isEmpty())
        return;
    if (m_holds > 0)
        m_held += bytes;
    else
        emit transmit(bytes);
}

void SimDevice::armTimer() {
    const auto deadline = m_core.nextDeadline();
    if (!deadline) {
        m_timer.stop();
        return;
    }
    // Re-armed for the next absolute deadline every time, so timer lateness never accumulates. Rounding
    // up means the timer never fires before the deadline.
    const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(*deadline - elapsed());
    m_timer.start(std::max(remaining, std::chrono::milliseconds(0)));
}

} // namespace hilsim
