// Link faults: the text form, FaultPipeline on its own (exact, no sockets), and the fidelity the issue
// asks for measured over real loopback sockets: a Link over a TcpTransport and a FaultProxy in front of
// an echo server that the test runs, and `hil proxy` as a real process. One executable; the cases live in
// test_faults_*.cpp by area and share tests/support/faulthelpers.h.

#define BOOST_TEST_MODULE faults

#include "support/eventloop.h"

#include <boost/test/unit_test.hpp>

using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);
