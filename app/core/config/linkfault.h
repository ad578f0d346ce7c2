#pragma once

#include "core/base/duration.h"

#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

// One link fault, as a scenario's fault timeline, a step or `hil proxy` gives it. Plain data: where and
// when it applies is the scheduler's business; what it does to bytes is FaultPipeline's.
struct LinkFaultSpec {
    enum class Kind {
        Blackout,   // lossy link: every byte dropped; TCP: the stream held, reset past `userTimeout`
        Loss,       // lossy link: chunks dropped (as DropBytes); TCP: chunks retransmitted after `rto`
        Latency,    // each chunk delayed by `delay` plus uniform jitter in [-jitter, +jitter]; order kept
        Bandwidth,  // throughput limited to `bytesPerSecond`
        Corrupt,    // each bit flipped with `probability`
        Slice,      // chunks cut into pieces of `sliceBytes`, `sliceDelay` apart
        Disconnect, // the link is closed, and reconnecting is refused while the fault lasts
        DropFirst,  // the first `lines` lines (counted by the device's terminator) dropped
        CloseAfter, // the link is closed after `after` of traffic
        Duplicate,  // datagrams only: each datagram sent twice with `probability`
        Reorder,    // datagrams only: each datagram held back by `delay` with `probability`
        DropBytes,  // each chunk dropped with `probability` or by the burst model, on every transport
    };
    enum class Direction { ToDevice, FromDevice, Both };

    // Two-state burst loss: the chain moves good->bad with pGoodToBad and bad->good with pBadToGood per
    // chunk; a chunk is lost with lossInGood or lossInBad in the state it finds.
    struct GilbertElliott {
        double pGoodToBad = 0.01;
        double pBadToGood = 0.3;
        double lossInGood = 0.0;
        double lossInBad = 1.0;
    };

    Kind kind = Kind::Blackout;
    Direction direction = Direction::Both;
    double probability = 0;                   // Loss (Bernoulli) and Corrupt (per bit)
    std::optional<GilbertElliott> burst;      // Loss: use the burst model instead of `probability`
    Nanoseconds delay{0};                     // Latency
    Nanoseconds jitter{0};                    // Latency
    double bytesPerSecond = 0;                // Bandwidth
    int sliceBytes = 1;                       // Slice
    Nanoseconds sliceDelay{0};                // Slice
    qint64 lines = 0;                         // DropFirst
    Nanoseconds after{0};                     // CloseAfter
    Nanoseconds rto{200'000'000};             // Loss on TCP: the first retransmission timeout
    Nanoseconds rtoMax{120'000'000'000};      // Loss on TCP: the timeout stops doubling here (Linux's)
    Nanoseconds userTimeout{900'000'000'000}; // Blackout on TCP: longer than this resets the connection

    // "latency 50ms±5ms to-device" style, for events and messages.
    QString describe() const;

    // The one table of link fault kinds (linkfault.cpp): every parser, message and preset reads it, so
    // the text form, scenario files and the GUI cannot disagree about names or parameters.
    static QString kindName(Kind k);
    static std::optional<Kind> kindFromName(const QString &name);
    static QStringList kindNames();
    // The parameters a kind takes, besides the when and where (dir/direction, at, for, every).
    static QStringList parameterNames(Kind k);
    // What a kind lacks given the parameters written ("needs delay"), or an empty string.
    static QString missingParameters(Kind k, const QStringList &given);
    static QString unknownKindMessage(const QString &name);
    // Whether a kind acts on datagrams (udp) or on byte streams (everything else): the problem of using
    // it on that kind of link ("slice cuts a byte stream; a udp link carries datagrams"), or empty.
    // The table says which kinds act on which: the same answer for loaders, `hil proxy` and the GUI.
    static QString inapplicableOnDatagrams(Kind k);
    static QString inapplicableOnStreams(Kind k);
    static QString inapplicableOn(Kind k, bool datagrams);
    // The kinds that apply to a link carrying datagrams (true) or a byte stream (false), in table order.
    static QStringList kindNamesOn(bool datagrams);
    // A typical use of a kind in the text form ("latency:delay=50ms,jitter=5ms"), for presets and help.
    static QString example(Kind k);
};

// The largest slice and the most lines drop_first counts: beyond these a fault stops meaning anything.
inline constexpr int kMaxSliceBytes = 1 << 20;
inline constexpr qint64 kMaxDropLines = 2'147'483'647;
// TCP's retransmission timeout doubles per consecutive loss of a segment up to this cap (Linux: 120 s),
// and the connection is reset when a segment is lost this many times more than once (tcp_retries2).
inline constexpr Nanoseconds kMaxRto{120'000'000'000}; // the largest rto and rto_max
inline constexpr int kMaxRetransmissions = 15;

// The rules a link fault's values must keep, whichever form it was written in: a probability outside
// [0, 1], a rate <= 0, a jitter larger than the delay ... Returns the problem, or an empty string.
// Callers report it as "KIND: problem" so that every form gives the same sentence.
QString validateLinkFault(const LinkFaultSpec &spec);

// The shortest fault time a scenario or `hil proxy --fault` may ask for (`for`, `every`, and random's
// `mtbf` and `duration`): the fault timeline runs on millisecond timers, so a shorter time would silently
// become 1 ms, and a random fault with a 1 ns mean would be injected about a thousand times a second.
inline constexpr Nanoseconds kMinFaultTime{1'000'000};

// The rules for when a fault applies, shared by `hil proxy --fault` and scenario files: `for` and
// `every` at least kMinFaultTime, `every` longer than `for`, and a repeating fault that is not
// instantaneous needs `for`. Returns the problem and the key it is about ("for" or "every"), or an empty
// problem.
struct FaultWindowProblem {
    QString message;
    const char *key = nullptr;
};
FaultWindowProblem validateFaultWindow(const std::optional<Nanoseconds> &duration,
                                       const std::optional<Nanoseconds> &every, bool instant);

} // namespace hil
