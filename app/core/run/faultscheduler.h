#pragma once

#include "core/config/faultplan.h"

#include <QList>
#include <QObject>
#include <QTimer>
#include <optional>

namespace hil {

// Plans the starts of a scenario's fault timeline: `at` once, `at + n * every` (flapping), or `random`
// with exponential times between faults and exponential durations, all drawn from the run's seed with a
// generator of the project's own (so the same seed gives the same timeline on every platform). Emits
// due() at each planned start, on the event loop of its thread; the caller ends each fault after the
// duration it is given. Times are monotonic ns; planned times are relative to start()'s origin.
class FaultScheduler : public QObject {
    Q_OBJECT
public:
    struct Occurrence {
        int entry = 0;
        qint64 startNs = 0;               // planned, since the origin
        std::optional<qint64> durationNs; // absent: until the run (or a clear step) ends it
    };

    FaultScheduler(QList<FaultEntry> entries, quint64 seed, QObject *parent = nullptr);

    void start(qint64 originMonoNs);
    void stop();

    // The occurrences that start before horizonNs, in start order: what a run with this seed will do.
    static QList<Occurrence> plan(const QList<FaultEntry> &entries, quint64 seed, qint64 horizonNs);

signals:
    void due(const hil::FaultScheduler::Occurrence &occurrence);

private:
    // One entry's sequence of occurrences.
    struct Cursor {
        int entry = 0;
        qint64 n = 0;
        quint64 rng = 0;
        std::optional<Occurrence> next;
    };
    static void advance(const QList<FaultEntry> &entries, Cursor &c);
    void arm();

    QList<FaultEntry> m_entries;
    QList<Cursor> m_cursors;
    qint64 m_originNs = 0;
    QTimer m_timer;
    bool m_running = false;
};

} // namespace hil
