#include "livebuffer.h"

#include "core/base/clock.h"

namespace hil::gui {

namespace {

// Drops the oldest tenth when a pending list is full, so that trimming is rare and amortised.
template<typename T>
void appendBounded(QList<T> &list, T item, qsizetype limit, qint64 &dropped) {
    if (list.size() >= limit) {
        const qsizetype n = std::max<qsizetype>(1, limit / 10);
        list.remove(0, n);
        dropped += n;
    }
    list.append(std::move(item));
}

} // namespace

LiveBuffer::LiveBuffer()
    : LiveBuffer(Limits{}) {}

LiveBuffer::LiveBuffer(Limits limits)
    : m_limits(limits) {}

LiveBatch LiveBuffer::drain() {
    LiveBatch out;
    std::lock_guard lock(m_mutex);
    std::swap(out, m_pending);
    return out;
}

void LiveBuffer::runStarted(const RunHeader &info) {
    const qint64 now = monotonicNs();
    std::lock_guard lock(m_mutex);
    m_pending.started = info;
    m_pending.startMonoNs = now;
}

void LiveBuffer::runInfoChanged(const RunHeader &info) {
    std::lock_guard lock(m_mutex);
    m_pending.infoChanged = info;
}

void LiveBuffer::stepFinished(const StepResult &result) {
    std::lock_guard lock(m_mutex);
    appendBounded(m_pending.results, result, m_limits.results, m_pending.resultsDropped);
}

void LiveBuffer::eventRecorded(const Event &event) {
    std::lock_guard lock(m_mutex);
    appendBounded(m_pending.events, event, m_limits.events, m_pending.eventsDropped);
}

void LiveBuffer::exchange(qint64 timeNs, const QString &device, Direction dir, const QByteArray &data) {
    std::lock_guard lock(m_mutex);
    appendBounded(m_pending.exchanges, ExchangeLine{timeNs, device, dir, data}, m_limits.exchanges,
                  m_pending.exchangesDropped);
}

void LiveBuffer::countsChanged(const RunCounts &counts) {
    std::lock_guard lock(m_mutex);
    m_pending.counts = counts; // the latest wins: never dropped, whatever happened to the results
}

void LiveBuffer::progress(qint64 iterationsDone, qint64 elapsedNs, qint64 plannedNs) {
    std::lock_guard lock(m_mutex);
    m_pending.progress = ProgressUpdate{iterationsDone, elapsedNs, plannedNs};
}

void LiveBuffer::faultStarted(const FaultRecord &fault) {
    std::lock_guard lock(m_mutex);
    m_pending.faults.append(FaultUpdate{FaultUpdate::Kind::Started, fault});
}

void LiveBuffer::faultEnded(const FaultRecord &fault) {
    std::lock_guard lock(m_mutex);
    m_pending.faults.append(FaultUpdate{FaultUpdate::Kind::Ended, fault});
}

void LiveBuffer::faultRecovered(const FaultRecord &fault) {
    std::lock_guard lock(m_mutex);
    m_pending.faults.append(FaultUpdate{FaultUpdate::Kind::Recovered, fault});
}

void LiveBuffer::runFinished(const RunSummary &summary) {
    std::lock_guard lock(m_mutex);
    m_pending.summary = summary;
}

} // namespace hil::gui
