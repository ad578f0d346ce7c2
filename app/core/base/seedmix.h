#pragma once

#include <QtGlobal>

namespace hil {

// The project's own seeded generators, written out so that a seed gives the same faults with every
// compiler and standard library: a recorded run's seed must replay the same timeline anywhere. Changing
// any value these produce changes what old seeds replay (tests/test_faults.cpp holds golden values).
// The simulators keep a copy of their own (simulators/faultrandom.h): they share no code with app/.

inline constexpr quint64 kGoldenGamma = 0x9E3779B97F4A7C15ULL;

// The splitmix64 finaliser (Steele, Lea, Flood): spreads inputs that differ in few bits over all 64.
constexpr quint64 mixBits(quint64 z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

// One splitmix64 step: advances state and returns the next value.
constexpr quint64 splitmix64(quint64 &state) {
    return mixBits(state += kGoldenGamma);
}

// A seed for a part (a direction, a connection, a device) from its parent's seed and a salt that tells
// the parts apart: distinct salts give unrelated seeds.
constexpr quint64 deriveSeed(quint64 seed, quint64 salt) {
    return mixBits(seed + kGoldenGamma * salt);
}

// Uniform in [0, 1) from the top 53 bits of a 64-bit value.
constexpr double unitInterval(quint64 bits) {
    return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

// xoshiro256** (Blackman and Vigna), seeded through splitmix64 as its authors recommend.
class Xoshiro256 {
public:
    constexpr explicit Xoshiro256(quint64 seed) {
        for (quint64 &word : m_s)
            word = splitmix64(seed);
    }

    constexpr quint64 next() {
        const quint64 result = rotl(m_s[1] * 5, 7) * 9;
        const quint64 t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }

    // Uniform in [0, 1).
    constexpr double uniform() { return unitInterval(next()); }
    // Uniform in (0, 1], for logarithms.
    constexpr double uniformPositive() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }

private:
    static constexpr quint64 rotl(quint64 x, int k) { return (x << k) | (x >> (64 - k)); }

    quint64 m_s[4] = {};
};

} // namespace hil
