#pragma once

#include "core/base/duration.h"

#include <QString>
#include <optional>

namespace hil {

// One link fault, as a scenario's fault timeline, a step or `hil proxy` gives it. Plain data: where and
// when it applies is the scheduler's business; what it does to bytes is FaultPipeline's.
struct LinkFaultSpec {
    enum class Kind {
        Blackout,   // every byte silently dropped (network loss)
        Loss,       // each chunk dropped with `probability`, or by a Gilbert-Elliott burst model
        Latency,    // each chunk delayed by `delay` plus uniform jitter in [-jitter, +jitter]; order kept
        Bandwidth,  // throughput limited to `bytesPerSecond`
        Corrupt,    // each bit flipped with `probability`
        Slice,      // chunks cut into pieces of `sliceBytes`, `sliceDelay` apart
        Disconnect, // the link is closed, and reconnecting is refused while the fault lasts
        DropFirst,  // the first `lines` lines (counted by the device's terminator) dropped
        CloseAfter, // the link is closed after `after` of traffic
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
    double probability = 0;              // Loss (Bernoulli) and Corrupt (per bit)
    std::optional<GilbertElliott> burst; // Loss: use the burst model instead of `probability`
    Nanoseconds delay{0};                // Latency
    Nanoseconds jitter{0};               // Latency
    double bytesPerSecond = 0;           // Bandwidth
    int sliceBytes = 1;                  // Slice
    Nanoseconds sliceDelay{0};           // Slice
    qint64 lines = 0;                    // DropFirst
    Nanoseconds after{0};                // CloseAfter

    // "latency 50ms±5ms to-device" style, for events and messages.
    QString describe() const;
    static QString kindName(Kind k);
    static std::optional<Kind> kindFromName(const QString &name);
};

} // namespace hil
