// FaultPipeline in LinkMode::Reliable (a TCP byte stream): loss delays by retransmission timeouts and
// never drops, blackout holds the stream or resets it past its user timeout. No sockets; the real peers
// are in test_faults_tcp.cpp.

#include "core/base/clock.h"
#include "core/link/faultpipeline.h"
#include "support/eventloop.h"
#include "support/faulthelpers.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>
#include <boost/test/unit_test.hpp>
#include <vector>

using namespace faulttest;
using hil::FaultPipeline;
using hil::LinkCounters;
using hil::LinkMode;
using hiltest::waitUntil;

namespace {

struct Sink {
    explicit Sink(FaultPipeline &p) {
        QObject::connect(&p, &FaultPipeline::output, &p, [this](const QByteArray &b) {
            chunks.push_back(b);
            times.push_back(hil::monotonicNs());
            all += b;
        });
        QObject::connect(&p, &FaultPipeline::closeRequested, &p, [this](const QString &r) {
            resets.append(r);
            resetTimes.push_back(hil::monotonicNs());
        });
    }
    std::vector<QByteArray> chunks;
    std::vector<qint64> times;
    QByteArray all;
    QStringList resets;
    std::vector<qint64> resetTimes;
};

QByteArray numbered(int i) {
    return QByteArrayLiteral("<") + QByteArray::number(i) + QByteArrayLiteral(">");
}

// Lets the event loop run for a while (timers, queued calls); returns nothing, asserts nothing.
void settle(int ms) {
    const qint64 until = hil::monotonicNs() + static_cast<qint64>(ms) * 1'000'000;
    waitUntil([&] { return hil::monotonicNs() >= until; }, ms + 1000);
}

} // namespace

BOOST_AUTO_TEST_SUITE(fault_pipeline_reliable)

BOOST_AUTO_TEST_CASE(loss_delays_every_lost_chunk_and_drops_none) {
    FaultPipeline p(11, LinkMode::Reliable);
    BOOST_TEST((p.mode() == LinkMode::Reliable));
    Sink sink(p);
    p.activate(1, spec("loss:p=0.3,rto=20ms"));
    QByteArray sent;
    std::vector<qint64> pushed;
    std::vector<qint64> retransmissions; // of each chunk, drawn when it arrives
    int passedAtOnce = 0;
    bool blocked = false; // an earlier chunk is still waiting: the next one must wait behind it
    for (int i = 0; i < 200; ++i) {
        settle(2);
        blocked = p.queuedBytes() > 0;
        const qint64 before = p.counters().retransmissions;
        const std::size_t out = sink.chunks.size();
        pushed.push_back(hil::monotonicNs());
        p.push(numbered(i));
        sent += numbered(i);
        retransmissions.push_back(p.counters().retransmissions - before);
        const bool atOnce = sink.chunks.size() > out;
        // A chunk that was not lost and has nothing in front of it goes through inside push().
        if (retransmissions.back() == 0 && !blocked)
            BOOST_TEST(atOnce, "chunk " << i << " was not lost and nothing was in front of it");
        if (retransmissions.back() > 0)
            BOOST_TEST(!atOnce, "chunk " << i << " was lost but went through at once");
        passedAtOnce += atOnce ? 1 : 0;
    }
    BOOST_REQUIRE(waitUntil([&] { return sink.all.size() == sent.size(); }, 20000));
    BOOST_TEST(sink.all == sent); // every byte, in order
    const LinkCounters c = p.counters();
    BOOST_TEST(c.bytesDropped == 0);
    BOOST_TEST(c.chunksDropped == 0);
    BOOST_TEST(c.bytesOut == sent.size());
    BOOST_TEST(c.bytesDelayed > 0);
    qint64 lost = 0;
    for (const qint64 r : retransmissions)
        lost += r;
    BOOST_TEST(lost == c.retransmissions);
    // 200 chunks at p = 0.3: the number of lost transmissions is about 200·0.3/0.7 = 86.
    BOOST_TEST(lost > 40);
    BOOST_TEST(lost < 150);
    BOOST_TEST(passedAtOnce > 0);
    BOOST_TEST_MESSAGE("reliable loss p=0.3: " << lost << " retransmissions for 200 chunks, " << passedAtOnce
                                               << " passed at once");
}

BOOST_AUTO_TEST_CASE(the_timeout_doubles_with_each_consecutive_loss_of_a_chunk) {
    // Find chunks (by their retransmission count, which is drawn on arrival) that were lost 1, 2, 3 and 4
    // times in a row; each arrives no earlier than rto·(2^k - 1) after it was pushed. A constant timeout
    // would bring a chunk lost 3 times after 3·rto, not 7·rto.
    constexpr qint64 rto = 20'000'000;
    int checked = 0;
    for (quint64 seed = 1; seed < 40 && checked < 4; ++seed) {
        FaultPipeline p(seed, LinkMode::Reliable);
        Sink sink(p);
        p.activate(1, spec("loss:p=0.6,rto=20ms"));
        const qint64 t0 = hil::monotonicNs();
        p.push("x");
        const qint64 k = p.counters().retransmissions;
        if (k < 1 || k > 4)
            continue;
        BOOST_REQUIRE(waitUntil([&] { return !sink.all.isEmpty(); }, 5000));
        const qint64 expected = rto * ((qint64{1} << k) - 1);
        BOOST_TEST_MESSAGE("seed " << seed << ": lost " << k << " times, arrived after "
                                   << (sink.times[0] - t0) / 1e6 << " ms (model " << expected / 1e6
                                   << " ms)");
        BOOST_TEST(sink.times[0] - t0 >= expected, "lost " << k << " times");
        BOOST_TEST(sink.all == "x");
        ++checked;
    }
    BOOST_TEST(checked >= 3);
}

BOOST_AUTO_TEST_CASE(retransmission_draws_match_the_golden_values) {
    // The draw sequence of reliable loss (one draw per transmission, Bernoulli; two with burst): a seed
    // recorded with an earlier build gives the same retransmissions today. Changing these numbers needs a
    // note in docs/faults.md that old seeds replay differently.
    const auto draws = [](const char *fault) {
        FaultPipeline p(42, LinkMode::Reliable);
        p.activate(1, spec(fault));
        std::vector<qint64> counts;
        for (int i = 0; i < 16; ++i) {
            const qint64 before = p.counters().retransmissions;
            p.push("y");
            counts.push_back(p.counters().retransmissions - before);
        }
        p.discard();
        return counts;
    };
    const std::vector<qint64> bernoulli = draws("loss:p=0.5");
    const std::vector<qint64> burst = draws("loss:burst=0.2/0.5");
    const std::vector<qint64> goldenBernoulli = {0, 2, 0, 2, 3, 0, 0, 2, 1, 0, 0, 0, 0, 1, 2, 1};
    const std::vector<qint64> goldenBurst = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 5, 0, 1, 0};
    BOOST_TEST(bernoulli == goldenBernoulli, boost::test_tools::per_element());
    BOOST_TEST(burst == goldenBurst, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(drop_bytes_deletes_in_both_modes_and_loss_still_deletes_on_lossy_links) {
    for (const LinkMode mode : {LinkMode::Reliable, LinkMode::Lossy}) {
        FaultPipeline p(3, mode);
        Sink sink(p);
        p.activate(1, spec("drop_bytes:p=1"));
        p.push("gone");
        BOOST_TEST(sink.all.isEmpty());
        BOOST_TEST(p.counters().bytesDropped == 4);
        BOOST_TEST(p.queuedBytes() == 0);
        p.deactivate(1);
    }
    FaultPipeline lossy(3, LinkMode::Lossy);
    Sink sink(lossy);
    lossy.activate(1, spec("loss:p=1"));
    lossy.push("gone");
    BOOST_TEST(lossy.counters().bytesDropped == 4);
    BOOST_TEST(lossy.counters().retransmissions == 0);
}

BOOST_AUTO_TEST_CASE(a_chunk_lost_16_times_resets_after_its_timeouts_capped_at_rto_max) {
    // The original and Linux's 15 retransmissions all lost: the connection is given up when the last
    // timeout ends. The timeout doubles from rto and stops at rto_max: 1 + 2 + 4 + 8 + 12 x 10 = 135 ms.
    // (Uncapped it would be 2^16 - 1 ms, 65.5 s.) Nothing behind the lost chunk gets through.
    FaultPipeline p(5, LinkMode::Reliable);
    Sink sink(p);
    const qint64 t0 = hil::monotonicNs();
    p.activate(1, spec("loss:p=1,rto=1ms,rto_max=10ms"));
    p.push("lost");
    BOOST_TEST(p.counters().retransmissions == 16);
    p.deactivate(1); // the fault is gone, but the chunk's fate was drawn when it arrived
    p.push("behind");
    BOOST_REQUIRE(waitUntil([&] { return !sink.resets.isEmpty(); }, 3000));
    BOOST_TEST(sink.resetTimes[0] - t0 >= 135'000'000);
    BOOST_TEST(str(sink.resets[0])
               == "reset: a chunk was lost 16 times (retransmissions gave up after 135ms)");
    BOOST_TEST(sink.all.isEmpty());
    settle(50);
    BOOST_TEST(sink.resets.size() == 1);
    BOOST_TEST(sink.all.isEmpty());

    // 15 losses are not enough: a chunk lost 15 times and then sent arrives, late, after 1+2+4+8+11x10 ms.
    for (quint64 seed = 1; seed < 2000; ++seed) {
        FaultPipeline q(seed, LinkMode::Reliable);
        q.activate(1, spec("loss:p=0.97,rto=1ms,rto_max=10ms"));
        q.push("z");
        if (q.counters().retransmissions != 15) {
            q.discard();
            continue;
        }
        Sink qs(q);
        BOOST_REQUIRE(waitUntil([&] { return !qs.all.isEmpty(); }, 3000));
        BOOST_TEST(qs.all == "z");
        BOOST_TEST(qs.resets.isEmpty());
        return;
    }
    BOOST_FAIL("no seed below 2000 lost a chunk exactly 15 times");
}

BOOST_AUTO_TEST_CASE(blackout_holds_the_stream_and_delivers_it_in_order_when_it_ends) {
    FaultPipeline p(1, LinkMode::Reliable);
    Sink sink(p);
    bool drained = false;
    QObject::connect(&p, &FaultPipeline::drained, &p, [&] { drained = true; });
    p.activate(1, spec("latency:delay=20ms"));
    p.push("early,"); // in the latency queue when the blackout starts: held too
    p.activate(2, spec("blackout"));
    p.push("during,");
    p.push("the,");
    settle(100);
    BOOST_TEST(sink.all.isEmpty());
    BOOST_TEST(p.queuedBytes() == 17);
    BOOST_TEST(sink.resets.isEmpty());
    const LinkCounters w = p.deactivate(2);
    BOOST_TEST(sink.all == "early,during,the,"); // from inside deactivate(), in order
    BOOST_TEST(drained);
    BOOST_TEST(w.bytesDropped == 0);
    p.push("after");
    BOOST_REQUIRE(waitUntil([&] { return sink.all.endsWith("after"); }, 2000));
    BOOST_TEST(p.counters().bytesDropped == 0);
    BOOST_TEST(p.counters().bytesOut == 22);
}

BOOST_AUTO_TEST_CASE(blackout_longer_than_its_user_timeout_resets_the_connection) {
    FaultPipeline p(1, LinkMode::Reliable);
    Sink sink(p);
    const qint64 t0 = hil::monotonicNs();
    p.activate(1, spec("blackout:user_timeout=80ms"));
    p.push("held");
    BOOST_REQUIRE(waitUntil([&] { return !sink.resets.isEmpty(); }, 3000));
    BOOST_TEST(str(sink.resets[0]) == "reset: blackout outlasted user timeout 80ms");
    BOOST_TEST(sink.resetTimes[0] - t0 >= 80'000'000);
    BOOST_TEST(sink.all.isEmpty());
    settle(200);
    BOOST_TEST(sink.resets.size() == 1); // once per connection

    // The owner reconnects: the timeout counts again from the new connection.
    p.discard();
    const qint64 t1 = hil::monotonicNs();
    p.connectionStarted();
    BOOST_REQUIRE(waitUntil([&] { return sink.resets.size() == 2; }, 3000));
    BOOST_TEST(sink.resetTimes[1] - t1 >= 80'000'000);

    // A blackout that ends before its user timeout resets nothing.
    FaultPipeline q(1, LinkMode::Reliable);
    Sink qs(q);
    q.activate(1, spec("blackout:user_timeout=100ms"));
    q.push("kept");
    q.deactivate(1);
    settle(250);
    BOOST_TEST(qs.resets.isEmpty());
    BOOST_TEST(qs.all == "kept");
}

BOOST_AUTO_TEST_CASE(a_lossy_blackout_still_deletes) {
    FaultPipeline p(1, LinkMode::Lossy);
    Sink sink(p);
    p.activate(1, spec("blackout:user_timeout=50ms"));
    p.push("gone");
    settle(150);
    BOOST_TEST(sink.resets.isEmpty()); // no TCP below: nothing to reset
    p.deactivate(1);
    BOOST_TEST(sink.all.isEmpty());
    BOOST_TEST(p.counters().bytesDropped == 4);
}

BOOST_AUTO_TEST_SUITE_END()
