#pragma once

#include <QtGlobal>
#include <cmath>
#include <numbers>

namespace hilsim {

// Counter-based random numbers for faults: every draw is a pure function of (seed, stream, a, b), so
// the noise on sample k or the n-th garbage byte is the same whenever and however often it is asked
// for. That is what makes a fault repeat with its seed even though the times at which a device is
// read depend on the wall clock. Streams keep the purposes apart.
namespace faultrandom {

enum Stream : quint64 {
    NoiseStream = 1,
    SpikeStream = 2,
    DropoutStream = 3,
    GarbageStream = 4,
    MeasureStream = 5,
};

// SplitMix64's finaliser: a bijection on 64 bits that mixes every input bit into every output bit.
constexpr quint64 mix(quint64 x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

constexpr quint64 bits(quint64 seed, quint64 stream, quint64 a, quint64 b = 0) {
    return mix(mix(mix(mix(seed) ^ stream) ^ a) ^ b);
}

// In [0, 1), on the even grid of 53-bit doubles.
inline double uniform(quint64 seed, quint64 stream, quint64 a, quint64 b = 0) {
    return static_cast<double>(bits(seed, stream, a, b) >> 11) / 9007199254740992.0;
}

// Standard normal by Box-Muller from two uniforms under the same key; the first is shifted into
// (0, 1] so the logarithm is finite.
inline double normal(quint64 seed, quint64 stream, quint64 a, quint64 b = 0) {
    const double u1 = 1.0 - uniform(seed, stream, a, 2 * b);
    const double u2 = uniform(seed, stream, a, 2 * b + 1);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

} // namespace faultrandom

} // namespace hilsim
