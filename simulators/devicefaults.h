#pragma once

#include "controlcommand.h"

#include <QByteArray>
#include <QByteArrayList>
#include <chrono>
#include <map>
#include <optional>

namespace hilsim {

// The faults active in one simulated device, and what they do to it. Pure computation, no I/O and no
// clock: every time is the device's monotonic time since it was created ("device time"), passed in.
//
// Each fault lives in a window [start, end): it starts when the FAULT command is handled, ends after
// its `for=` or when it is cleared. A reading is affected by the faults whose window contains the time
// it is reported: a DATA line's own sample time (so the effect is exact to the sample whatever the
// timer lateness), or the moment a read is answered. Drift grows with the sample's time since the drift
// started, on the model clock that spaces the samples. Starting a fault of a kind (on a channel) that
// is already active replaces it.
//
// Randomness (noise, spikes, dropout, garbage bytes) is counter-based (see faultrandom.h) and keyed
// by the seed: the same seed and the same commands give the same faults.
//
// Reboot and power are not kept here: they change the device's life, which DeviceCore runs.
//
// Not thread-safe; use it from one thread.
class DeviceFaults {
public:
    struct Counters {
        quint64 faultsStarted = 0;
        quint64 droppedReadings = 0; // answers and DATA lines withheld by dropout
        quint64 suppressedLines = 0; // DATA lines not sent because the device hung
        quint64 garbageBytes = 0;    // garbage bytes actually emitted
    };

    // `channels` names the model's readings ("temp", "hum"); channel faults refer to them by index.
    DeviceFaults(quint64 seed, QByteArrayList channels);

    quint64 seed() const { return m_seed; }
    const QByteArrayList &channels() const { return m_channels; }

    // Starts `spec` at `now`. A stuck fault must carry its value (the caller fills in the last reading).
    // Reboot and unplug are not lasting faults and are ignored here.
    void start(const FaultSpec &spec, std::chrono::nanoseconds now);
    // Ends the faults of `kind` (on `channel`, or on every channel for -1) at `now`; no-op if none.
    void clear(FaultSpec::Kind kind, int channel, std::chrono::nanoseconds now);
    void clearAll(std::chrono::nanoseconds now);

    // Power went away (power off or reboot): a hang ends with it; sensor faults, dropout and garbage
    // are conditions imposed from outside and stay. Samples are counted afresh from the next boot.
    void powerLost(std::chrono::nanoseconds now);

    // The reading `value` of `channel` for the sample with this index, taken at `sampleTime` and reported
    // at `reportTime` (>= sampleTime), with the faults active at `reportTime` applied: stuck replaces it;
    // otherwise drift (rate times the sample's time since the drift started), offset, extra noise and
    // spikes add to it. Noise and spikes are keyed by the sample, so a sample read twice reads the same.
    double apply(int channel, double value, quint64 sampleIndex, std::chrono::nanoseconds sampleTime,
                 std::chrono::nanoseconds reportTime) const;

    bool isHung(std::chrono::nanoseconds time) const;
    // The device-wide fault of `kind` active at `time` (longline, duplicate, late, stale), or nullptr.
    const FaultSpec *active(FaultSpec::Kind kind, std::chrono::nanoseconds time) const;

    // A reading (an answer to a read, or a DATA line) taken at `time`: true if dropout withholds it.
    // Each call while dropout is active consumes one draw.
    bool dropReading(std::chrono::nanoseconds time);
    void countSuppressedLine() { ++m_counters.suppressedLines; }

    // The garbage bytes due by `now`, one every 1/rate seconds from the start of the fault. With
    // `silent` (the device is off or booting), or for bytes due while hung, they are consumed but not
    // emitted.
    QByteArray takeGarbage(std::chrono::nanoseconds now, bool silent);
    // When the next garbage byte is due; nullopt without an active garbage fault.
    std::optional<std::chrono::nanoseconds> nextGarbageTime() const;

    // The faults active at `now`, one per line, written as the FAULT parameters that would start them
    // again (a timed fault shows its remaining time as `for=`), e.g. "drift channel=temp rate=0.1".
    QByteArrayList status(std::chrono::nanoseconds now) const;

    const Counters &counters() const { return m_counters; }

private:
    struct Active {
        FaultSpec spec;
        std::chrono::nanoseconds start{};
        std::optional<std::chrono::nanoseconds> end;
        quint64 draws = 0;   // Dropout: readings decided so far
        quint64 emitted = 0; // Garbage: bytes due so far (emitted or swallowed)

        bool contains(std::chrono::nanoseconds t) const { return t >= start && (!end || t < *end); }
    };
    using Key = std::pair<FaultSpec::Kind, int>; // channel -1 for device faults

    const Active *find(FaultSpec::Kind kind, int channel, std::chrono::nanoseconds time) const;
    Active *findMutable(FaultSpec::Kind kind, int channel, std::chrono::nanoseconds time);
    QByteArray describe(const Active &fault, std::chrono::nanoseconds now) const;

    quint64 m_seed;
    QByteArrayList m_channels;
    // Ended faults stay until replaced, so late questions about their window still get the right answer.
    std::map<Key, Active> m_faults;
    quint64 m_boot = 0;         // powers cycled so far; keeps sample keys of different boots apart
    quint64 m_garbageIndex = 0; // garbage bytes drawn over the device's life
    Counters m_counters;
};

} // namespace hilsim
