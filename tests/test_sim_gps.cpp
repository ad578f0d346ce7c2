// The GPS-1 on fake time: sentences on their deadlines with their checksums, and its commands (stop,
// rate, corrupt).

#include "gpsprotocol.h"
#include "support/simhelpers.h"

#include <QByteArrayList>
#include <boost/test/unit_test.hpp>

using namespace hilsim;
using namespace simtest;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

namespace {

// The NMEA checksum, computed here rather than by the model under test.
bool checksumOk(const QByteArray &line) {
    const qsizetype star = line.lastIndexOf('*');
    if (!line.startsWith('$') || star < 0)
        return false;
    quint8 x = 0;
    for (const char c : line.mid(1, star - 1))
        x ^= static_cast<quint8>(c);
    bool ok = false;
    return line.mid(star + 1).toUInt(&ok, 16) == x && ok;
}

QByteArrayList lines(const QByteArray &out) {
    QByteArrayList l = out.split('\n');
    if (!l.isEmpty() && l.last().isEmpty())
        l.removeLast();
    return l;
}

} // namespace

BOOST_AUTO_TEST_SUITE(gps_model)

BOOST_AUTO_TEST_CASE(sends_a_fix_per_period_with_checksums) {
    GpsProtocol gps(GpsConfig{});
    const QByteArrayList first = lines(gps.tick(0ns));
    BOOST_REQUIRE(first.size() == 2);
    BOOST_TEST(first[0].startsWith("$GPGGA,120000.00,"));
    BOOST_TEST(first[1].startsWith("$GPRMC,120000.00,"));
    BOOST_TEST(gps.nextDeadline()->count() == nanoseconds(100ms).count());
    const QByteArrayList next = lines(gps.tick(999ms)); // fixes 1..9, all at once for a late caller
    BOOST_REQUIRE(next.size() == 18);
    BOOST_TEST(next[16].startsWith("$GPGGA,120000.90,"));
    for (const QByteArray &l : first + next)
        BOOST_TEST(checksumOk(l), l.toStdString());
    BOOST_TEST(gps.fixesSent() == 10u);
    BOOST_TEST(str(lines(gps.feed("*IDN?\n", 999ms)).join('|')) == "ACME,GPS-1,GP0001,3.0.1");
}

BOOST_AUTO_TEST_CASE(corrupts_exactly_the_sentences_it_is_told_to) {
    GpsProtocol gps(GpsConfig{});
    gps.tick(0ns);
    BOOST_TEST((lines(gps.feed("CORRUPT 3\n", 50ms)) == QByteArrayList{"OK"}));
    const QByteArrayList after = lines(gps.tick(1s));
    BOOST_REQUIRE(after.size() == 20);
    int bad = 0;
    for (qsizetype i = 0; i < after.size(); ++i) {
        if (!checksumOk(after[i])) {
            ++bad;
            BOOST_TEST(i < 3); // the next three
        }
    }
    BOOST_TEST(bad == 3);
    BOOST_TEST(gps.corruptedSent() == 3u);
}

BOOST_AUTO_TEST_CASE(stops_restarts_and_changes_rate) {
    GpsProtocol gps(GpsConfig{});
    gps.tick(0ns);
    BOOST_TEST((lines(gps.feed("stream off\n", 10ms)) == QByteArrayList{"OK"}));
    BOOST_TEST(!gps.nextDeadline());
    BOOST_TEST(gps.tick(10s).isEmpty());
    BOOST_TEST((lines(gps.feed("RATE 20\n", 10s)) == QByteArrayList{"OK"}));
    BOOST_TEST((lines(gps.feed("RATE?\n", 10s)) == QByteArrayList{"RATE 20"}));
    BOOST_TEST((lines(gps.feed("RATE 0\n", 10s)) == QByteArrayList{"ERR range"}));
    BOOST_TEST((lines(gps.feed("STREAM ON\n", 10s)) == QByteArrayList{"OK"}));
    BOOST_TEST(gps.tick(10s + 49ms).isEmpty());
    BOOST_TEST(lines(gps.tick(11s)).size() == 40); // 20 fixes in the second after STREAM ON
    BOOST_TEST((lines(gps.feed("FIX?\n", 11s)) == QByteArrayList{"ERR unknown command"}));
}

BOOST_AUTO_TEST_SUITE_END()
