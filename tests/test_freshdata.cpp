// Fresh data from streaming devices: input a device sent before the run (or before a step began) is never
// taken for the step's answer unless the scenario says it may; a row never ends before it starts; an
// expect-only step's latency is from its start to the arrival of its line; and a lost stream in an
// expect-only loop records one ERROR per bound, not a flood. Against the real `hil`, a Python NMEA talker
// on a pseudo-terminal (which buffers what it writes while nobody reads) and the `hil-sim gps` model.
#define BOOST_TEST_MODULE freshdata
#include "support/harness.h"
#include "support/nmeatalker.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <memory>

using namespace hiltest;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

QStringList runArgs(const Workspace &ws, const char *fixture) {
    return {QStringLiteral("run"),    ws.path("fresh.yaml"),  QStringLiteral("--fixture"),
            ws.path(fixture),         QStringLiteral("--db"), ws.db(),
            QStringLiteral("--quiet")};
}

// The talker's sentence number in a row's response; -1 if it is not one of its sentences.
qint64 sentence(const QByteArray &response) {
    static const QRegularExpression gga(QStringLiteral("^\\$GPGGA,([0-9]{6})\\.([0-9]),"));
    const QRegularExpressionMatch m = gga.match(QString::fromLatin1(response));
    return m.hasMatch() ? m.captured(1).toLongLong() * 10 + m.captured(2).toLongLong() - 123519 : -1;
}

// Every row of the run: it ends at or after it starts.
void checkRowsEndAfterStart(const Database &db) {
    BOOST_TEST(db.count("SELECT count(*) FROM step_results") > 0);
    const auto bad = db.rows("SELECT step, start_ns, end_ns FROM step_results WHERE end_ns < start_ns");
    BOOST_REQUIRE(bad);
    for (const Database::Row &row : *bad)
        BOOST_TEST_ERROR("row of '" << str(row.value(0)) << "' ends at " << row.value(2).toLongLong()
                                    << " before its start " << row.value(1).toLongLong());
}

} // namespace

BOOST_AUTO_TEST_SUITE(stale)

// ~3 s of sentences wait in the terminal before the run: with the default (`stale: flush`) none of them is
// any step's answer, every row ends after it starts, and an expect-only step's latency is its line's
// arrival minus its start, exactly.
BOOST_AUTO_TEST_CASE(lines_buffered_before_the_run_are_flushed_by_default) {
    if (!haveNmeaTalker())
        return;
    Workspace ws;
    NmeaTalker talker(ws, {QStringLiteral("--rate"), QStringLiteral("10")});
    const qint64 buffered = talker.waitBuffered(25);
    BOOST_TEST_REQUIRE(buffered >= 25);
    writeTalkerBench(ws, talker);
    ws.write("fresh.yaml", QStringLiteral("name: fresh\nsteps:\n"
                                          "  - name: fix\n"
                                          "    repeat: {count: 5}\n"
                                          "    expect: {from: gps, match: '^\\$GPGGA,', within: 2s}\n"));
    const HilResult r = runHil(runArgs(ws, "talker.yaml"), ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    const auto rows = db.rows("SELECT response, start_ns, end_ns, latency_ns FROM step_results WHERE step = "
                              "'fix' ORDER BY repetition");
    BOOST_REQUIRE(rows);
    BOOST_TEST_REQUIRE(rows->size() == 5);
    qint64 previous = -1;
    for (const Database::Row &row : *rows) {
        const qint64 n = sentence(row.value(0).toByteArray());
        BOOST_TEST_CONTEXT("sentence " << n) {
            // Sentences 0 .. buffered-1 were written before hil started: none may be an answer.
            BOOST_TEST(n >= buffered);
            BOOST_TEST(n > previous);
            const qint64 start = row.value(1).toLongLong();
            const qint64 end = row.value(2).toLongLong();
            BOOST_TEST(end >= start);
            BOOST_REQUIRE(!row.value(3).isNull());
            BOOST_TEST(row.value(3).toLongLong() == end - start);
        }
        previous = n;
    }
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'stale-data'") == 0);
    checkRowsEndAfterStart(db);
}

// `stale: keep`: the buffered sentences are kept and recorded as stale (an event at the first one's
// arrival); an expect with `stale: accept` takes the oldest at once (no latency, its row ends where it
// starts, an event with its arrival); the next expect-only step passes over the rest and takes a fresh one.
BOOST_AUTO_TEST_CASE(keep_records_stale_lines_with_their_arrival_time) {
    if (!haveNmeaTalker())
        return;
    Workspace ws;
    NmeaTalker talker(ws, {QStringLiteral("--rate"), QStringLiteral("10")});
    const qint64 buffered = talker.waitBuffered(25);
    BOOST_TEST_REQUIRE(buffered >= 25);
    writeTalkerBench(ws, talker, QStringLiteral("    stale: keep\n"));
    ws.write("fresh.yaml",
             QStringLiteral("name: fresh\nsteps:\n"
                            "  - name: old\n"
                            "    expect: {from: gps, match: '^\\$GPGGA,', within: 2s, stale: accept}\n"
                            "  - name: new\n"
                            "    expect: {from: gps, match: '^\\$GPGGA,', within: 2s}\n"));
    const HilResult r = runHil(runArgs(ws, "talker.yaml"), ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());

    const auto old =
        db.rows("SELECT response, start_ns, end_ns, latency_ns FROM step_results WHERE step = 'old'");
    BOOST_REQUIRE(old);
    BOOST_REQUIRE(old->size() == 1);
    const Database::Row &o = old->first();
    BOOST_TEST(sentence(o.value(0).toByteArray()) == 0);
    BOOST_TEST(o.value(1).toLongLong() == o.value(2).toLongLong());
    BOOST_TEST(o.value(3).isNull());

    // Kept before the run: one event, at the arrival of the first, naming how many came.
    const auto before = db.rows(
        "SELECT t_ns, detail FROM events WHERE kind = 'stale-data' AND device = 'gps' AND detail LIKE "
        "'% line(s) received before the run, kept as stale%'");
    BOOST_REQUIRE(before);
    BOOST_REQUIRE(before->size() == 1);
    BOOST_TEST(before->first().value(0).toLongLong() <= o.value(1).toLongLong());
    static const QRegularExpression count(QStringLiteral("^([0-9]+) line"));
    const QRegularExpressionMatch m = count.match(before->first().value(1).toString());
    BOOST_REQUIRE(m.hasMatch());
    BOOST_TEST(m.captured(1).toLongLong() >= buffered);
    // The stale answer taken: an event at its arrival, before the step began.
    const auto taken =
        db.rows("SELECT t_ns FROM events WHERE kind = 'stale-data' AND detail LIKE 'old: took a "
                "stale answer (stale: accept) that arrived %'");
    BOOST_REQUIRE(taken);
    BOOST_REQUIRE(taken->size() == 1);
    BOOST_TEST(taken->first().value(0).toLongLong() <= o.value(1).toLongLong());

    const auto fresh =
        db.rows("SELECT response, start_ns, end_ns, latency_ns FROM step_results WHERE step = 'new'");
    BOOST_REQUIRE(fresh);
    BOOST_REQUIRE(fresh->size() == 1);
    const Database::Row &f = fresh->first();
    BOOST_TEST(sentence(f.value(0).toByteArray()) >= buffered);
    BOOST_TEST(f.value(2).toLongLong() >= f.value(1).toLongLong());
    BOOST_TEST(f.value(3).toLongLong() == f.value(2).toLongLong() - f.value(1).toLongLong());
    // The step after `old` began where it ended.
    BOOST_TEST(f.value(1).toLongLong() >= o.value(2).toLongLong());
    checkRowsEndAfterStart(db);
}

// Without `stale: accept`, a kept stale line is no answer: an expect that only stale lines could satisfy
// times out, and says so.
BOOST_AUTO_TEST_CASE(a_timeout_says_stale_lines_were_passed_over) {
    if (!haveNmeaTalker())
        return;
    Workspace ws;
    // A talker that stops after 1 s: the terminal holds only old sentences.
    NmeaTalker talker(ws, {QStringLiteral("--rate"), QStringLiteral("10"), QStringLiteral("--stop-after"),
                           QStringLiteral("1")});
    // Sentences 0..9 (written before 1 s): all of them waiting means nothing more comes.
    const qint64 buffered = talker.waitBuffered(10);
    BOOST_TEST_REQUIRE(buffered == 10);
    writeTalkerBench(ws, talker, QStringLiteral("    stale: keep\n"));
    ws.write("fresh.yaml", QStringLiteral("name: fresh\nsteps:\n"
                                          "  - name: fix\n"
                                          "    expect: {from: gps, match: '^\\$GPGGA,', within: 500ms}\n"));
    const HilResult r = runHil(runArgs(ws, "talker.yaml"), ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitCode == 1, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    const QString message = db.value("SELECT message FROM step_results WHERE step = 'fix'").toString();
    static const QRegularExpression passed(
        QStringLiteral("^timeout: no answer matching .*; ([0-9]+) stale line\\(s\\) that arrived before the "
                       "step began were passed over"));
    const QRegularExpressionMatch m = passed.match(message);
    BOOST_TEST_REQUIRE(m.hasMatch(), str(message));
    BOOST_TEST(m.captured(1).toLongLong() >= buffered);
    checkRowsEndAfterStart(db);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(streaming_run)

// The gps simulator streaming at 10 Hz under a stream window, a periodic expect-only poll and a chained
// one: every row ends at or after its start, and each expect-only latency is its row's span.
BOOST_AUTO_TEST_CASE(rows_end_after_they_start_and_latency_is_from_the_start) {
    Workspace ws;
    ws.write("fresh.yaml", QStringLiteral("name: fresh\nsteps:\n"
                                          "  - name: watch\n"
                                          "    stream: {for: 1s, match: '^\\$GPGGA,', skip_unmatched: true}\n"
                                          "  - name: poll\n"
                                          "    repeat: {for: 2s, every: 250ms}\n"
                                          "    expect: {match: '^\\$GPGGA,', within: 1s}\n"
                                          "  - name: chained\n"
                                          "    repeat: {count: 10}\n"
                                          "    expect: {match: '^\\$GP(GGA|RMC),', within: 1s}\n"));
    const HilResult r = runHil({QStringLiteral("run"), ws.path("fresh.yaml"), QStringLiteral("--fixture"),
                                QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-gps.yaml"),
                                QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
                               ws.dir.path());
    BOOST_REQUIRE(r.finished);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    checkRowsEndAfterStart(db);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE step = 'poll'") >= 4);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE step = 'chained'") == 10);
    // Expect-only rows: latency = end - start, wherever the harness did not stall.
    BOOST_TEST(
        db.count("SELECT count(*) FROM step_results WHERE step IN ('poll', 'chained') AND stall_ns = 0 "
                 "AND (latency_ns IS NULL OR latency_ns <> end_ns - start_ns)")
        == 0);
    // A chained step begins where the one before it ended: its rows tile the time.
    const auto chained =
        db.rows("SELECT start_ns, end_ns FROM step_results WHERE step = 'chained' ORDER BY repetition");
    BOOST_REQUIRE(chained);
    for (qsizetype i = 1; i < chained->size(); ++i)
        BOOST_TEST((*chained)[i].value(0).toLongLong() >= (*chained)[i - 1].value(1).toLongLong());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lost_stream)

// An expect-only loop with no period, its talker killed under it: one ERROR per `within` at most while
// the device is gone (the lane waits that long for the bench to bring it back), not a flood; the run is
// ERROR, exit 3.
BOOST_AUTO_TEST_CASE(an_expect_only_loop_records_one_error_per_bound) {
    if (!haveNmeaTalker())
        return;
    Workspace ws;
    NmeaTalker talker(ws, {QStringLiteral("--rate"), QStringLiteral("10")});
    writeTalkerBench(ws, talker, QStringLiteral("    reconnect_timeout: 60s\n"));
    ws.write("fresh.yaml", QStringLiteral("name: fresh\nsteps:\n"
                                          "  - name: listen\n"
                                          "    repeat: {for: 5s}\n"
                                          "    expect: {from: gps, match: '^\\$GPGGA,', within: 500ms}\n"));
    Child hil(hilPath(), runArgs(ws, "talker.yaml"), ws.dir.path());
    const char *passes = "SELECT count(*) FROM step_results WHERE verdict = 'PASS'";
    BOOST_REQUIRE(waitUntil([&] { return countNow(ws.db(), passes) >= 5 || !hil.running(); }, 15000, 20));
    BOOST_REQUIRE_MESSAGE(hil.running(), "hil ended early: " << str(hil.stderrText()));
    // Our own child, by its pid: its terminal hangs up under hil.
    BOOST_REQUIRE(::kill(static_cast<pid_t>(talker.process.pid()), SIGKILL) == 0);
    // The link goes too: the terminal's number may be reused by another process on this machine, and
    // the bench must find nothing to reopen.
    QFile::remove(talker.link);
    BOOST_REQUIRE_MESSAGE(hil.waitFinished(60000), "hil did not end");
    BOOST_TEST(hil.process().exitCode() == 3, "stderr: " << str(hil.stderrText()));
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "ERROR");
    const qint64 errors = db.count("SELECT count(*) FROM step_results WHERE verdict = 'ERROR'");
    // The loop lasts 5 s and each ERROR waited its 500 ms (the first is the loss itself).
    BOOST_TEST(errors >= 1);
    BOOST_TEST(errors <= 5000 / 500 + 1);
    // After the loss, each ERROR says how long it waited for the device.
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'ERROR' AND message LIKE "
                        "'device ''gps'' is not connected (waited %'")
               >= errors - 1);
    checkRowsEndAfterStart(db);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bad_input)

// `stale:` in a fixture and on an expect: a wrong value, or on an expect with a send, is bad input at its
// line:column, exit 2 before anything runs.
BOOST_AUTO_TEST_CASE(stale_keys_are_checked_at_their_column) {
    Workspace ws;
    ws.write("bench.yaml", QStringLiteral("name: b\ndevices:\n"
                                          "  gps:\n"
                                          "    tcp: {host: 127.0.0.1, port: 1}\n"
                                          "    stale: maybe\n"));
    ws.write("fresh.yaml", QStringLiteral("name: fresh\nsteps:\n  - expect: {match: x}\n"));
    HilResult r = runHil(runArgs(ws, "bench.yaml"), ws.dir.path());
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("bench.yaml:5:12: stale is flush or keep, not 'maybe'")),
               str(r.err));

    ws.write("bench.yaml", QStringLiteral("name: b\ndevices:\n"
                                          "  gps:\n"
                                          "    tcp: {host: 127.0.0.1, port: 1}\n"
                                          "    stale: keep\n"));
    ws.write("fresh.yaml", QStringLiteral("name: fresh\nsteps:\n"
                                          "  - send: PING\n"
                                          "    expect: {match: x, stale: accept}\n"
                                          "  - expect: {match: x, stale: sometimes}\n"));
    r = runHil(runArgs(ws, "bench.yaml"), ws.dir.path());
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("fresh.yaml:4:31: stale applies to an expect without a send")),
               str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("fresh.yaml:5:31: stale is accept or skip, not 'sometimes'")),
               str(r.err));
    BOOST_TEST(!QFileInfo::exists(ws.db()));
}

BOOST_AUTO_TEST_SUITE_END()
