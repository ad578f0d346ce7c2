// The libFuzzer entry of one target; CMake compiles it once per target with HIL_FUZZ_TARGET set to the
// target's check function.
#include "fuzzcheck.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    HIL_FUZZ_TARGET(data, size);
    return 0;
}
