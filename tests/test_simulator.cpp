// The simulators: the ENV-1 model and protocol, the PSU-2, control commands and device faults in-process
// on fake time (deterministic), the device, endpoints and control server in-process on a real event
// loop, then the built hil-sim executable over TCP and a PTY with its control channel. One executable;
// the cases live in test_sim_*.cpp by area and share tests/support/simhelpers.h and simprocess.h.

#define BOOST_TEST_MODULE simulator

#include "support/eventloop.h"

#include <boost/test/unit_test.hpp>

using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);
