#define BOOST_TEST_MODULE statistics
#include "core/analysis/latencyhistogram.h"
#include "core/analysis/runcomparison.h"
#include "core/analysis/runstatistics.h"
#include "core/analysis/seriesaccumulator.h"
#include "core/analysis/statmath.h"
#include "core/analysis/stepindex.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"
#include "core/export/csvexport.h"
#include "core/export/jsonsummary.h"
#include "core/export/junitreport.h"
#include "core/store/runquery.h"
#include "core/store/schema.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <random>
#include <sqlite3.h>

// Statistics of runs against values worked out by hand (tests/data/report/fixed-runs.sql says how), exact
// percentiles against sorting, and the machine-readable exports (CSV, JSON, JUnit). No QApplication: the
// statistics are core, Qt Core only.

namespace {

constexpr double kTol = 1e-6; // percent, for BOOST_CHECK_CLOSE

// A results database in a temporary directory, with the current schema and, optionally, an SQL file's rows.
class TestDb {
public:
    explicit TestDb(const QString &sqlFile = QString()) {
        BOOST_REQUIRE(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("results.db"));
        BOOST_REQUIRE(sqlite3_open(m_path.toUtf8().constData(), &m_db) == SQLITE_OK);
        QString error;
        BOOST_REQUIRE_MESSAGE(hil::prepareDatabase(m_db, &error), error.toStdString());
        if (!sqlFile.isEmpty()) {
            QFile f(sqlFile);
            BOOST_REQUIRE_MESSAGE(f.open(QIODevice::ReadOnly), sqlFile.toStdString());
            exec(f.readAll().constData());
        }
    }
    ~TestDb() { sqlite3_close(m_db); }
    void exec(const char *sql) {
        char *msg = nullptr;
        const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &msg);
        BOOST_REQUIRE_MESSAGE(rc == SQLITE_OK, (msg ? msg : "?"));
    }
    sqlite3 *handle() const { return m_db; }
    const QString &path() const { return m_path; }
    QString dir() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    QString m_path;
    sqlite3 *m_db = nullptr;
};

QString fixedRuns() {
    return QStringLiteral(HIL_TEST_DATA_DIR "/report/fixed-runs.sql");
}

hil::RunStatistics statsOf(const QString &path, qint64 run, const hil::StatisticsOptions &o = {}) {
    QString error;
    const auto db = hil::RunQuery::open(path, &error);
    BOOST_REQUIRE_MESSAGE(db, error.toStdString());
    const auto s = hil::computeRunStatistics(*db, run, o, &error);
    BOOST_REQUIRE_MESSAGE(s, error.toStdString());
    return *s;
}

const hil::StepStatistics &step(const hil::RunStatistics &s, const QString &name) {
    for (const hil::StepStatistics &st : s.steps)
        if (st.step == name)
            return st;
    BOOST_FAIL("no step " << name.toStdString());
    return s.steps.first();
}

const hil::DeviceAvailability &device(const hil::RunStatistics &s, const QString &name) {
    for (const hil::DeviceAvailability &d : s.devices)
        if (d.device == name)
            return d;
    BOOST_FAIL("no device " << name.toStdString());
    return s.devices.first();
}

} // namespace

BOOST_AUTO_TEST_SUITE(math)

BOOST_AUTO_TEST_CASE(wilson_interval_matches_published_values) {
    // Wilson score intervals, z = 1.96, as tabulated (e.g. Newcombe 1998, Table I).
    const hil::Proportion a = hil::wilsonInterval(2, 10);
    BOOST_CHECK_CLOSE(a.rate, 0.2, kTol);
    BOOST_CHECK_CLOSE(a.low, 0.0567, 0.1);
    BOOST_CHECK_CLOSE(a.high, 0.5098, 0.1);
    const hil::Proportion b = hil::wilsonInterval(0, 10);
    BOOST_CHECK_EQUAL(b.low, 0.0);
    BOOST_CHECK_CLOSE(b.high, 0.2775, 0.1);
    const hil::Proportion c = hil::wilsonInterval(81, 263);
    BOOST_CHECK_CLOSE(c.low, 0.2553, 0.1);
    BOOST_CHECK_CLOSE(c.high, 0.3662, 0.1);
    const hil::Proportion none = hil::wilsonInterval(0, 0);
    BOOST_CHECK_EQUAL(none.rate, 0.0);
    BOOST_CHECK_EQUAL(none.high, 0.0);
}

BOOST_AUTO_TEST_CASE(nearest_rank_is_integer_exact) {
    BOOST_CHECK_EQUAL(hil::nearestRank(10, 500), 5);
    BOOST_CHECK_EQUAL(hil::nearestRank(10, 950), 10);
    BOOST_CHECK_EQUAL(hil::nearestRank(1000, 999), 999);
    BOOST_CHECK_EQUAL(hil::nearestRank(1001, 999), 1000);
    BOOST_CHECK_EQUAL(hil::nearestRank(1, 500), 1);
    BOOST_CHECK_EQUAL(hil::nearestRank(3, 10), 1);
    BOOST_CHECK_EQUAL(hil::nearestRank(0, 500), 0);
    BOOST_CHECK_EQUAL(hil::nearestRank(4'000'000'000'000'000'000LL, 999), 3'996'000'000'000'000'000LL);
}

BOOST_AUTO_TEST_CASE(running_stats_are_stable_with_a_large_offset) {
    hil::RunningStats s;
    for (int i = 0; i < 1'000'000; ++i)
        s.add(1e9 + (i % 2 == 0 ? 0.001 : -0.001));
    BOOST_CHECK_CLOSE(s.mean(), 1e9, 1e-9);
    BOOST_CHECK_CLOSE(s.stddev(), 0.001, 0.01);
    BOOST_CHECK_EQUAL(s.count(), 1'000'000);
    BOOST_CHECK_CLOSE(s.min(), 1e9 - 0.001, 1e-12);
}

BOOST_AUTO_TEST_CASE(process_capability) {
    BOOST_CHECK_CLOSE(*hil::processCapability(7, 24, 2, 15.0, 35.0), 1.5, kTol);
    BOOST_CHECK_CLOSE(*hil::processCapability(7, 24, 2, std::nullopt, 30.0), 1.0, kTol); // one-sided
    BOOST_CHECK_CLOSE(*hil::processCapability(7, 40, 2, 15.0, 35.0), -5.0 / 6, kTol);    // outside: negative
    BOOST_CHECK(!hil::processCapability(7, 24, 0, 15.0, 35.0));
    BOOST_CHECK(!hil::processCapability(1, 24, 2, 15.0, 35.0));
    BOOST_CHECK(!hil::processCapability(7, 24, 2, std::nullopt, std::nullopt));
}

BOOST_AUTO_TEST_CASE(histogram_buckets_hold_their_values) {
    std::mt19937_64 rng(1);
    for (int i = 0; i < 200000; ++i) {
        const auto v = static_cast<qint64>(rng() >> (1 + rng() % 63));
        const int b = hil::LatencyHistogram::bucketOf(v);
        BOOST_REQUIRE_GE(b, 0);
        BOOST_REQUIRE_LT(b, hil::LatencyHistogram::kBucketCount);
        BOOST_REQUIRE_LE(hil::LatencyHistogram::bucketLow(b), v);
        BOOST_REQUIRE(v < hil::LatencyHistogram::bucketHigh(b)
                      || b == hil::LatencyHistogram::kBucketCount - 1);
        // Never wider than 1/32 of its lower bound (values below 64 have a bucket each).
        if (v >= 64)
            BOOST_REQUIRE_LE(hil::LatencyHistogram::bucketHigh(b) - hil::LatencyHistogram::bucketLow(b),
                             hil::LatencyHistogram::bucketLow(b) / 32);
    }
    BOOST_CHECK_EQUAL(hil::LatencyHistogram::bucketOf(std::numeric_limits<qint64>::max()),
                      hil::LatencyHistogram::kBucketCount - 1);
    hil::LatencyHistogram h;
    for (qint64 v : {5, 5, 100, 101, 1000})
        h.add(v);
    int bucket = 0;
    qint64 rank = 0;
    BOOST_REQUIRE(h.rankBucket(3, &bucket, &rank));
    BOOST_CHECK_EQUAL(bucket, hil::LatencyHistogram::bucketOf(100));
    BOOST_CHECK_EQUAL(rank, 1); // 100 and 101 share a bucket: 100 is its first
    BOOST_CHECK(!h.rankBucket(6, &bucket, &rank));
    BOOST_CHECK_EQUAL(h.min(), 5);
    BOOST_CHECK_EQUAL(h.max(), 1000);
}

BOOST_AUTO_TEST_CASE(printable_escapes_what_could_act_on_a_reader) {
    const QByteArray bytes("ok \xc3\xa9 \x01\x1b[2J \xff back\\slash \xe2\x80\xae rtl\ttab\nline");
    QList<std::pair<qsizetype, qsizetype>> escapes;
    const QString p = hil::printableBytes(bytes, false, &escapes);
    BOOST_CHECK_EQUAL(p.toStdString(),
                      "ok \xc3\xa9 \\x01\\x1b[2J \\xff back\\\\slash \\u{202E} rtl\ttab\\x0aline");
    BOOST_CHECK_EQUAL(escapes.size(), 6);
    BOOST_CHECK_EQUAL(p.mid(escapes[0].first, escapes[0].second - escapes[0].first).toStdString(), "\\x01");
    BOOST_CHECK_EQUAL(hil::printableBytes(QByteArray("a\nb"), true).toStdString(), "a\nb");
    // Overlong and surrogate encodings are not valid UTF-8: each byte shows.
    BOOST_CHECK_EQUAL(hil::printableBytes(QByteArray("\xc0\xaf\xed\xa0\x80")).toStdString(),
                      "\\xc0\\xaf\\xed\\xa0\\x80");
    BOOST_CHECK_EQUAL(hil::printableText(QStringLiteral("C:\\dir\x07")).toStdString(), "C:\\dir\\x07");
}

BOOST_AUTO_TEST_CASE(formats) {
    BOOST_CHECK_EQUAL(hil::formatMs(65'432).toStdString(), "0.065");
    BOOST_CHECK_EQUAL(hil::formatMs(1'234'000).toStdString(), "1.23");
    BOOST_CHECK_EQUAL(hil::formatMs(123'456'789).toStdString(), "123");
    BOOST_CHECK_EQUAL(hil::formatOffset(3'723'456'000'000).toStdString(), "01:02:03.456");
    BOOST_CHECK_EQUAL(hil::formatOffset(90'000'000'000'000).toStdString(), "25:00:00.000");
    BOOST_CHECK_EQUAL(hil::formatPercent(0.9995).toStdString(), "99.950 %");
    BOOST_CHECK_EQUAL(hil::formatPercent(0.0001).toStdString(), "0.010 %");
    BOOST_CHECK_EQUAL(hil::formatPercent(0.5).toStdString(), "50.0 %");
    BOOST_CHECK_EQUAL(hil::formatValue(22.5).toStdString(), "22.5");
    BOOST_CHECK_EQUAL(hil::formatRange(15.0, std::nullopt).toStdString(), "[15, +inf]");
}

// Limits print as written (the shortest digits that read back as the same double), so that two limits
// never print alike; a value beside them gets the digits that place it on its side of each.
BOOST_AUTO_TEST_CASE(limits_and_values_beside_them_keep_their_digits) {
    const auto range = [](double lo, double hi) { return hil::formatRange(lo, hi).toStdString(); };
    BOOST_CHECK_EQUAL(range(1.4142, 1.4143), "[1.4142, 1.4143]");
    BOOST_CHECK_EQUAL(range(0.1, 0.3), "[0.1, 0.3]");
    BOOST_CHECK_EQUAL(range(1e-9, 2e-9), "[1e-9, 2e-9]");
    BOOST_CHECK_EQUAL(range(1.5e-9, 1.5000001e-9), "[1.5e-9, 1.5000001e-9]");
    BOOST_CHECK_EQUAL(range(1e12, 1.0000001e12), "[1000000000000, 1000000100000]");
    BOOST_CHECK_EQUAL(range(-40, 125), "[-40, 125]");
    BOOST_CHECK_EQUAL(range(0.000015, 0.00002), "[0.000015, 0.00002]");
    BOOST_CHECK_EQUAL(range(2.5e16, 3e20), "[2.5e16, 3e20]");
    BOOST_CHECK_EQUAL(hil::formatLimit(0.1 + 0.2).toStdString(), "0.30000000000000004");
    // Every limit reads back as itself.
    for (double v : {1.4142, 1.4143, 0.1, 0.3, 1e-9, 3.3, 1e12 + 1, 6.02214076e23, -2.5e-7, 0.0}) {
        BOOST_TEST_CONTEXT(v) {
            BOOST_TEST(hil::formatLimit(v).toDouble() == v);
        }
    }

    const auto against = [](double v, std::optional<double> lo, std::optional<double> hi) {
        return hil::formatValueAgainst(v, {lo, hi}).toStdString();
    };
    // Four significant digits where they suffice.
    BOOST_CHECK_EQUAL(against(22.5, 15, 35), "22.5");
    BOOST_CHECK_EQUAL(against(1.41234, 1.0, 2.0), "1.412");
    // Inside a tight band, outside it, and on its edge.
    BOOST_CHECK_EQUAL(against(1.41425, 1.4142, 1.4143), "1.41425");
    BOOST_CHECK_EQUAL(against(1.41419, 1.4142, 1.4143), "1.414"); // below the band, as shown
    BOOST_CHECK_EQUAL(against(1.41431, 1.4142, 1.4143), "1.41431");
    BOOST_CHECK_EQUAL(against(1.4143, 1.4142, 1.4143), "1.4143");
    // Just past a limit never prints as the limit.
    BOOST_CHECK_EQUAL(against(35.0001, 15, 35), "35.0001");
    BOOST_CHECK_EQUAL(against(1000.4, 0, 1000), "1000.4");
    BOOST_CHECK_EQUAL(against(1.0000000000000002, 0, 1), "1.0000000000000002");
    BOOST_CHECK_EQUAL(against(1.5e-9, 1e-9, 2e-9), "1.5e-09");
    BOOST_CHECK_EQUAL(against(2.0000001e-9, 1e-9, 2e-9), "2.0000001e-09");
    BOOST_CHECK_EQUAL(against(1.0000001e12, 0, 1e12), "1.0000001e+12");
    BOOST_CHECK_EQUAL(against(0.30000000000000004, 0.1, 0.3), "0.30000000000000004");
    BOOST_CHECK_EQUAL(against(0.3, 0.1, 0.3), "0.3");
    BOOST_CHECK_EQUAL(against(25, std::nullopt, std::nullopt), "25");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(run_statistics)

BOOST_AUTO_TEST_CASE(steps_latency_and_failures_by_hand) {
    TestDb db(fixedRuns());
    const hil::RunStatistics s = statsOf(db.path(), 1);
    BOOST_CHECK_EQUAL(s.run.scenario.toStdString(), "fixed");
    BOOST_CHECK_EQUAL(s.spanNs, 10'000'000'000LL);
    BOOST_REQUIRE_EQUAL(s.steps.size(), 2);
    const hil::StepStatistics &read = step(s, QStringLiteral("read"));
    BOOST_CHECK_EQUAL(read.results, 10);
    BOOST_CHECK_EQUAL(read.pass, 7);
    BOOST_CHECK_EQUAL(read.fail, 3);
    BOOST_CHECK_EQUAL(read.error, 0);
    BOOST_CHECK_EQUAL(read.marginal, 1);
    BOOST_CHECK_EQUAL(read.latency.count, 10);
    BOOST_CHECK_EQUAL(read.latency.minNs, 1'000'000);
    BOOST_CHECK_EQUAL(read.latency.p50Ns, 5'000'000);
    BOOST_CHECK_EQUAL(read.latency.p90Ns, 9'000'000);
    BOOST_CHECK_EQUAL(read.latency.p95Ns, 10'000'000);
    BOOST_CHECK_EQUAL(read.latency.p99Ns, 10'000'000);
    BOOST_CHECK_EQUAL(read.latency.p999Ns, 10'000'000);
    BOOST_CHECK_EQUAL(read.latency.maxNs, 10'000'000);
    BOOST_CHECK_CLOSE(read.latency.meanNs, 5'500'000.0, kTol);
    BOOST_CHECK(read.latency.exact);
    BOOST_CHECK_EQUAL(read.failureRate.successes, 3);
    BOOST_CHECK_EQUAL(read.failureRate.trials, 10);
    BOOST_CHECK_CLOSE(read.failureRate.low, 0.1078, 0.1);
    BOOST_CHECK_CLOSE(read.failureRate.high, 0.6032, 0.1);
    BOOST_CHECK(read.flaky());
    BOOST_CHECK_EQUAL(read.flips, 4);
    BOOST_CHECK_EQUAL(read.longestFailStreak, 2);
    BOOST_CHECK_EQUAL(read.longestFailStreakStartNs, 3'000'000'000LL);
    BOOST_CHECK_EQUAL(read.totalNs, 55'000'000); // sum of the durations, 1..10 ms
    BOOST_REQUIRE_EQUAL(read.firstFailures.size(), 3);
    BOOST_CHECK(read.firstFailures[1].response == QByteArray("ERR \xff\x1b[2J"));
    BOOST_CHECK_EQUAL(read.firstFailures[0].message.toStdString(),
                      "no match for ^TEMP: device answered 'ERR 42'");

    const hil::StepStatistics &ping = step(s, QStringLiteral("ping"));
    BOOST_CHECK_EQUAL(ping.pass, 1);
    BOOST_CHECK_EQUAL(ping.error, 1);
    BOOST_CHECK_EQUAL(ping.failureRate.trials, 1); // the ERROR is the bench's, not a trial of the device
    BOOST_CHECK_EQUAL(ping.latency.count, 1);
    BOOST_CHECK(!ping.flaky());

    // The run: FAIL among PASS + FAIL of all steps; the longest streak is read's.
    BOOST_CHECK_EQUAL(s.failureRate.successes, 3);
    BOOST_CHECK_EQUAL(s.failureRate.trials, 11);
    BOOST_CHECK_EQUAL(s.failureCount, 4);
    BOOST_CHECK_EQUAL(s.failures.size(), 4);
    BOOST_CHECK_EQUAL(s.longestFailStreak, 2);
    BOOST_CHECK_EQUAL(s.longestFailStreakStep.toStdString(), "read");
    BOOST_CHECK_EQUAL(s.latency.count, 11);
    BOOST_CHECK_EQUAL(s.latency.p50Ns, 5'000'000); // 1,1,2,...,10: the 6th of 11
    BOOST_CHECK_EQUAL(s.flakySteps().size(), 1);
    BOOST_CHECK_EQUAL(s.stepResultCount(), 12);
}

BOOST_AUTO_TEST_CASE(availability_and_mtbf_by_hand) {
    TestDb db(fixedRuns());
    const hil::RunStatistics s = statsOf(db.path(), 1);
    const hil::DeviceAvailability &sensor = device(s, QStringLiteral("sensor"));
    BOOST_CHECK_EQUAL(sensor.upNs, 6'007'000'000LL);
    BOOST_CHECK_EQUAL(sensor.downNs, 3'003'000'000LL);
    BOOST_CHECK_EQUAL(sensor.unknownNs, 0);
    BOOST_CHECK_CLOSE(*sensor.availability, 6.007 / 9.010, kTol);
    BOOST_CHECK_EQUAL(sensor.failureEpisodes, 2);
    BOOST_CHECK_CLOSE(*sensor.mtbfNs, 3.0035e9, kTol);
    BOOST_CHECK_EQUAL(sensor.longestOutageNs, 2'002'000'000LL);
    BOOST_CHECK_EQUAL(sensor.longestOutageStartNs, 2'003'000'000LL);
    BOOST_REQUIRE_EQUAL(sensor.timeline.size(), 600);
    BOOST_CHECK_CLOSE(sensor.timeline[30], 1.0f, kTol);   // 0.5 s: up
    BOOST_CHECK_CLOSE(sensor.timeline[210], 0.0f, kTol);  // 3.5 s: down
    BOOST_CHECK_CLOSE(sensor.timeline[599], -1.0f, kTol); // after the last result: no data

    const hil::DeviceAvailability &aux = device(s, QStringLiteral("aux"));
    BOOST_CHECK_EQUAL(aux.upNs, 1'000'000);
    BOOST_CHECK_EQUAL(aux.downNs, 0);
    BOOST_CHECK_EQUAL(aux.unknownNs, 5'499'000'000LL);
    BOOST_CHECK_CLOSE(*aux.availability, 1.0, kTol);
    BOOST_CHECK(!aux.mtbfNs);

    BOOST_CHECK_EQUAL(s.upNs, 6'008'000'000LL);
    BOOST_CHECK_EQUAL(s.downNs, 3'003'000'000LL);
    BOOST_CHECK_CLOSE(*s.availability, 6.008 / 9.011, kTol);
    BOOST_CHECK_EQUAL(s.failureEpisodes, 2);
    BOOST_CHECK_CLOSE(*s.mtbfNs, 3.004e9, kTol);
}

BOOST_AUTO_TEST_CASE(measurements_by_hand) {
    TestDb db(fixedRuns());
    const hil::RunStatistics s = statsOf(db.path(), 1);
    BOOST_REQUIRE_EQUAL(s.measurements.size(), 1);
    const hil::MeasurementStatistics &t = s.measurements.first();
    BOOST_CHECK_EQUAL(t.name.toStdString(), "t");
    BOOST_CHECK_EQUAL(t.step.toStdString(), "read");
    BOOST_CHECK_EQUAL(t.device.toStdString(), "sensor");
    BOOST_CHECK_EQUAL(t.unit.toStdString(), "degC");
    BOOST_CHECK_EQUAL(t.samples, 8);
    BOOST_CHECK_EQUAL(t.count, 7);
    BOOST_CHECK_EQUAL(t.nonNumeric, 1);
    BOOST_CHECK_EQUAL(t.fail, 1);
    BOOST_CHECK_EQUAL(t.marginal, 1);
    BOOST_CHECK_CLOSE(t.mean, 24.0, kTol);
    BOOST_CHECK_CLOSE(t.stddev, 2.1602469, 1e-5);
    BOOST_CHECK_EQUAL(t.min, 21.0);
    BOOST_CHECK_EQUAL(t.max, 27.0);
    BOOST_REQUIRE(t.cpk);
    BOOST_CHECK_CLOSE(*t.cpk, 1.3887301, 1e-5);
    BOOST_CHECK_EQUAL(*t.low, 15.0);
    BOOST_CHECK_EQUAL(*t.marginalHigh, 32.0);
    BOOST_CHECK(!t.series.binned);
    BOOST_CHECK_EQUAL(t.series.points.size(), 7);
    BOOST_CHECK_EQUAL(s.sampleCount(), 8);
}

BOOST_AUTO_TEST_CASE(faults_and_recovery_by_hand) {
    TestDb db(fixedRuns());
    const hil::RunStatistics s = statsOf(db.path(), 1);
    BOOST_REQUIRE_EQUAL(s.faults.size(), 3);
    BOOST_CHECK(!s.faultsFromEvents);
    const hil::FaultStatistics &blackout = s.faults[0];
    BOOST_CHECK_EQUAL(blackout.kind.toStdString(), "blackout");
    BOOST_CHECK(!blackout.recoveryRecorded);
    BOOST_REQUIRE(blackout.recoveryNs);
    BOOST_CHECK_EQUAL(*blackout.recoveryNs, 506'000'000);
    BOOST_CHECK_EQUAL(blackout.failedResults, 2);
    BOOST_CHECK_EQUAL(*blackout.bytesDropped, 120);
    const hil::FaultStatistics &cut = s.faults[1]; // by start: 5.2 s before 6.5 s
    BOOST_CHECK_EQUAL(cut.kind.toStdString(), "cut");
    BOOST_CHECK(!cut.recoveryNs);
    BOOST_CHECK(cut.manual);
    BOOST_CHECK_EQUAL(cut.failedResults, 1);
    const hil::FaultStatistics &latency = s.faults[2];
    BOOST_CHECK(latency.recoveryRecorded);
    BOOST_CHECK_EQUAL(*latency.recoveryNs, 123'456'789);
    BOOST_CHECK_EQUAL(latency.failedResults, 1);
}

BOOST_AUTO_TEST_CASE(fault_windows_from_events_when_the_table_is_empty) {
    TestDb db(fixedRuns());
    db.exec("DELETE FROM faults");
    const hil::RunStatistics s = statsOf(db.path(), 1);
    BOOST_CHECK(s.faultsFromEvents);
    BOOST_REQUIRE_EQUAL(s.faults.size(), 1);
    BOOST_CHECK_EQUAL(s.faults[0].startNs, 2'500'000'000LL);
    BOOST_CHECK_EQUAL(*s.faults[0].endNs, 4'500'000'000LL);
    BOOST_CHECK_EQUAL(*s.faults[0].recoveryNs, 506'000'000);
}

BOOST_AUTO_TEST_CASE(events_and_findings) {
    TestDb db(fixedRuns());
    const hil::RunStatistics s = statsOf(db.path(), 1);
    BOOST_CHECK_EQUAL(s.eventCount, 5);
    BOOST_CHECK_EQUAL(s.events.size(), 5);
    BOOST_CHECK_EQUAL(s.eventKinds.value(QStringLiteral("fault-start")), 1);
    BOOST_CHECK_EQUAL(s.events.last().kind.toStdString(), "error");
    BOOST_REQUIRE(!s.findings.isEmpty());
    // Worst first: the device that never recovered, then the failing step.
    BOOST_CHECK(s.findings[0].severity == hil::Finding::Severity::Critical);
    BOOST_CHECK_EQUAL(s.findings[0].title.toStdString(),
                      "'aux' did not recover after the cut fault at 00:00:05.200");
    BOOST_CHECK(s.findings[1].severity == hil::Finding::Severity::Major);
    BOOST_CHECK_EQUAL(s.findings[1].title.toStdString(), "Step 'read' on sensor failed 3 of 10 (30.0 %)");
    QStringList titles;
    for (const hil::Finding &f : s.findings)
        titles << f.title;
    BOOST_CHECK(titles.contains(QStringLiteral("'t' was not a number in 1 of 8 samples")));
    BOOST_CHECK(titles.contains(QStringLiteral("Step 'read' is flaky: passed 7, failed 3, changed 4 times")));
    BOOST_CHECK(titles.contains(QStringLiteral("'sensor' available 66.7 % of the time")));
    BOOST_CHECK(
        titles.last().startsWith(QStringLiteral("Recovered from 2 faults: median 123.5ms, slowest 506ms")));
}

BOOST_AUTO_TEST_CASE(failures_during_faults_are_expected_not_counted) {
    TestDb db(fixedRuns());
    db.exec("UPDATE step_results SET expected = 1, fault_id = 1 WHERE id IN (5, 6)");
    const hil::RunStatistics s = statsOf(db.path(), 1);
    const hil::StepStatistics &read = step(s, QStringLiteral("read"));
    BOOST_CHECK_EQUAL(read.fail, 1);
    BOOST_CHECK_EQUAL(read.expected, 2);
    BOOST_CHECK_EQUAL(read.failureRate.trials, 8);
    BOOST_CHECK_EQUAL(read.flips, 2);
    BOOST_CHECK_EQUAL(read.longestFailStreak, 1);
    const hil::DeviceAvailability &sensor = device(s, QStringLiteral("sensor"));
    BOOST_CHECK_EQUAL(sensor.downNs, 1'001'000'000);
    BOOST_CHECK_EQUAL(sensor.faultNs, 2'002'000'000);
    BOOST_CHECK_EQUAL(sensor.failureEpisodes, 1);
    BOOST_CHECK_CLOSE(*sensor.availability, 6.007 / 7.008, kTol);
    BOOST_CHECK_EQUAL(s.expectedCount, 2);
    BOOST_CHECK_EQUAL(s.failureCount, 2);
    BOOST_CHECK_EQUAL(s.faults[0].failedResults, 2); // the blackout's, expected or not
    BOOST_CHECK_EQUAL(s.findings.last().title.toStdString(),
                      "2 failures during injected faults were expected");
}

BOOST_AUTO_TEST_CASE(a_run_too_long_for_the_step_index_reads_each_samples_step) {
    // Past StatisticsOptions::stepIndexLimit the samples pass joins each sample to its step result
    // instead of remembering every step result: the same figures, with percentiles from histograms.
    TestDb db(fixedRuns());
    db.exec("UPDATE step_results SET expected = 1, fault_id = 1 WHERE id IN (5, 6, 10)");
    const hil::RunStatistics indexed = statsOf(db.path(), 1);
    for (const qint64 limit : {qint64{0}, qint64{3}}) {
        hil::StatisticsOptions o;
        o.stepIndexLimit = limit;
        const hil::RunStatistics joined = statsOf(db.path(), 1, o);
        BOOST_REQUIRE_EQUAL(joined.measurements.size(), indexed.measurements.size());
        for (qsizetype i = 0; i < indexed.measurements.size(); ++i) {
            const hil::MeasurementStatistics &a = indexed.measurements[i], &b = joined.measurements[i];
            BOOST_CHECK_EQUAL(b.step.toStdString(), a.step.toStdString());
            BOOST_CHECK_EQUAL(b.device.toStdString(), a.device.toStdString());
            BOOST_CHECK_EQUAL(b.samples, a.samples);
            BOOST_CHECK_EQUAL(b.count, a.count);
            BOOST_CHECK_EQUAL(b.fail, a.fail);
            BOOST_CHECK_EQUAL(b.expected, a.expected);
            BOOST_CHECK_EQUAL(b.marginal, a.marginal);
            BOOST_CHECK_EQUAL(b.mean, a.mean);
        }
        BOOST_CHECK_GT(indexed.measurements.first().expected, 0); // the expected flag took the join path
        BOOST_CHECK_EQUAL(joined.latency.count, indexed.latency.count);
        BOOST_CHECK_EQUAL(joined.latency.minNs, indexed.latency.minNs);
        BOOST_CHECK_EQUAL(joined.latency.maxNs, indexed.latency.maxNs);
    }
}

BOOST_AUTO_TEST_CASE(the_step_index_keeps_runs_of_ids_and_gives_up_past_its_limit) {
    hil::StepIndex index(6);
    for (const auto &[id, key] :
         std::vector<std::pair<qint64, int>>{{10, 1}, {11, 2}, {12, 3}, {40, 4}, {41, 5}})
        index.append(id, key);
    BOOST_CHECK(index.available());
    BOOST_CHECK_EQUAL(index.find(10), 1);
    BOOST_CHECK_EQUAL(index.find(11), 2);
    BOOST_CHECK_EQUAL(index.find(40), 4); // the next segment, by the cursor
    BOOST_CHECK_EQUAL(index.find(12), 3); // backwards, by search
    BOOST_CHECK_EQUAL(index.find(13), -1);
    BOOST_CHECK_EQUAL(index.find(9), -1);
    BOOST_CHECK_EQUAL(index.find(42), -1);
    index.rewind();
    BOOST_CHECK_EQUAL(index.find(41), 5);
    index.append(42, 6);
    BOOST_CHECK(index.available());
    index.append(43, 7); // the 7th entry, past the limit of 6
    BOOST_CHECK(!index.available());
    BOOST_CHECK_EQUAL(index.size(), 0U);
    hil::StepIndex wide;
    wide.append(1, 0x10000); // a key past 16 bits
    BOOST_CHECK(!wide.available());
}

BOOST_AUTO_TEST_CASE(unfinished_run_uses_its_last_result_as_the_end) {
    TestDb db(fixedRuns());
    db.exec("UPDATE runs SET ended_at_ns = NULL, duration_ns = NULL, verdict = 'RUNNING' WHERE id = 1");
    const hil::RunStatistics s = statsOf(db.path(), 1);
    BOOST_CHECK(s.run.unfinished());
    BOOST_CHECK_EQUAL(s.spanNs, 9'500'000'000LL); // the last event, after the last result's 9.01 s
    BOOST_CHECK_EQUAL(s.findings[0].title.toStdString(), "The run did not finish");
}

BOOST_AUTO_TEST_CASE(percentiles_are_exact_on_a_large_skewed_run) {
    TestDb db;
    db.exec("INSERT INTO runs (id, uuid, scenario, fixture, seed, started_at_ns, ended_at_ns, duration_ns, "
            "verdict)"
            " VALUES (1, 'cccccccc-0000-4000-8000-000000000003', 'big', 'bench', 1, 0, 100, 100000000000, "
            "'PASS')");
    std::mt19937_64 rng(7);
    std::lognormal_distribution<double> body(std::log(300'000.0), 0.4); // ~0.3 ms
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<qint64> a, b, all;
    sqlite3_stmt *ins = nullptr;
    BOOST_REQUIRE(
        sqlite3_prepare_v2(db.handle(),
                           "INSERT INTO step_results (run_id, phase, iteration, step_index, repetition, step,"
                           " device, start_ns, end_ns, latency_ns, verdict) VALUES (1, 'steps', ?, ?, 0, ?,"
                           " 'dev', ?, ?, ?, 'PASS')",
                           -1, &ins, nullptr)
        == SQLITE_OK);
    db.exec("BEGIN");
    for (int i = 0; i < 60000; ++i) {
        const int k = i % 2;
        // A heavy tail (timeouts near 200 ms) and repeated values (the clock's granularity).
        qint64 v = u(rng) < 0.01 ? 200'000'000 + static_cast<qint64>(u(rng) * 1e6)
                                 : static_cast<qint64>(body(rng)) / 1000 * 1000;
        if (k == 1)
            v = v / 3;
        (k == 0 ? a : b).push_back(v);
        all.push_back(v);
        sqlite3_bind_int64(ins, 1, i / 2);
        sqlite3_bind_int(ins, 2, k);
        sqlite3_bind_text(ins, 3, k == 0 ? "a" : "b", -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 4, static_cast<qint64>(i) * 1'000'000);
        sqlite3_bind_int64(ins, 5, static_cast<qint64>(i) * 1'000'000 + v);
        sqlite3_bind_int64(ins, 6, v);
        BOOST_REQUIRE(sqlite3_step(ins) == SQLITE_DONE);
        sqlite3_reset(ins);
    }
    db.exec("COMMIT");
    sqlite3_finalize(ins);
    const auto rank = [](std::vector<qint64> v, int perMille) {
        std::sort(v.begin(), v.end());
        return v[static_cast<size_t>(hil::nearestRank(static_cast<qint64>(v.size()), perMille) - 1)];
    };
    const hil::RunStatistics s = statsOf(db.path(), 1);
    const auto check = [&](const hil::LatencySummary &l, const std::vector<qint64> &v) {
        BOOST_CHECK(l.exact);
        BOOST_CHECK_EQUAL(l.count, static_cast<qint64>(v.size()));
        BOOST_CHECK_EQUAL(l.p50Ns, rank(v, 500));
        BOOST_CHECK_EQUAL(l.p90Ns, rank(v, 900));
        BOOST_CHECK_EQUAL(l.p95Ns, rank(v, 950));
        BOOST_CHECK_EQUAL(l.p99Ns, rank(v, 990));
        BOOST_CHECK_EQUAL(l.p999Ns, rank(v, 999));
        BOOST_CHECK_EQUAL(l.minNs, *std::min_element(v.begin(), v.end()));
        BOOST_CHECK_EQUAL(l.maxNs, *std::max_element(v.begin(), v.end()));
    };
    check(step(s, QStringLiteral("a")).latency, a);
    check(step(s, QStringLiteral("b")).latency, b);
    check(s.latency, all);
    BOOST_CHECK(step(s, QStringLiteral("a")).latencyOverTime.binned); // 30000 samples: binned
    BOOST_CHECK_LE(step(s, QStringLiteral("a")).latencyOverTime.points.size(), 600);

    // With too little room to collect a bucket's values, percentiles are interpolated within their bucket,
    // which is at most 1/32 wide, and say so.
    hil::StatisticsOptions o;
    o.maxCollected = 10;
    const hil::RunStatistics approx = statsOf(db.path(), 1, o);
    const hil::LatencySummary &l = step(approx, QStringLiteral("a")).latency;
    BOOST_CHECK(!l.exact);
    BOOST_CHECK_CLOSE(static_cast<double>(l.p50Ns), static_cast<double>(rank(a, 500)), 3.2);
    BOOST_CHECK_CLOSE(static_cast<double>(l.p99Ns), static_cast<double>(rank(a, 990)), 3.2);
}

BOOST_AUTO_TEST_CASE(run_names) {
    TestDb db(fixedRuns());
    QString error;
    const auto q = hil::RunQuery::open(db.path(), &error);
    BOOST_REQUIRE(q);
    BOOST_CHECK_EQUAL(*q->resolveRun(QStringLiteral("latest"), &error), 2);
    BOOST_CHECK_EQUAL(*q->resolveRun(QStringLiteral("1"), &error), 1);
    BOOST_CHECK_EQUAL(*q->resolveRun(QStringLiteral("bbbbbbbb"), &error), 2);
    BOOST_CHECK_EQUAL(*q->resolveRun(QStringLiteral("AAAAAAAA-0000-4000-8000-000000000001"), &error), 1);
    BOOST_CHECK(!q->resolveRun(QStringLiteral("7"), &error));
    BOOST_CHECK(error.contains(QStringLiteral("has no run 7")));
    BOOST_CHECK(!q->resolveRun(QStringLiteral("abc"), &error));
    BOOST_CHECK(!q->resolveRun(QStringLiteral("cccccccc"), &error));
    BOOST_CHECK(!q->previousRun(1, &error));
    BOOST_CHECK(!hil::RunQuery::open(db.dir() + QStringLiteral("/missing.db"), &error));
    BOOST_CHECK(error.contains(QStringLiteral("no such database")));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(comparison)

hil::StepStatistics fakeStep(const char *name, qint64 pass, qint64 fail, qint64 p50, qint64 p95, qint64 p99) {
    hil::StepStatistics s;
    s.phase = QStringLiteral("steps");
    s.step = QString::fromLatin1(name);
    s.device = QStringLiteral("dev");
    s.pass = pass;
    s.fail = fail;
    s.latency.count = pass + fail;
    s.latency.p50Ns = p50;
    s.latency.p95Ns = p95;
    s.latency.p99Ns = p99;
    return s;
}

BOOST_AUTO_TEST_CASE(regressions_past_the_threshold_are_flagged) {
    hil::RunStatistics a, b;
    a.steps = {fakeStep("same", 600, 0, 1'000'000, 2'000'000, 3'000'000),
               fakeStep("slower", 600, 0, 1'000'000, 2'000'000, 3'000'000),
               fakeStep("noise", 600, 0, 50'000, 60'000, 70'000),
               fakeStep("fails", 600, 0, 1'000'000, 1'000'000, 1'000'000), fakeStep("gone", 10, 0, 1, 1, 1)};
    b.steps = {fakeStep("same", 600, 0, 1'050'000, 2'100'000, 3'100'000),
               fakeStep("slower", 600, 0, 1'000'000, 2'600'000, 3'000'000),
               fakeStep("noise", 600, 0, 100'000, 120'000, 140'000),
               fakeStep("fails", 595, 5, 1'000'000, 1'000'000, 1'000'000), fakeStep("new", 10, 0, 1, 1, 1)};
    const hil::RunComparison c = hil::compareRuns(a, b);
    BOOST_REQUIRE_EQUAL(c.steps.size(), 6);
    QMap<QString, const hil::StepComparison *> by;
    for (const hil::StepComparison &s : c.steps)
        by.insert(s.step, &s);
    BOOST_CHECK(!by[QStringLiteral("same")]->regression());       // +5 %
    BOOST_CHECK(by[QStringLiteral("slower")]->latencyRegression); // p95 +30 %
    BOOST_CHECK_EQUAL(by[QStringLiteral("slower")]->reasons.size(), 1);
    BOOST_CHECK(by[QStringLiteral("slower")]->reasons.first().startsWith(
        QStringLiteral("p95 2.00 ms -> 2.60 ms (+30.0 %)")));
    BOOST_CHECK(!by[QStringLiteral("noise")]->regression()); // doubled, but by less than 100 µs
    // 0 of 600 against 5 of 600 failures: significant (Fisher's exact test agrees, p = 0.03).
    BOOST_CHECK(by[QStringLiteral("fails")]->passRateRegression);
    BOOST_CHECK_GT(by[QStringLiteral("fails")]->failureDeltaLow, 0.0);
    BOOST_CHECK(!by[QStringLiteral("gone")]->inCandidate);
    BOOST_CHECK(!by[QStringLiteral("new")]->inBaseline);
    BOOST_CHECK_EQUAL(c.regressions, 2);

    // 1 of 20 against 0 of 20 is not significant.
    hil::RunStatistics x, y;
    x.steps = {fakeStep("s", 20, 0, 1, 1, 1)};
    y.steps = {fakeStep("s", 19, 1, 1, 1, 1)};
    BOOST_CHECK_EQUAL(hil::compareRuns(x, y).regressions, 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(exports)

BOOST_AUTO_TEST_CASE(csv_files_per_table) {
    TestDb db(fixedRuns());
    QString error;
    const auto q = hil::RunQuery::open(db.path(), &error);
    BOOST_REQUIRE(q);
    for (qint64 run : {1, 2}) {
        const auto s = hil::computeRunStatistics(*q, run, {}, &error);
        BOOST_REQUIRE(s);
        const QString dir = db.dir() + QStringLiteral("/csv%1").arg(run);
        QStringList files;
        BOOST_REQUIRE_MESSAGE(hil::exportCsv(*q, *s, dir, &files, &error), error.toStdString());
        BOOST_CHECK_EQUAL(files.size(), 7);
    }
    const auto read = [&](const char *name) {
        QFile f(db.dir() + QStringLiteral("/csv1/") + QString::fromLatin1(name));
        BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
        return QString::fromUtf8(f.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
    };
    const QStringList steps = read("steps.csv");
    BOOST_REQUIRE_EQUAL(steps.size(), 3);
    BOOST_CHECK(steps[0].startsWith(QStringLiteral("phase,step_index,step,device,results,pass,fail")));
    BOOST_CHECK(steps[1].startsWith(QStringLiteral("steps,0,read,sensor,10,7,3,0,0,1,0,0.3,")));
    BOOST_CHECK(steps[1].contains(
        QStringLiteral(",10,1000000,5000000,9000000,10000000,10000000,10000000,10000000,5500000")));
    const QStringList results = read("step_results.csv");
    BOOST_CHECK_EQUAL(results.size(), 13);
    // A quote in a field doubles, and the field is quoted; bytes that are not printable are escaped.
    BOOST_CHECK(results[5].endsWith(QStringLiteral(",no match for ^TEMP: device answered 'ERR 42',ERR 42")));
    BOOST_CHECK(results[6].endsWith(QStringLiteral(",no match for ^TEMP,ERR \\xff\\x1b[2J")));
    const QStringList samples = read("samples.csv");
    BOOST_CHECK_EQUAL(samples.size(), 9);
    BOOST_CHECK_EQUAL(samples[6].toStdString(), "6,10,t,,degC,15,35,22,32,FAIL,0,7008000000");
    BOOST_CHECK_EQUAL(read("events.csv").size(), 6);
    BOOST_CHECK_EQUAL(read("faults.csv").size(), 4);
    BOOST_CHECK_EQUAL(read("measurements.csv").size(), 2);
    BOOST_CHECK_EQUAL(read("devices.csv").size(), 3);

    // Spreadsheet formulas from a device stay text.
    QFile hostile(db.dir() + QStringLiteral("/csv2/events.csv"));
    BOOST_REQUIRE(hostile.open(QIODevice::ReadOnly));
    const QByteArray events = hostile.readAll();
    BOOST_CHECK(events.contains("<iframe src=\"\"javascript:alert(6)\"\"></iframe>\\x00after-nul"));
}

BOOST_AUTO_TEST_CASE(csv_guards_formulas) {
    TestDb db(fixedRuns());
    db.exec("UPDATE step_results SET message = '=HYPERLINK(\"http://x\")' WHERE id = 5");
    QString error;
    const auto q = hil::RunQuery::open(db.path(), &error);
    const auto s = hil::computeRunStatistics(*q, 1, {}, &error);
    BOOST_REQUIRE(hil::exportCsv(*q, *s, db.dir() + QStringLiteral("/csv"), nullptr, &error));
    QFile f(db.dir() + QStringLiteral("/csv/step_results.csv"));
    BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
    BOOST_CHECK(f.readAll().contains(",\"'=HYPERLINK(\"\"http://x\"\")\","));
}

BOOST_AUTO_TEST_CASE(json_summary) {
    TestDb db(fixedRuns());
    const hil::RunStatistics s = statsOf(db.path(), 1);
    const QString path = db.dir() + QStringLiteral("/summary.json");
    QString error;
    BOOST_REQUIRE(hil::writeJsonSummary(path, s, nullptr, &error));
    QFile f(path);
    BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
    QJsonParseError pe;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll(), &pe).object();
    BOOST_REQUIRE(pe.error == QJsonParseError::NoError);
    BOOST_CHECK_EQUAL(o[QStringLiteral("format")].toString().toStdString(), "hil-report/1");
    BOOST_CHECK_EQUAL(o[QStringLiteral("run")][QStringLiteral("verdict")].toString().toStdString(), "FAIL");
    const QJsonObject summary = o[QStringLiteral("summary")].toObject();
    BOOST_CHECK_EQUAL(summary[QStringLiteral("step_results")].toInt(), 12);
    BOOST_CHECK_CLOSE(summary[QStringLiteral("availability")].toDouble(), 6.008 / 9.011, kTol);
    BOOST_CHECK_EQUAL(summary[QStringLiteral("headline")].toString().toStdString(),
                      "'aux' did not recover after the cut fault at 00:00:05.200");
    const QJsonObject read = o[QStringLiteral("steps")].toArray()[0].toObject();
    BOOST_CHECK_EQUAL(read[QStringLiteral("latency")][QStringLiteral("p95_ns")].toInteger(), 10'000'000);
    BOOST_CHECK_EQUAL(read[QStringLiteral("failure_rate")][QStringLiteral("count")].toInt(), 3);
    BOOST_CHECK(!read[QStringLiteral("latency_histogram")].toArray().isEmpty());
    BOOST_CHECK_EQUAL(o[QStringLiteral("faults")].toArray().size(), 3);
    BOOST_CHECK_EQUAL(
        o[QStringLiteral("failures")].toArray()[1][QStringLiteral("response")].toString().toStdString(),
        "ERR \\xff\\x1b[2J");
}

BOOST_AUTO_TEST_CASE(junit_from_the_database_parses) {
    TestDb db(fixedRuns());
    QString error;
    for (qint64 run : {1, 2}) {
        const hil::RunStatistics s = statsOf(db.path(), run);
        const QString path = db.dir() + QStringLiteral("/junit%1.xml").arg(run);
        BOOST_REQUIRE(hil::writeJUnitReport(s, path, &error));
        QFile f(path);
        BOOST_REQUIRE(f.open(QIODevice::ReadOnly));
        QXmlStreamReader x(&f);
        int cases = 0, failures = 0, errors = 0;
        QStringList props;
        while (!x.atEnd()) {
            if (x.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (x.name() == u"testcase")
                ++cases;
            else if (x.name() == u"failure")
                ++failures;
            else if (x.name() == u"error")
                ++errors;
            else if (x.name() == u"property")
                props << x.attributes().value(QStringLiteral("name")).toString() + QLatin1Char('=')
                             + x.attributes().value(QStringLiteral("value")).toString();
        }
        BOOST_REQUIRE_MESSAGE(!x.hasError(), x.errorString().toStdString());
        if (run == 1) {
            BOOST_CHECK_EQUAL(cases, 2);
            BOOST_CHECK_EQUAL(failures, 1);
            BOOST_CHECK_EQUAL(errors, 1);
            BOOST_CHECK(props.contains(QStringLiteral("t.cpk=1.389")));
            BOOST_CHECK(props.contains(QStringLiteral("latency.p95_ms=10.000")));
            BOOST_CHECK(props.contains(QStringLiteral("t.low=15")));
        } else {
            BOOST_CHECK_EQUAL(cases, 1);
            BOOST_CHECK(props.contains(QStringLiteral("firmware=1.0\\x1b[31mRED")));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

// A long run's latency series is binned; each bin keeps a small sketch, so its p50 and p99 are known
// within one sketch bucket (at most about 9 %), clamped to the bin's true min and max.
BOOST_AUTO_TEST_CASE(binned_latency_series_carry_per_bin_percentiles) {
    const hil::TimeAxis axis{10'000'000'000, 10}; // 10 s in 1 s bins
    hil::SeriesAccumulator quantiles(hil::SeriesAccumulator::Kind::Quantiles);
    hil::SeriesAccumulator plain;
    // Bin k: 1000 latencies 1..1000 times (k+1) x 10 us, so p50 = 500 and p99 = 990 of those units.
    for (int k = 0; k < 10; ++k)
        for (int i = 1; i <= 1000; ++i) {
            const qint64 t = k * 1'000'000'000LL + i * 900'000;
            const double v = i * (k + 1) * 10'000.0;
            quantiles.add(t, v, axis, 100);
            plain.add(t, v, axis, 100);
        }
    const hil::TimeSeries s = quantiles.finish(axis, 100);
    BOOST_TEST_REQUIRE(s.binned);
    BOOST_TEST_REQUIRE(s.points.size() == 10);
    for (int k = 0; k < 10; ++k) {
        const hil::TimePoint &p = s.points[k];
        const double unit = (k + 1) * 10'000.0;
        BOOST_TEST(std::abs(p.p50 / (500 * unit) - 1) < 0.10, "bin " << k << " p50 " << p.p50);
        BOOST_TEST(std::abs(p.p99 / (990 * unit) - 1) < 0.10, "bin " << k << " p99 " << p.p99);
        BOOST_TEST(p.p99 <= p.max);
        BOOST_TEST(p.p50 >= p.min);
    }
    // A plain series keeps no sketch: its points say so with NaN.
    const hil::TimeSeries q = plain.finish(axis, 100);
    BOOST_TEST(std::isnan(q.points.first().p50));
}
