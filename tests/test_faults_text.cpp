// The text form of a link fault (`hil proxy --fault`, the GUI): every kind parses and formats back,
// values reach the spec, bad input is refused with a reason.

#include "core/config/faultspecparser.h"
#include "core/link/faultpipeline.h"
#include "support/faulthelpers.h"

#include <QString>
#include <boost/test/unit_test.hpp>
#include <string>
#include <utility>

using namespace faulttest;
using hil::LinkFaultSpec;
using Kind = LinkFaultSpec::Kind;

BOOST_AUTO_TEST_SUITE(text_form)

BOOST_AUTO_TEST_CASE(every_kind_parses_and_formats_back) {
    const char *const texts[] = {
        "blackout",
        "blackout:at=10s,for=3s",
        "loss:p=0.1",
        "loss:burst=0.01/0.3",
        "loss:burst=0.01/0.3/0.001/0.9,dir=from-device",
        "latency:delay=50ms,jitter=5ms,dir=to-device",
        "bandwidth:rate=10000",
        "corrupt:p=1e-4",
        "corrupt:p=0.25",
        "slice:bytes=1,delay=1ms",
        "disconnect:at=5s,for=2s,every=1m",
        "drop_first:lines=3",
        "close_after:after=30s",
        "duplicate:p=0.01",
        "reorder:p=0.05,delay=20ms",
        "loss:p=0.2,rto=1ms,rto_max=10ms",
    };
    for (const char *text : texts) {
        QString error;
        const auto f = hil::parseLinkFault(QString::fromLatin1(text), &error);
        BOOST_REQUIRE_MESSAGE(f, text << ": " << str(error));
        BOOST_TEST(str(hil::formatLinkFault(*f)) == std::string(text));
        BOOST_TEST(hil::validateLinkFault(f->spec).isEmpty());
        BOOST_TEST((LinkFaultSpec::kindFromName(LinkFaultSpec::kindName(f->spec.kind)) == f->spec.kind));
    }
}

BOOST_AUTO_TEST_CASE(values_are_read_into_the_spec) {
    QString error;
    auto f = hil::parseLinkFault(u"latency:delay=50ms,jitter=5ms,dir=to-device,at=1.5s", &error);
    BOOST_REQUIRE(f);
    BOOST_TEST((f->spec.kind == Kind::Latency));
    BOOST_TEST(f->spec.delay.count() == 50'000'000);
    BOOST_TEST(f->spec.jitter.count() == 5'000'000);
    BOOST_TEST((f->spec.direction == LinkFaultSpec::Direction::ToDevice));
    BOOST_TEST(f->at->count() == 1'500'000'000);
    BOOST_TEST(!f->duration);
    BOOST_TEST(str(f->spec.describe()) == "latency 50ms±5ms to-device");

    f = hil::parseLinkFault(u"bandwidth:rate=1.5k", &error);
    BOOST_REQUIRE(f);
    BOOST_TEST(f->spec.bytesPerSecond == 1500.0);
    f = hil::parseLinkFault(u"loss:burst=0.02/0.25", &error);
    BOOST_REQUIRE(f);
    BOOST_REQUIRE(f->spec.burst);
    BOOST_TEST(f->spec.burst->pGoodToBad == 0.02);
    BOOST_TEST(f->spec.burst->pBadToGood == 0.25);
    BOOST_TEST(f->spec.burst->lossInBad == 1.0);
    BOOST_TEST(str(f->spec.describe()) == "loss burst 0.02/0.25");
    BOOST_TEST(str(spec("slice:bytes=2,delay=1ms,dir=from-device").describe())
               == "slice 2 B every 1ms from-device");
    BOOST_TEST(str(spec("drop_first:lines=1").describe()) == "drop_first 1 line");
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected_with_a_reason) {
    const std::pair<const char *, const char *> cases[] = {
        {"flood", "unknown link fault 'flood'"},
        {"loss", "needs either p or burst"},
        {"loss:p=1.5", "probability 1.5 is outside [0, 1]"},
        {"loss:p=-0.1", "probability -0.1 is outside [0, 1]"},
        {"loss:p=0.1,burst=0.1/0.2", "needs either p or burst"},
        {"loss:burst=0.1", "burst is P_GOOD_TO_BAD/P_BAD_TO_GOOD"},
        {"corrupt:p=nan", "p must be a number"},
        {"latency:jitter=5ms", "needs delay"},
        {"latency:delay=10ms,jitter=50ms", "jitter must not exceed delay"},
        {"latency:delay=-5ms", "negative"},
        {"latency:delay=50", "needs a unit"},
        {"latency:delay=50ms,speed=3", "unknown parameter 'speed'"},
        {"latency:delay=50ms,delay=10ms", "given twice"},
        {"bandwidth:rate=0", "the rate must be a number of bytes per second > 0"},
        {"slice:bytes=0", "slices must be 1 to 1048576 bytes"},
        {"slice:bytes=x", "bytes must be a whole number"},
        {"drop_first", "needs lines"},
        {"close_after:after=x", "close_after: after:"},
        {"blackout:dir=sideways", "dir must be to-device, from-device or both"},
        {"blackout:every=10s", "every needs for"},
        {"blackout:for=10s,every=5s", "must be longer than for"},
        {"blackout:for=0s", "for must be at least 1ms"},
        {"blackout:", "nothing after ':'"},
        {"blackout:at", "expected key=value"},
    };
    for (const auto &[text, expected] : cases) {
        QString error;
        BOOST_TEST(!hil::parseLinkFault(QString::fromLatin1(text), &error), text);
        BOOST_TEST(error.contains(QString::fromLatin1(expected)), text << " -> " << str(error));
    }
    LinkFaultSpec s;
    s.kind = Kind::Corrupt;
    s.probability = 2;
    BOOST_TEST(str(hil::validateLinkFault(s)) == "probability 2 is outside [0, 1]");
}

BOOST_AUTO_TEST_SUITE_END()
