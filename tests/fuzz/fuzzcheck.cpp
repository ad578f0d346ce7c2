#include "fuzzcheck.h"

#include <cstdio>
#include <cstdlib>

namespace hil::fuzz {

namespace {

void printAndAbort(const char *condition, const char *file, int line) {
    std::fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, condition);
    std::abort();
}

FailureHandler g_handler = printAndAbort;

} // namespace

void setFailureHandler(FailureHandler handler) {
    g_handler = handler ? handler : printAndAbort;
}

void fail(const char *condition, const char *file, int line) {
    g_handler(condition, file, line);
    std::abort(); // a handler that returns must not let the check go on
}

} // namespace hil::fuzz
