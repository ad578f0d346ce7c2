#pragma once

#include "envsample.h"

#include <chrono>
#include <random>

namespace hilsim {

// The physics of the ENV-1: temperature and humidity as slow sines plus Gaussian noise, sampled at a
// fixed rate. Pure computation, no I/O and no clock: the caller says what time it is, so tests can step
// it deterministically.
//
// Determinism: sample k always consumes exactly two raw outputs (2k, 2k+1) of a std::mt19937_64 seeded
// with `seed`, turned into normals by our own Box-Muller transform (std::normal_distribution differs
// between standard libraries). The same seed therefore yields the same samples, whether they are
// stepped one by one or skipped over.
//
// Not thread-safe; use it from one thread.
class EnvSensorModel {
public:
    static constexpr double kDefaultRateHz = 10.0;

    // Takes sample 0 at time 0 straight away, so latest() is always valid. rateHz must be > 0.
    explicit EnvSensorModel(quint64 seed, double rateHz = kDefaultRateHz);

    quint64 seed() const { return m_seed; }
    double rateHz() const { return m_rateHz; }

    // Samples after the latest one are spaced 1/hz from it, so model time stays continuous across a
    // change. hz must be > 0 (the protocol enforces its own range).
    void setRateHz(double hz);

    const EnvSample &latest() const { return m_latest; }

    // When sample `index` is (or was) taken under the current rate; meaningful for index >= the index
    // at the last rate change.
    std::chrono::nanoseconds sampleTime(quint64 index) const;

    // Takes every sample due at or before `now`; returns the latest. Times before the latest sample
    // change nothing.
    const EnvSample &advanceTo(std::chrono::nanoseconds now);

    // Takes samples up to and including `index` (no-op if already there); returns the latest.
    const EnvSample &advanceToIndex(quint64 index);

    // Counter for tests: samples taken so far, including ones skipped over without being read.
    quint64 samplesTaken() const { return m_latest.index + 1; }

    // The noise-free part of the signals at model time `seconds`, so tests can check the noise alone.
    static double idealTemperature(double seconds);
    static double idealHumidity(double seconds);

private:
    EnvSample takeSample(quint64 index);

    quint64 m_seed;
    double m_rateHz;
    std::mt19937_64 m_engine;
    // Sample times are computed from this anchor rather than accumulated, so they never drift.
    quint64 m_epochIndex = 0;
    std::chrono::nanoseconds m_epochTime{};
    EnvSample m_latest;
};

} // namespace hilsim
