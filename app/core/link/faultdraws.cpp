#include "core/link/faultdraws.h"

#include <cmath>

namespace hil {

namespace {

quint64 activationSeed(quint64 seed, int id, quint64 activation) {
    quint64 state = seed ^ (kGoldenGamma * (static_cast<quint64>(static_cast<quint32>(id)) + 1));
    state = splitmix64(state) ^ (0xD1B54A32D192ED03ULL * (activation + 1));
    return splitmix64(state);
}

} // namespace

FaultDraws::FaultDraws(quint64 seed, int id, quint64 activation)
    : m_rng(activationSeed(seed, id, activation)) {}

bool FaultDraws::lost(const LinkFaultSpec &spec) {
    if (!spec.burst)
        return m_rng.uniform() < spec.probability;
    const LinkFaultSpec::GilbertElliott &ge = *spec.burst;
    const bool lost = m_rng.uniform() < (m_bad ? ge.lossInBad : ge.lossInGood);
    const double u = m_rng.uniform();
    m_bad = m_bad ? !(u < ge.pBadToGood) : u < ge.pGoodToBad;
    return lost;
}

qint64 FaultDraws::corruptGap(double p) {
    if (!(p > 0))
        return kNever;
    if (p >= 1)
        return 0;
    const double gap = std::floor(std::log(m_rng.uniformPositive()) / std::log1p(-p));
    return gap >= 1e18 ? kNever : static_cast<qint64>(gap);
}

} // namespace hil
