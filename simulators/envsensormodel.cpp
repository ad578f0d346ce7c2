#include "envsensormodel.h"

#include <cmath>
#include <numbers>

namespace hilsim {

namespace {

// A day, like a lab's day-night cycle. Slow on purpose: the signal's own slope (at most 0.5 * 2pi / 86400
// = 0.000036 degC/s) is 0.04 % of a 0.1/s drift fault, so a slope fitted to drifting readings measures
// the fault and nothing else.
constexpr double kPeriodSeconds = 86400.0;
constexpr double kTemperatureMean = 22.5;
constexpr double kTemperatureAmplitude = 0.5;
constexpr double kTemperatureSigma = 0.05;
constexpr double kHumidityMean = 45.0;
constexpr double kHumidityAmplitude = 2.0;
constexpr double kHumiditySigma = 0.2;
constexpr double kNanosPerSecond = 1e9;
// Raw draws per sample; fixed so that skipping n samples is discarding 2n engine outputs.
constexpr quint64 kDrawsPerSample = 2;

// 53 random bits give every double in [0, 1) on an even grid, independent of the standard library.
constexpr double kTwoPow53 = 9007199254740992.0;

double phase(double seconds) {
    return 2.0 * std::numbers::pi * seconds / kPeriodSeconds;
}

} // namespace

EnvSensorModel::EnvSensorModel(quint64 seed, double rateHz)
    : m_seed(seed)
    , m_rateHz(rateHz)
    , m_engine(seed) {
    m_latest = takeSample(0);
}

void EnvSensorModel::setRateHz(double hz) {
    m_epochIndex = m_latest.index;
    m_epochTime = m_latest.time;
    m_rateHz = hz;
}

std::chrono::nanoseconds EnvSensorModel::sampleTime(quint64 index) const {
    const double steps = static_cast<double>(index) - static_cast<double>(m_epochIndex);
    return m_epochTime + std::chrono::nanoseconds(std::llround(steps * kNanosPerSecond / m_rateHz));
}

const EnvSample &EnvSensorModel::advanceTo(std::chrono::nanoseconds now) {
    if (now <= m_latest.time)
        return m_latest;
    // A first guess from the rate, then corrected against sampleTime() itself so that "due" means
    // exactly the same here as for callers that compare sampleTime(k) <= now.
    const double elapsed = static_cast<double>((now - m_epochTime).count());
    quint64 target = m_epochIndex + static_cast<quint64>(std::floor(elapsed * m_rateHz / kNanosPerSecond));
    while (sampleTime(target + 1) <= now)
        ++target;
    while (target > m_latest.index && sampleTime(target) > now)
        --target;
    return advanceToIndex(target);
}

const EnvSample &EnvSensorModel::advanceToIndex(quint64 index) {
    if (index <= m_latest.index)
        return m_latest;
    // Nobody will read the skipped samples, but their random draws must still be consumed so the
    // sequence does not depend on when the device was asked.
    m_engine.discard(kDrawsPerSample * (index - m_latest.index - 1));
    m_latest = takeSample(index);
    return m_latest;
}

double EnvSensorModel::idealTemperature(double seconds) {
    return kTemperatureMean + kTemperatureAmplitude * std::sin(phase(seconds));
}

double EnvSensorModel::idealHumidity(double seconds) {
    return kHumidityMean - kHumidityAmplitude * std::sin(phase(seconds));
}

EnvSample EnvSensorModel::takeSample(quint64 index) {
    // Box-Muller, written out because std::normal_distribution is implementation-defined. u1 is in
    // (0, 1] so the logarithm is finite. The two draws are separate statements to fix their order.
    const double u1 = (static_cast<double>(m_engine() >> 11) + 1.0) / kTwoPow53;
    const double u2 = static_cast<double>(m_engine() >> 11) / kTwoPow53;
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;

    EnvSample sample;
    sample.index = index;
    sample.time = sampleTime(index);
    const double seconds = static_cast<double>(sample.time.count()) / kNanosPerSecond;
    sample.temperature = idealTemperature(seconds) + kTemperatureSigma * radius * std::cos(angle);
    sample.humidity = idealHumidity(seconds) + kHumiditySigma * radius * std::sin(angle);
    return sample;
}

} // namespace hilsim
