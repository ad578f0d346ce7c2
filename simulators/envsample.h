#pragma once

#include <QtGlobal>
#include <chrono>

namespace hilsim {

// One internal reading of the ENV-1; a plain value so tests can compare whole sequences.
struct EnvSample {
    quint64 index = 0;               // k: the sample is taken at model time k / rate
    std::chrono::nanoseconds time{}; // model time since the device started
    double temperature = 0.0;        // degC
    double humidity = 0.0;           // %RH

    friend bool operator==(const EnvSample &, const EnvSample &) = default;
};

} // namespace hilsim
