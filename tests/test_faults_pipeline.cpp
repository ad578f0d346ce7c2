// FaultPipeline on its own: exact checks of each fault and of their composition, no sockets.

#include "core/base/clock.h"
#include "core/link/faultpipeline.h"
#include "support/eventloop.h"
#include "support/faulthelpers.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>
#include <algorithm>
#include <bit>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <numeric>
#include <vector>

using namespace faulttest;
using hil::FaultPipeline;
using hil::LinkCounters;
using hil::LinkFaultSpec;
using hiltest::waitUntil;
using namespace std::chrono_literals;

namespace {

// Collects what a pipeline puts out, with the time of each chunk.
struct Sink {
    explicit Sink(FaultPipeline &p) {
        QObject::connect(&p, &FaultPipeline::output, &p, [this](const QByteArray &b) {
            chunks.push_back(b);
            times.push_back(hil::monotonicNs());
            all += b;
        });
    }
    std::vector<QByteArray> chunks;
    std::vector<qint64> times;
    QByteArray all;
};

} // namespace

BOOST_AUTO_TEST_SUITE(fault_pipeline)

BOOST_AUTO_TEST_CASE(without_faults_bytes_pass_at_once) {
    FaultPipeline p(1);
    Sink sink(p);
    p.push("abc");
    p.push({});
    p.push("def");
    BOOST_TEST(sink.chunks.size() == 2U); // synchronously, from inside push(); empty pushes ignored
    BOOST_TEST(sink.all == "abcdef");
    const LinkCounters c = p.counters();
    BOOST_TEST(c.bytesIn == 6);
    BOOST_TEST(c.bytesOut == 6);
    BOOST_TEST(c.chunksIn == 2);
    BOOST_TEST(c.bytesDropped == 0);
    p.resetCounters();
    BOOST_TEST((p.counters() == LinkCounters{}));
}

BOOST_AUTO_TEST_CASE(loss_rate_lies_in_the_binomial_interval) {
    constexpr int n = 5000;
    constexpr double prob = 0.1;
    // 99.9 % two-sided: z = 3.29; n·p = 500 is large enough for the normal approximation.
    const double sigma = std::sqrt(n * prob * (1 - prob));
    const double lo = n * prob - 3.29 * sigma;
    const double hi = n * prob + 3.29 * sigma;
    for (const quint64 seed : {1ULL, 2ULL, 42ULL, 0xdeadbeefULL}) {
        FaultPipeline p(seed);
        Sink sink(p);
        p.activate(1, spec("loss:p=0.1"));
        for (int i = 0; i < n; ++i)
            p.push(QByteArray(10, 'x'));
        const auto lost = static_cast<double>(n - static_cast<int>(sink.chunks.size()));
        BOOST_TEST_MESSAGE("loss p=0.1, seed " << seed << ": " << lost << " of " << n << " chunks lost ("
                                               << lost / n << "), 99.9 % interval [" << lo << ", " << hi
                                               << "]");
        BOOST_TEST(lost >= lo);
        BOOST_TEST(lost <= hi);
        BOOST_TEST(p.counters().chunksDropped == static_cast<qint64>(lost));
        BOOST_TEST(p.counters().bytesDropped == static_cast<qint64>(lost) * 10);
        BOOST_TEST(p.counters().bytesIn == p.counters().bytesOut + p.counters().bytesDropped);
    }
}

BOOST_AUTO_TEST_CASE(burst_loss_follows_the_gilbert_elliott_model) {
    // Good->bad 0.05, bad->good 0.3, everything lost in bad: bursts of 1/0.3 = 3.33 chunks on average,
    // a stationary loss of 0.05 / (0.05 + 0.3) = 0.143.
    constexpr int n = 40000;
    FaultPipeline p(7);
    std::vector<bool> lost;
    int delivered = 0;
    QObject::connect(&p, &FaultPipeline::output, &p, [&](const QByteArray &) { ++delivered; });
    p.activate(1, spec("loss:burst=0.05/0.3"));
    for (int i = 0; i < n; ++i) {
        const int before = delivered;
        p.push("x");
        lost.push_back(delivered == before);
    }
    std::vector<int> bursts;
    int run = 0;
    for (const bool l : lost) {
        if (l) {
            ++run;
        } else if (run > 0) {
            bursts.push_back(run);
            run = 0;
        }
    }
    const double meanBurst = static_cast<double>(std::accumulate(bursts.begin(), bursts.end(), 0))
                             / static_cast<double>(bursts.size());
    const double rate = static_cast<double>(std::count(lost.begin(), lost.end(), true)) / n;
    BOOST_TEST_MESSAGE("burst loss 0.05/0.3: " << bursts.size() << " bursts, mean length " << meanBurst
                                               << " (expected 3.33), loss rate " << rate
                                               << " (expected 0.143)");
    // About 1700 bursts with a geometric length (sd 2.8): the mean's standard error is about 0.07.
    BOOST_TEST(std::abs(meanBurst - 1 / 0.3) < 0.3);
    BOOST_TEST(std::abs(rate - 0.05 / 0.35) < 0.015);
}

BOOST_AUTO_TEST_CASE(corruption_is_the_same_for_a_seed_however_the_bytes_are_chunked) {
    const QByteArray input = pseudoRandomBytes(64 * 1024, 3);
    const auto corrupted = [&](quint64 seed, const std::vector<qsizetype> &cuts, LinkCounters *counters) {
        FaultPipeline p(seed);
        Sink sink(p);
        p.activate(5, spec("corrupt:p=0.001"));
        qsizetype pos = 0;
        std::size_t k = 0;
        while (pos < input.size()) {
            const qsizetype n =
                cuts.empty() ? input.size() : std::min(cuts[k++ % cuts.size()], input.size() - pos);
            p.push(input.mid(pos, n));
            pos += n;
        }
        if (counters)
            *counters = p.counters();
        return sink.all;
    };
    LinkCounters c;
    const QByteArray whole = corrupted(11, {}, &c);
    const QByteArray bytewise = corrupted(11, {1}, nullptr);
    const QByteArray ragged = corrupted(11, {7, 1, 300, 4096, 13}, nullptr);
    const QByteArray otherSeed = corrupted(12, {}, nullptr);
    BOOST_TEST(whole.size() == input.size());
    BOOST_TEST((whole == bytewise));
    BOOST_TEST((whole == ragged));
    BOOST_TEST((whole != otherSeed));
    BOOST_TEST((whole == corrupted(11, {}, nullptr)));

    qint64 bits = 0;
    qint64 bytes = 0;
    for (qsizetype i = 0; i < input.size(); ++i) {
        const auto x = static_cast<unsigned char>(input[i] ^ whole[i]);
        bits += std::popcount(x);
        bytes += x != 0;
    }
    BOOST_TEST(c.bitsFlipped == bits);
    BOOST_TEST(c.bytesCorrupted == bytes);
    // 524288 bits at 1e-3: 524 expected, 99.9 % interval about ±75.
    BOOST_TEST_MESSAGE("corrupt p=1e-3 over 64 KiB: " << bits << " bits flipped (expected 524) in " << bytes
                                                      << " bytes");
    BOOST_TEST(std::abs(static_cast<double>(bits) - 524.288) < 3.29 * std::sqrt(524.288));
}

BOOST_AUTO_TEST_CASE(loss_decisions_are_the_same_for_a_seed) {
    const auto pattern = [](quint64 seed) {
        FaultPipeline p(seed);
        QByteArray out;
        QObject::connect(&p, &FaultPipeline::output, &p, [&](const QByteArray &b) { out += b; });
        p.activate(3, spec("loss:p=0.3"));
        for (int i = 0; i < 2000; ++i)
            p.push(QByteArray::number(i) + ';');
        return out;
    };
    BOOST_TEST((pattern(99) == pattern(99)));
    BOOST_TEST((pattern(99) != pattern(100)));
    // The same id activated again draws afresh, but a replayed sequence of activations repeats exactly.
    const auto twoWindows = [](quint64 seed) {
        FaultPipeline p(seed);
        QByteArray out;
        QObject::connect(&p, &FaultPipeline::output, &p, [&](const QByteArray &b) { out += b; });
        for (int w = 0; w < 2; ++w) {
            p.activate(3, spec("loss:p=0.5"));
            for (int i = 0; i < 200; ++i)
                p.push(QByteArray::number(i) + ';');
            p.deactivate(3);
            out += '|';
        }
        return out;
    };
    const QByteArray a = twoWindows(5);
    BOOST_TEST((a == twoWindows(5)));
    const QList<QByteArray> windows = a.split('|');
    BOOST_TEST((windows[0] != windows[1]));
}

BOOST_AUTO_TEST_CASE(corrupt_at_zero_and_one) {
    const QByteArray input = pseudoRandomBytes(1000, 9);
    {
        FaultPipeline p(1);
        Sink sink(p);
        p.activate(1, spec("corrupt:p=0"));
        p.push(input);
        BOOST_TEST((sink.all == input));
        BOOST_TEST(p.counters().bitsFlipped == 0);
        BOOST_TEST(p.counters().bytesCorrupted == 0);
    }
    {
        FaultPipeline p(1);
        Sink sink(p);
        p.activate(1, spec("corrupt:p=1"));
        p.push(input.left(10));
        p.push(input.mid(10));
        QByteArray inverted = input;
        for (char &c : inverted)
            c = static_cast<char>(~static_cast<unsigned char>(c));
        BOOST_TEST((sink.all == inverted));
        BOOST_TEST(p.counters().bitsFlipped == 8000);
        BOOST_TEST(p.counters().bytesCorrupted == 1000);
    }
}

BOOST_AUTO_TEST_CASE(latency_with_jitter_keeps_byte_order) {
    FaultPipeline p(4);
    Sink sink(p);
    p.activate(1, spec("latency:delay=20ms,jitter=15ms"));
    QByteArray sent;
    std::vector<qint64> pushedAt;
    int i = 0;
    QTimer pusher;
    pusher.setTimerType(Qt::PreciseTimer);
    QObject::connect(&pusher, &QTimer::timeout, &pusher, [&] {
        const QByteArray chunk = QByteArray::number(i++) + ',';
        sent += chunk;
        pushedAt.push_back(hil::monotonicNs());
        p.push(chunk);
        if (i == 60)
            pusher.stop();
    });
    pusher.start(1);
    BOOST_REQUIRE(waitUntil([&] { return sink.all.size() == sent.size() && i == 60; }, 5000));
    BOOST_TEST((sink.all == sent));
    BOOST_TEST(sink.chunks.size() == 60U);
    // Never earlier than delay - jitter after its push.
    for (std::size_t k = 0; k < sink.chunks.size(); ++k)
        BOOST_TEST(sink.times[k] - pushedAt[k] >= 5'000'000);
    BOOST_TEST(p.counters().bytesDelayed > 0);
    BOOST_TEST(p.queuedBytes() == 0);
}

BOOST_AUTO_TEST_CASE(slice_cuts_chunks_into_spaced_pieces) {
    {
        FaultPipeline p(1);
        Sink sink(p);
        p.activate(1, spec("slice:bytes=1"));
        p.push("abc");
        BOOST_TEST(sink.chunks.size() == 3U); // no delay: all at once, as separate pieces
        BOOST_TEST(sink.all == "abc");
    }
    FaultPipeline p(1);
    Sink sink(p);
    p.activate(1, spec("slice:bytes=2,delay=5ms"));
    p.push("hello");
    BOOST_TEST(sink.chunks.size() == 1U); // the first piece goes at once
    BOOST_REQUIRE(waitUntil([&] { return sink.all.size() == 5; }, 2000));
    BOOST_TEST(sink.chunks.size() == 3U);
    BOOST_TEST(sink.chunks[0] == "he");
    BOOST_TEST(sink.chunks[1] == "ll");
    BOOST_TEST(sink.chunks[2] == "o");
    // Pieces are due 5 ms apart from the first (a late timer delays one piece, not the schedule).
    for (std::size_t k = 1; k < sink.times.size(); ++k)
        BOOST_TEST(sink.times[k] - sink.times[0] >= static_cast<qint64>(k) * 5'000'000 - 200'000);
    BOOST_TEST(p.counters().bytesDelayed == 3);
}

BOOST_AUTO_TEST_CASE(drop_first_counts_lines_across_chunks) {
    FaultPipeline p(1);
    Sink sink(p);
    p.setTerminator("\r\n");
    p.activate(1, spec("drop_first:lines=2"));
    p.push("a\r");
    p.push("\nb\r\r");
    p.push("\nc\r\nd");
    BOOST_TEST(sink.all == "c\r\nd");
    BOOST_TEST(p.counters().bytesDropped == 7);  // "a\r\n" and "b\r\r\n"
    BOOST_TEST(p.counters().chunksDropped == 2); // "a\r" and "\nb\r\r" went whole
    p.push("e\r\n");
    BOOST_TEST(sink.all == "c\r\nde\r\n");
}

BOOST_AUTO_TEST_CASE(composition_follows_the_documented_order) {
    // drop_first before corrupt (the dropped line is not corrupted), corrupt before latency.
    FaultPipeline p(1);
    Sink sink(p);
    p.activate(3, spec("latency:delay=10ms"));
    p.activate(2, spec("corrupt:p=1"));
    p.activate(1, spec("drop_first:lines=1"));
    const qint64 t0 = hil::monotonicNs();
    p.push("skip\nabc");
    BOOST_TEST(sink.all.isEmpty());
    BOOST_REQUIRE(waitUntil([&] { return !sink.all.isEmpty(); }, 2000));
    BOOST_TEST(sink.times[0] - t0 >= 10'000'000);
    BOOST_TEST((sink.all == QByteArray("\x9e\x9d\x9c", 3)));
    BOOST_TEST(p.counters().bytesCorrupted == 3);
    BOOST_TEST(p.counters().bytesDropped == 5);

    // loss before corrupt: a lost chunk is never corrupted.
    FaultPipeline q(1);
    q.activate(2, spec("corrupt:p=1"));
    q.activate(1, spec("loss:p=1"));
    q.push("abc");
    BOOST_TEST(q.counters().bitsFlipped == 0);
    BOOST_TEST(q.counters().chunksDropped == 1);
}

BOOST_AUTO_TEST_CASE(blackout_also_drops_bytes_leaving_a_queue) {
    FaultPipeline p(1);
    Sink sink(p);
    p.activate(1, spec("latency:delay=30ms"));
    p.push("early");
    p.activate(2, spec("blackout"));
    p.push("during");
    BOOST_TEST(waitUntil([&] { return p.queuedBytes() == 0; }, 2000));
    BOOST_TEST(sink.all.isEmpty()); // "early" was due inside the blackout
    BOOST_TEST(p.counters().bytesDropped == 11);
    p.deactivate(2);
    p.push("after");
    BOOST_REQUIRE(waitUntil([&] { return !sink.all.isEmpty(); }, 2000));
    BOOST_TEST(sink.all == "after");
}

BOOST_AUTO_TEST_CASE(deactivated_latency_lets_queued_bytes_go_as_scheduled) {
    FaultPipeline p(1);
    Sink sink(p);
    bool drained = false;
    QObject::connect(&p, &FaultPipeline::drained, &p, [&] { drained = true; });
    p.activate(1, spec("latency:delay=40ms"));
    const qint64 t0 = hil::monotonicNs();
    p.push("first,");
    p.deactivate(1);
    p.push("second"); // must not overtake
    BOOST_TEST(sink.all.isEmpty());
    BOOST_REQUIRE(waitUntil([&] { return sink.all.size() == 12; }, 2000));
    BOOST_TEST(sink.all == "first,second");
    BOOST_TEST(sink.times[0] - t0 >= 40'000'000);
    BOOST_TEST(drained);
    BOOST_TEST(p.counters().bytesDropped == 0);
    BOOST_TEST(p.activeIds().isEmpty());
    p.push("third");
    BOOST_TEST(sink.all == "first,secondthird"); // back to passing at once
}

BOOST_AUTO_TEST_CASE(bandwidth_paces_a_large_chunk) {
    FaultPipeline p(1);
    Sink sink(p);
    p.activate(1, spec("bandwidth:rate=20000"));
    const QByteArray data = pseudoRandomBytes(10000, 1);
    const qint64 t0 = hil::monotonicNs();
    p.push(data);
    BOOST_REQUIRE(waitUntil([&] { return sink.all.size() == data.size(); }, 3000));
    BOOST_TEST((sink.all == data));
    const double seconds = static_cast<double>(sink.times.back() - t0) / 1e9;
    BOOST_TEST_MESSAGE("bandwidth 20000 B/s, pipeline only: 10000 B in " << seconds << " s");
    BOOST_TEST(std::abs(seconds - 0.5) < 0.5 * 0.05);
    BOOST_TEST(sink.chunks.size() == 50U); // 200-byte pieces, 10 ms of traffic each
}

BOOST_AUTO_TEST_CASE(counters_per_fault_window) {
    FaultPipeline p(1);
    p.push(QByteArray(100, 'a'));
    p.activate(1, spec("loss:p=1"));
    p.push(QByteArray(50, 'b'));
    p.activate(2, spec("corrupt:p=1"));
    BOOST_TEST(p.windowCounters(1).bytesIn == 50);
    p.push(QByteArray(20, 'c')); // lost before corruption
    const LinkCounters w2 = p.deactivate(2);
    const LinkCounters w1 = p.deactivate(1);
    BOOST_TEST(w1.bytesIn == 70);
    BOOST_TEST(w1.bytesDropped == 70);
    BOOST_TEST(w1.chunksDropped == 2);
    BOOST_TEST(w2.bytesIn == 20);
    BOOST_TEST(w2.bitsFlipped == 0);
    BOOST_TEST(p.counters().bytesIn == 170);
    BOOST_TEST(p.counters().bytesOut == 100);
    BOOST_TEST((p.deactivate(1) == LinkCounters{}));
}

BOOST_AUTO_TEST_CASE(close_after_and_disconnect_request_a_close) {
    FaultPipeline p(1);
    QStringList reasons;
    std::vector<qint64> at;
    QObject::connect(&p, &FaultPipeline::closeRequested, &p, [&](const QString &r) {
        reasons.append(r);
        at.push_back(hil::monotonicNs());
    });
    p.activate(1, spec("disconnect"));
    BOOST_TEST(reasons.size() == 1);
    BOOST_TEST(p.refusesConnections());
    p.push("x");
    BOOST_TEST(p.counters().bytesDropped == 1);
    p.deactivate(1);
    BOOST_TEST(!p.refusesConnections());

    const qint64 t0 = hil::monotonicNs();
    p.activate(2, spec("close_after:after=100ms"));
    BOOST_REQUIRE(waitUntil([&] { return reasons.size() == 2; }, 2000));
    BOOST_TEST(str(reasons[1]) == "close_after fault (100ms)");
    BOOST_TEST(at[1] - t0 >= 100'000'000);
    BOOST_TEST(at[1] - t0 < 150'000'000);
}

BOOST_AUTO_TEST_SUITE_END()
