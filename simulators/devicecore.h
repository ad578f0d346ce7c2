#pragma once

#include "devicefaults.h"
#include "deviceprotocol.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QList>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>

namespace hilsim {

// One simulated device as the outside sees it: its own protocol, its faults, and its power, driven by
// the caller's clock. The device protocol comes in through receive() and goes out as the bytes these
// calls return; the control channel comes in through control(). No I/O and no clock: every call takes
// `now`, the device time (monotonic, since the device was created), never earlier than a time passed
// before.
//
// Power is a state machine:
//
//   On ──POWER OFF──> Off ──POWER ON──> Booting ──(boot time passes)──> On (banner, fresh state)
//   On ──FAULT reboot down=D──> Booting (D) ──> On
//
// Off and Booting are silent: input is read and thrown away, nothing is sent. A hang is silent too,
// but keeps the state. Leaving Booting sends the banner whatever --banner says.
//
// Not thread-safe; use it from one thread.
class DeviceCore {
public:
    enum class Power { On, Off, Booting };
    static constexpr std::chrono::nanoseconds kBootTime = std::chrono::milliseconds(300); // after POWER ON

    struct Counters {
        quint64 discardedBytes = 0; // input thrown away while off, booting or hung
        quint64 reboots = 0;        // FAULT reboot commands carried out
        quint64 powerOffs = 0;      // POWER OFF while on or booting
        quint64 boots = 0;          // boots completed (after a reboot or POWER ON)
        quint64 controlCommands = 0;
        quint64 controlErrors = 0;
        quint64 longLines = 0;       // answers replaced by a long line (longline)
        quint64 duplicatedLines = 0; // extra copies of answer lines sent (duplicate)
        quint64 lateAnswers = 0;     // answers held back (late)
        quint64 staleAnswers = 0;    // answers replaced by the one before (stale)
        quint64 unplugs = 0;         // links dropped by FAULT unplug
    };

    // An answer replaced by a longline fault: `size` filler bytes, then "\n" if `terminated`. Too big to
    // build in memory at once, so the caller streams it (SimDevice).
    struct LongLine {
        qint64 size = 0;
        bool terminated = true;
    };

    // Takes the protocol over and hands it the faults. Faults are seeded with `seed`.
    DeviceCore(std::unique_ptr<DeviceProtocol> protocol, quint64 seed);

    // Device bytes from the current client; returns what to send. The answers in it are shaped by the
    // answer faults active at `now`: stale (each answer replaced by the previous one), duplicate (each
    // line twice), longline (answers replaced by long lines, taken with takeLongLines()), late (held back
    // and sent by tick() once due).
    QByteArray receive(QByteArrayView bytes, std::chrono::nanoseconds now);
    // The long lines that replaced answers since the last call, in order; sent after receive()'s bytes.
    QList<LongLine> takeLongLines();
    // Set once after FAULT unplug, whose answer came with the first half of a line (the latest answer
    // cut short): the link must drop now, after those bytes, and stay away for the duration returned.
    std::optional<std::chrono::nanoseconds> takeUnplug();
    // Whatever is due at `now` without input: a finished boot's banner, DATA lines, garbage.
    QByteArray tick(std::chrono::nanoseconds now);
    // When tick() has something to do next; nullopt when nothing is scheduled.
    std::optional<std::chrono::nanoseconds> nextDeadline() const;

    // A client connected (or the PTY came up): the banner if enabled and the device is up. Returns it.
    QByteArray startSession(std::chrono::nanoseconds now);
    // The client went away: its partial line and session state (streaming) are dropped.
    void endSession(std::chrono::nanoseconds now);

    // One control-channel line (without "\n"): returns the answer lines, the last "OK" or "ERR <reason>".
    // Device output it causes (none directly) comes with the next receive() or tick().
    QByteArrayList control(QByteArrayView line, std::chrono::nanoseconds now);

    Power power() const { return m_power; }
    // Up and not hung: the device would answer now.
    bool isResponsive(std::chrono::nanoseconds now) const;

    DeviceProtocol &protocol() { return *m_protocol; }
    const DeviceProtocol &protocol() const { return *m_protocol; }
    const DeviceFaults &faults() const { return m_faults; }
    const Counters &counters() const { return m_counters; }

private:
    // Brings the device up to `now`: finishes a boot that is due and emits due garbage.
    void advance(std::chrono::nanoseconds now);
    void powerDown(std::chrono::nanoseconds now);
    QByteArray takePending();
    QByteArrayList counterLines() const;
    QByteArray shapeAnswers(const QByteArray &out, std::chrono::nanoseconds now);
    QByteArray shapeFrames(const QByteArray &out, std::chrono::nanoseconds now);

    struct Held {
        std::chrono::nanoseconds due{};
        QByteArray bytes;
    };
    std::deque<Held> m_late;                             // answers a late fault holds back, in order
    QByteArray m_lastAnswer;                             // the latest answer line, for stale
    QList<LongLine> m_longLines;                         // answers replaced by long lines, not taken yet
    std::optional<std::chrono::nanoseconds> m_unplugNow; // FAULT unplug: drop the link, for this long

    std::unique_ptr<DeviceProtocol> m_protocol;
    DeviceFaults m_faults;
    Power m_power = Power::On;
    std::chrono::nanoseconds m_bootAt{}; // Booting: when it is up again
    QByteArray m_pending; // output produced by advance(), handed out by the next call that returns bytes
    Counters m_counters;
};

} // namespace hilsim
