#include "core/run/faultscheduler.h"

#include "core/base/clock.h"
#include "core/base/seedmix.h"

#include <cmath>

namespace hil {

namespace {

// Exponentially distributed with the given mean, from 53 random bits.
qint64 exponential(quint64 &state, qint64 meanNs) {
    const double u = unitInterval(splitmix64(state));
    return static_cast<qint64>(std::llround(-static_cast<double>(meanNs) * std::log1p(-u)));
}

} // namespace

FaultScheduler::FaultScheduler(QList<FaultEntry> entries, quint64 seed, QObject *parent)
    : QObject(parent)
    , m_entries(std::move(entries)) {
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (!m_running)
            return;
        const qint64 now = monotonicNs() - m_originNs;
        for (Cursor &c : m_cursors) {
            while (m_running && c.next && c.next->startNs <= now) {
                const Occurrence o = *c.next;
                advance(m_entries, c);
                emit due(o);
            }
        }
        arm();
    });
    quint64 s = seed;
    for (int i = 0; i < m_entries.size(); ++i) {
        Cursor c;
        c.entry = i;
        c.rng = splitmix64(s) ^ static_cast<quint64>(i);
        advance(m_entries, c);
        m_cursors.append(c);
    }
}

void FaultScheduler::advance(const QList<FaultEntry> &entries, Cursor &c) {
    const FaultEntry &e = entries[c.entry];
    const qint64 at = e.at.value_or(Nanoseconds(0)).count();
    std::optional<Occurrence> next;
    if (e.random) {
        const qint64 previousEnd = c.next ? c.next->startNs + c.next->durationNs.value_or(0) : 0;
        Occurrence o{c.entry, previousEnd + exponential(c.rng, e.random->meanBetween.count()), std::nullopt};
        o.durationNs = std::max<qint64>(1'000'000, exponential(c.rng, e.random->meanDuration.count()));
        next = o;
    } else if (c.n == 0 || e.every) {
        Occurrence o{c.entry, at + c.n * (e.every ? e.every->count() : 0), std::nullopt};
        if (e.duration)
            o.durationNs = e.duration->count();
        next = o;
    }
    ++c.n;
    c.next = next;
}

QList<FaultScheduler::Occurrence> FaultScheduler::plan(const QList<FaultEntry> &entries, quint64 seed,
                                                       qint64 horizonNs) {
    FaultScheduler s(entries, seed);
    QList<Occurrence> out;
    for (Cursor &c : s.m_cursors) {
        while (c.next && c.next->startNs < horizonNs) {
            out.append(*c.next);
            advance(entries, c);
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Occurrence &a, const Occurrence &b) { return a.startNs < b.startNs; });
    return out;
}

void FaultScheduler::start(qint64 originMonoNs) {
    m_originNs = originMonoNs;
    m_running = true;
    arm();
}

void FaultScheduler::stop() {
    m_running = false;
    m_timer.stop();
}

void FaultScheduler::arm() {
    if (!m_running)
        return;
    std::optional<qint64> earliest;
    for (const Cursor &c : std::as_const(m_cursors)) {
        if (c.next && (!earliest || c.next->startNs < *earliest))
            earliest = c.next->startNs;
    }
    if (!earliest)
        return;
    const qint64 wait = *earliest - (monotonicNs() - m_originNs);
    m_timer.start(static_cast<int>(std::clamp<qint64>((wait + 999'999) / 1'000'000, 0, 24LL * 3600 * 1000)));
}

} // namespace hil
