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
    deliver(m_core.receive(bytes, elapsed()));
    armTimer();
}

void SimDevice::deliver(const QByteArray &bytes) {
    send(bytes);
    const QList<DeviceCore::LongLine> longLines = m_core.takeLongLines();
    if (!longLines.isEmpty()) {
        m_longLines += longLines;
        pump();
    }
    if (const auto down = m_core.takeUnplug())
        emit unplugged(*down);
}

void SimDevice::outputDrained() {
    if (!m_awaitingDrain)
        return;
    m_awaitingDrain = false;
    // Later, not from inside the endpoint's write: a long line would otherwise recurse piece by piece.
    QMetaObject::invokeMethod(this, &SimDevice::pump, Qt::QueuedConnection);
}

void SimDevice::pump() {
    if (m_awaitingDrain)
        return;
    if (m_longLines.isEmpty()) {
        if (!m_backlog.isEmpty())
            emit transmit(std::exchange(m_backlog, QByteArray()));
        return;
    }
    DeviceCore::LongLine &line = m_longLines.front();
    const qsizetype piece = static_cast<qsizetype>(std::min<qint64>(line.size, kLongLinePiece));
    QByteArray bytes(piece, 'x');
    line.size -= piece;
    if (line.size == 0) {
        if (line.terminated)
            bytes += '\n';
        m_longLines.removeFirst();
    }
    // Set before transmitting: an endpoint may report the drain from inside transmit().
    m_awaitingDrain = true;
    emit transmit(bytes);
}

void SimDevice::startSession() {
    send(m_core.startSession(elapsed()));
    armTimer();
}

void SimDevice::endSession() {
    m_core.endSession(elapsed());
    m_longLines.clear();
    m_backlog.clear();
    m_awaitingDrain = false;
    armTimer();
}

QByteArrayList SimDevice::control(QByteArrayView line) {
    const auto now = elapsed();
    const QByteArrayList answer = m_core.control(line, now);
    // A command may have made something due at once (what a power-off leaves behind, say).
    deliver(m_core.tick(now));
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
    deliver(m_core.tick(elapsed()));
    armTimer();
}

void SimDevice::send(const QByteArray &bytes) {
    if (bytes.isEmpty())
        return;
    if (m_holds > 0)
        m_held += bytes;
    else if (!m_longLines.isEmpty() || !m_backlog.isEmpty()) {
        // Bounded like a UART's buffer: what does not fit behind a stalled long line is lost.
        if (m_backlog.size() + bytes.size() <= kMaxBacklog)
            m_backlog += bytes;
    } else
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
