#pragma once

#include <cstddef>
#include <cstdint>

// Fuzz targets: each check runs one part of the harness on one input and verifies its invariants. The
// libFuzzer executables (libfuzzer_entry.cpp) and the replay test (test_fuzz_regressions.cpp) call the
// same functions, so an input that once failed is replayed by the default suite.
namespace hil::fuzz {

// Called when an invariant breaks. The default prints the failed condition and aborts (what libFuzzer
// needs to save the input); the replay test installs one that throws so that Boost.Test names the file.
using FailureHandler = void (*)(const char *condition, const char *file, int line);
void setFailureHandler(FailureHandler handler);
[[noreturn]] void fail(const char *condition, const char *file, int line);

void checkLineFramer(const std::uint8_t *data, std::size_t size);
void checkMeasurementExtraction(const std::uint8_t *data, std::size_t size);
void checkScenarioLoader(const std::uint8_t *data, std::size_t size);
void checkFixtureLoader(const std::uint8_t *data, std::size_t size);

struct Target {
    const char *name; // also the corpus folder under tests/data/fuzz/
    void (*check)(const std::uint8_t *data, std::size_t size);
};
inline constexpr Target kTargets[] = {
    {"lineframer", checkLineFramer},
    {"measurement", checkMeasurementExtraction},
    {"scenarioloader", checkScenarioLoader},
    {"fixtureloader", checkFixtureLoader},
};

} // namespace hil::fuzz

#define HIL_FUZZ_CHECK(cond) ((cond) ? void() : ::hil::fuzz::fail(#cond, __FILE__, __LINE__))
