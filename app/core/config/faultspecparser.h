#pragma once

#include "core/base/duration.h"
#include "core/config/linkfault.h"

#include <QString>
#include <QStringView>
#include <optional>

namespace hil {

// A link fault with when it applies, as `hil proxy --fault` gives it. Times count from the start of the
// timeline (the proxy's start). No `at`: from the start. No `for`: until the end. With `every`, the
// fault starts again at at + n·every, each time for `for`.
struct TimedLinkFault {
    LinkFaultSpec spec;
    std::optional<Nanoseconds> at;
    std::optional<Nanoseconds> duration; // `for`
    std::optional<Nanoseconds> every;
};

// Parses the compact text form of a link fault (docs/faults.md):
//
//   fault  = kind [ ":" param *( "," param ) ]
//   param  = key "=" value
//   kind   = blackout | loss | latency | bandwidth | corrupt | slice | disconnect | drop_first | close_after
//            | duplicate | reorder (datagram links only)
//            | drop_bytes
//            (LinkFaultSpec's table in linkfault.cpp; values are judged by validateLinkFault())
//
//   every kind:  dir=to-device|from-device|both (default both), at=DURATION, for=DURATION, every=DURATION
//   blackout:    user_timeout=DURATION (TCP: reset when the blackout lasts longer; default 900s)
//   loss:        p=P  or  burst=P_GOOD_TO_BAD/P_BAD_TO_GOOD[/LOSS_IN_GOOD/LOSS_IN_BAD]; rto=DURATION
//                (TCP: the first retransmission timeout, default 200ms); rto_max=DURATION (TCP: where
//                the doubling timeout stops, default 120s as Linux's TCP_RTO_MAX)
//   drop_bytes:  p=P  or  burst=... (as loss; bytes deleted on every transport)
//   latency:     delay=DURATION (required), jitter=DURATION (at most the delay)
//   bandwidth:   rate=BYTES_PER_S (required; "10000", "10k", "1.5M")
//   corrupt:     p=P (per bit)
//   slice:       bytes=N (default 1, at most 1 MiB), delay=DURATION (default 0)
//   drop_first:  lines=N (required)
//   close_after: after=DURATION (required)
//   duplicate:   p=P (per datagram)
//   reorder:     p=P (per datagram, required), delay=DURATION (how long it is held back, > 0)
//
// e.g. "latency:delay=50ms,jitter=5ms,dir=to-device", "loss:burst=0.01/0.3", "blackout:at=10s,for=3s".
// Durations as parseDuration() reads them ("50ms", "1.5s"); probabilities in [0, 1]. Returns nullopt and
// sets *error to a sentence naming the offending part on bad input.
std::optional<TimedLinkFault> parseLinkFault(QStringView text, QString *error = nullptr);

// The text form of a fault; parseLinkFault() reads it back to the same values.
QString formatLinkFault(const TimedLinkFault &fault);

QString linkDirectionName(LinkFaultSpec::Direction d);
std::optional<LinkFaultSpec::Direction> linkDirectionFromName(QStringView name);

} // namespace hil
