#pragma once

#include "core/base/seedmix.h"
#include "core/config/linkfault.h"

#include <limits>

namespace hil {

// The random draws of one activation of a link fault, the same on byte streams (FaultPipeline) and on
// datagrams (DatagramFaults): one generator per activation, derived from the direction's seed, the
// fault's id and how often that id was activated before, so that a timeline replays the same faults and a
// seed means the same draws on both kinds of link. Changing a draw changes what old seeds replay
// (tests/test_faults.cpp and tests/test_udp.cpp hold golden values). Plain data; one thread.
class FaultDraws {
public:
    static constexpr qint64 kNever = std::numeric_limits<qint64>::max();

    // The generator of the `activation`-th activation (0, 1, ...) of fault `id` on a direction `seed`.
    FaultDraws(quint64 seed, int id, quint64 activation);

    // Uniform in [0, 1).
    double uniform() { return m_rng.uniform(); }
    // One transmission through loss or drop_bytes: lost? One draw (Bernoulli with the probability), or two
    // with the burst model (lost with the loss of the state it finds, then the chain moves on).
    bool lost(const LinkFaultSpec &spec);
    // Bits to leave alone before the next flip: geometric with probability p; kNever when p <= 0.
    qint64 corruptGap(double p);

private:
    Xoshiro256 m_rng;
    bool m_bad = false; // the burst model's state
};

} // namespace hil
