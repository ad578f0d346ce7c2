#define BOOST_TEST_MODULE language
#include <boost/test/unit_test.hpp>
