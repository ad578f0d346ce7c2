#pragma once

#include <QByteArray>
#include <QByteArrayList>
#include <QByteArrayView>
#include <chrono>
#include <optional>

namespace hilsim {

// One device fault as the control channel states it: plain data, validated by ControlCommand::parse.
struct FaultSpec {
    enum class Kind {
        Drift,
        Offset,
        Noise,
        Stuck,
        Spike,
        Dropout,
        Hang,
        Reboot,
        Garbage,
        LongLine,
        Duplicate,
        Late,
        Stale,
        Unplug
    };
    // Garbage: which bytes it emits.
    enum class Bytes { Random, Nul, InvalidUtf8 };

    Kind kind = Kind::Drift;
    int channel = -1;            // index into the model's channels; channel faults only
    double rate = 0.0;           // Drift: units per second; Garbage: bytes per second
    std::optional<double> value; // Offset: the offset; Stuck: the held value (absent: the last one)
    double sigma = 0.0;          // Noise: standard deviation of the extra noise
    double probability = 1.0;    // Spike: per sample; Dropout: per reading
    double size = 0.0;           // Spike: added with a random sign
    std::optional<std::chrono::nanoseconds> duration; // `for=`: absent means until cleared
    std::chrono::nanoseconds down{};                  // Reboot: how long it stays silent; Unplug: gone
    Bytes bytes = Bytes::Random;                      // Garbage
    qint64 lineSize = 0;                              // LongLine: bytes per line, without the terminator
    bool terminated = true;                           // LongLine: end=newline (true) or end=none
    std::chrono::nanoseconds delay{};                 // Late: how long each answer is held back

    static QByteArray kindName(Kind kind);
    static std::optional<Kind> kindFromName(QByteArrayView name); // case-insensitive
    // Drift, offset, noise, stuck and spike act on one channel (a sensor reading); the rest on the device.
    static bool isChannelKind(Kind kind);
    // Reboot and unplug happen once, at once; they are not lasting faults and cannot be cleared.
    static bool isInstantKind(Kind kind) { return kind == Kind::Reboot || kind == Kind::Unplug; }
};

// One line of the control channel, parsed and validated against the model's channel names. A command
// that does not parse changes nothing: the caller answers "ERR <reason>".
//
//   FAULT <kind> [name=value ...]     CLEAR <kind> [channel=C]     CLEAR all
//   STATUS?    COUNTERS?    POWER ON    POWER OFF
//
// Keywords, kinds, parameter names and channel names are case-insensitive. Durations take ns, us, ms,
// s, m, h or d (a bare number is seconds); a rate may end in "/s".
struct ControlCommand {
    enum class Verb { Fault, Clear, ClearAll, Status, Counters, PowerOn, PowerOff };

    Verb verb = Verb::Status;
    FaultSpec fault; // Fault; for Clear only kind and channel (-1: every channel)

    // On failure returns nullopt and sets *error to the reason (without "ERR ").
    static std::optional<ControlCommand> parse(QByteArrayView line, const QByteArrayList &channels,
                                               QByteArray *error);
};

// "1.5s", "250ms", "2" (seconds), "1m", "1d": to nanoseconds; nullopt for anything else, a negative
// value, or more than 30 days.
std::optional<std::chrono::nanoseconds> parseDuration(QByteArrayView text);
// Seconds in the shortest form that reads back through parseDuration, e.g. "2.5s", "0.001s".
QByteArray formatDuration(std::chrono::nanoseconds duration);
// The shortest text without an exponent that reads back as the same double: "10", "0.1", "-2.5".
QByteArray formatNumber(double value);

} // namespace hilsim
