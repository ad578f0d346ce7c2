// `hil run --metrics`: the exposition text passes Prometheus's own checker (promtool), a live run is served
// over HTTP and scraped by a real Prometheus server, a taken port is an error before anything runs, and
// the Grafana dashboard in docs/ asks only for metrics that exist.

#define BOOST_TEST_MODULE metrics
#include "core/export/prometheustext.h"
#include "core/export/runmetrics.h"
#include "support/harness.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

using namespace hiltest;

BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

// promtool check metrics reads the exposition on stdin; exit 0 when it is well formed.
bool promtoolAccepts(const QByteArray &text, QString *out) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("promtool"), {QStringLiteral("check"), QStringLiteral("metrics")});
    if (!p.waitForStarted(5000)) {
        *out = QStringLiteral("promtool did not start (cmake/setup.sh installs the prometheus package)");
        return false;
    }
    p.write(text);
    p.closeWriteChannel();
    p.waitForFinished(20000);
    *out = QString::fromUtf8(p.readAll());
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// A plain HTTP GET; the body, or empty on failure.
QByteArray httpGet(const QString &host, quint16 port, const QString &path) {
    QTcpSocket s;
    s.connectToHost(host, port);
    if (!s.waitForConnected(3000))
        return {};
    s.write(
        QStringLiteral("GET %1 HTTP/1.1\r\nHost: %2\r\nConnection: close\r\n\r\n").arg(path, host).toUtf8());
    // Qt HttpServer keeps the connection open whatever the request asks: read up to Content-Length.
    static const QRegularExpression length(QStringLiteral("\r\ncontent-length: *(\\d+)\r\n"),
                                           QRegularExpression::CaseInsensitiveOption);
    QByteArray all;
    const auto complete = [&all] {
        const qsizetype end = all.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QRegularExpressionMatch m = length.match(QString::fromLatin1(all.left(end + 2)));
        return m.hasMatch() && all.size() - end - 4 >= m.captured(1).toLongLong();
    };
    while (!complete() && s.state() == QAbstractSocket::ConnectedState && s.waitForReadyRead(3000))
        all += s.readAll();
    const qsizetype body = all.indexOf("\r\n\r\n");
    if (!all.startsWith("HTTP/1.1 200") || body < 0)
        return {};
    QByteArray content = all.mid(body + 4);
    if (all.left(body).toLower().contains("transfer-encoding: chunked")) {
        QByteArray plain;
        qsizetype at = 0;
        while (at < content.size()) {
            const qsizetype eol = content.indexOf("\r\n", at);
            const qsizetype n = content.mid(at, eol - at).toLongLong(nullptr, 16);
            if (n <= 0)
                break;
            plain += content.mid(eol + 2, n);
            at = eol + 2 + n + 2;
        }
        content = plain;
    }
    return content;
}

// The value of one sample line `name{labels} value` (labels as written), or -1.
double sampleValue(const QByteArray &text, const QString &prefix) {
    for (const QByteArray &line : text.split('\n'))
        if (QString::fromUtf8(line).startsWith(prefix))
            return line.mid(line.lastIndexOf(' ') + 1).toDouble();
    return -1;
}

double stepsTotal(const QByteArray &text) {
    double sum = 0;
    for (const QByteArray &line : text.split('\n'))
        if (line.startsWith("hil_steps_total{"))
            sum += line.mid(line.lastIndexOf(' ') + 1).toDouble();
    return sum;
}

// A RunMetrics fed with a bit of everything: three devices, latencies in many buckets, failures expected
// and not, a retried try, faults opening and closing, links lost and back, and names that need escaping.
hil::RunMetrics &fedMetrics() {
    static hil::RunMetrics m;
    static bool fed = false;
    if (fed)
        return m;
    fed = true;
    hil::RunHeader h;
    h.uuid = QStringLiteral("0f0e0d0c-0000-4000-8000-000000000001");
    h.scenario = QStringLiteral("soak \"nightly\"\\v2\nline");
    h.fixture = QStringLiteral("bench");
    h.station = QStringLiteral("bench-3");
    h.startedAtNs = 1'796'400'000'000'000'000;
    m.runStarted(h);
    for (int i = 0; i < 300; ++i) {
        hil::StepResult r;
        r.device = QStringLiteral("d%1").arg(i % 3);
        r.step = QStringLiteral("read");
        r.latencyNs = (i % 7 == 0) ? -1 : qint64(100'000) * (i % 50 + 1) * (i % 5 + 1);
        r.verdict = i % 11 == 0 ? hil::Verdict::Fail : hil::Verdict::Pass;
        r.expected = i % 22 == 0;
        r.retried = i % 97 == 0;
        hil::MeasurementResult mr;
        mr.name = QStringLiteral("t");
        mr.value = 20 + i * 0.01;
        mr.unit = QStringLiteral("degC");
        r.measurements.append(mr);
        m.stepFinished(r);
    }
    hil::FaultRecord f;
    f.id = 1;
    f.device = QStringLiteral("d1");
    f.kind = QStringLiteral("blackout");
    m.faultStarted(f);
    hil::FaultRecord g = f;
    g.id = 2;
    g.kind = QStringLiteral("latency");
    m.faultStarted(g);
    m.faultEnded(g);
    m.eventRecorded({1, QStringLiteral("connect"), QStringLiteral("d0"), {}});
    m.eventRecorded({2, QStringLiteral("disconnect"), QStringLiteral("d0"), {}});
    m.eventRecorded({3, QStringLiteral("connect"), QStringLiteral("d1"), {}});
    m.progress(42, 12'000'000'000, 60'000'000'000);
    hil::RunCounts counts;
    counts.pass = 250;
    counts.fail = 20;
    counts.expected = 26;
    m.countsChanged(counts);
    return m;
}

} // namespace

BOOST_AUTO_TEST_CASE(exposition_passes_promtool_with_cumulative_buckets_and_escaped_labels) {
    const QByteArray text = fedMetrics().exposition();
    QString out;
    BOOST_TEST(promtoolAccepts(text, &out), str(out) << "\n" << text.toStdString());
    // Escaping: quote, backslash and newline of a label value.
    BOOST_TEST(text.contains(R"(scenario="soak \"nightly\"\\v2\nline")"));
    // Buckets never decrease and end at the count.
    for (const QString &device : {QStringLiteral("d0"), QStringLiteral("d1"), QStringLiteral("d2")}) {
        double last = 0;
        for (const QByteArray &line : text.split('\n')) {
            if (!line.startsWith(
                    QByteArray("hil_step_latency_seconds_bucket{device=\"" + device.toUtf8() + "\"")))
                continue;
            const double v = line.mid(line.lastIndexOf(' ') + 1).toDouble();
            BOOST_TEST(v >= last, line.toStdString());
            last = v;
        }
        BOOST_TEST(last
                   == sampleValue(
                       text, QStringLiteral("hil_step_latency_seconds_count{device=\"%1\"}").arg(device)));
        BOOST_TEST(last > 0);
    }
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_faults_active{device=\"d1\",kind=\"blackout\"}")) == 1);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_faults_active{device=\"d1\",kind=\"latency\"}")) == 0);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_faults_total{device=\"d1\",kind=\"latency\"}")) == 1);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_device_connected{device=\"d0\"}")) == 0);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_device_connected{device=\"d1\"}")) == 1);
    // The verdict so far follows the engine's counts; the run goes on.
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_run_verdict{verdict=\"FAIL\"}")) == 1);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_run_verdict{verdict=\"PASS\"}")) == 0);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_run_running")) == 1);
    // 300 results, 4 of them retried tries (i % 97 == 0), which no verdict counts.
    BOOST_TEST(stepsTotal(text) == 296);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_step_retries_total")) >= 1);
}

BOOST_AUTO_TEST_CASE(label_values_and_numbers_are_written_as_the_format_wants) {
    hil::PrometheusText t;
    t.family("hil_x", "gauge", "A test.");
    t.sample("hil_x", {{"a", QStringLiteral("back\\slash \"q\" new\nline")}, {"b", QStringLiteral("µ°")}},
             0.25);
    t.sample("hil_x", {}, std::numeric_limits<double>::infinity());
    t.sample("hil_x", {{"a", QString()}}, -std::numeric_limits<double>::infinity());
    t.sample("hil_x", {{"a", QStringLiteral("n")}}, std::nan(""));
    t.sample("hil_x", {{"a", QStringLiteral("big")}}, 1796400000.125);
    const QByteArray expected =
        "# HELP hil_x A test.\n# TYPE hil_x gauge\n"
        "hil_x{a=\"back\\\\slash \\\"q\\\" new\\nline\",b=\"\xc2\xb5\xc2\xb0\"} 0.25\n"
        "hil_x +Inf\n"
        "hil_x{a=\"\"} -Inf\n"
        "hil_x{a=\"n\"} NaN\n"
        "hil_x{a=\"big\"} 1796400000.125\n";
    BOOST_TEST(t.text().toStdString() == expected.toStdString());
}

BOOST_AUTO_TEST_CASE(the_final_verdict_replaces_the_one_so_far_and_faults_end_with_the_run) {
    hil::RunMetrics m;
    m.runStarted({});
    hil::FaultRecord f;
    f.id = 7;
    f.device = QStringLiteral("d");
    f.kind = QStringLiteral("power-cut");
    m.faultStarted(f);
    hil::RunCounts counts;
    counts.pass = 3;
    m.countsChanged(counts);
    BOOST_TEST(sampleValue(m.exposition(), QStringLiteral("hil_run_verdict{verdict=\"PASS\"}")) == 1);
    hil::RunSummary summary;
    summary.verdict = hil::Verdict::Error;
    summary.iterations = 5;
    summary.durationNs = 2'500'000'000;
    m.runFinished(summary);
    const QByteArray text = m.exposition();
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_run_verdict{verdict=\"ERROR\"}")) == 1);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_run_verdict{verdict=\"PASS\"}")) == 0);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_run_running")) == 0);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_run_elapsed_seconds")) == 2.5);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_faults_active{device=\"d\",kind=\"power-cut\"}")) == 0);
    BOOST_TEST(sampleValue(text, QStringLiteral("hil_faults_total{device=\"d\",kind=\"power-cut\"}")) == 1);
}

// What a scrape costs the run: the exposition of a 64-device bench, rendered under the lock the runner's
// listener calls take. Measured and reported (docs/metrics.md), not bounded: a loaded machine is slower.
BOOST_AUTO_TEST_CASE(a_bench_of_64_devices_renders_well_formed_and_its_render_time_is_reported) {
    hil::RunMetrics m;
    hil::RunHeader h;
    h.uuid = QStringLiteral("0f0e0d0c-0000-4000-8000-000000000064");
    h.scenario = QStringLiteral("soak-64");
    m.runStarted(h);
    for (int i = 0; i < 64 * 200; ++i) {
        hil::StepResult r;
        r.device = QStringLiteral("dev-%1").arg(i % 64, 2, 10, QLatin1Char('0'));
        r.step = QStringLiteral("read");
        r.latencyNs = qint64(37'000) * (i % 997 + 1);
        r.verdict = i % 13 == 0 ? hil::Verdict::Fail : i % 29 == 0 ? hil::Verdict::Error : hil::Verdict::Pass;
        r.expected = i % 26 == 0;
        for (const char *name : {"t", "rh", "v"}) {
            hil::MeasurementResult mr;
            mr.name = QString::fromLatin1(name);
            mr.value = i * 0.5;
            mr.unit = QStringLiteral("u");
            r.measurements.append(mr);
        }
        m.stepFinished(r);
    }
    for (int d = 0; d < 64; ++d) {
        const QString device = QStringLiteral("dev-%1").arg(d, 2, 10, QLatin1Char('0'));
        m.eventRecorded({d, QStringLiteral("connect"), device, {}});
        for (const char *kind : {"blackout", "latency"}) {
            hil::FaultRecord f;
            f.id = d * 2 + (kind[0] == 'b' ? 0 : 1);
            f.device = device;
            f.kind = QString::fromLatin1(kind);
            m.faultStarted(f);
        }
    }
    QByteArray text;
    std::vector<double> micros;
    for (int i = 0; i < 300; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        text = m.exposition();
        micros.push_back(
            std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(micros.begin(), micros.end());
    BOOST_TEST_MESSAGE("exposition of 64 devices: " << text.size() << " bytes, " << text.count('\n')
                                                    << " lines; render p50 " << micros[150] << " us, p99 "
                                                    << micros[297] << " us, max " << micros.back() << " us");
    QString out;
    BOOST_TEST(promtoolAccepts(text, &out), str(out));
    // 64 histograms of 15 buckets each, and every device's connection and faults.
    BOOST_TEST(text.count("hil_step_latency_seconds_bucket{") == 64 * 15);
    BOOST_TEST(text.count("hil_device_connected{") == 64);
    BOOST_TEST(text.count("hil_faults_active{") == 128);
}

BOOST_AUTO_TEST_CASE(the_grafana_dashboard_asks_only_for_metrics_that_exist) {
    QFile f(QStringLiteral(HIL_SOURCE_DIR "/docs/grafana/hil-soak.json"));
    BOOST_TEST_REQUIRE(f.open(QIODevice::ReadOnly));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    BOOST_TEST_REQUIRE(error.error == QJsonParseError::NoError, str(error.errorString()));
    QSet<QString> exported;
    static const QRegularExpression name(QStringLiteral("^(hil_[a-z_]+)"),
                                         QRegularExpression::MultilineOption);
    const QString text = QString::fromUtf8(fedMetrics().exposition());
    for (auto it = name.globalMatch(text); it.hasNext();)
        exported.insert(it.next().captured(1));
    int exprs = 0;
    static const QRegularExpression used(QStringLiteral("\\b(hil_[a-z_]+)"));
    for (const QJsonValue &panel : doc.object().value(QStringLiteral("panels")).toArray())
        for (const QJsonValue &target : panel.toObject().value(QStringLiteral("targets")).toArray()) {
            const QString expr = target.toObject().value(QStringLiteral("expr")).toString();
            ++exprs;
            for (auto it = used.globalMatch(expr); it.hasNext();) {
                const QString metric = it.next().captured(1);
                BOOST_TEST(exported.contains(metric), str(metric) << " in " << str(expr));
            }
        }
    BOOST_TEST(exprs >= 8);
}

BOOST_AUTO_TEST_CASE(a_live_run_is_served_and_scraped_by_a_real_prometheus) {
    Workspace ws;
    Child run(hilPath(),
              {QStringLiteral("run"), QStringLiteral(HIL_SOURCE_DIR "/scenarios/network-loss-recovery.yaml"),
               QStringLiteral("--fixture"), QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"),
               QStringLiteral("--for"), QStringLiteral("20s"), QStringLiteral("--db"), ws.db(),
               QStringLiteral("--quiet"), QStringLiteral("--metrics"), QStringLiteral("127.0.0.1:0")},
              ws.dir.path());
    static const QRegularExpression served(
        QStringLiteral("metrics: serving http://127\\.0\\.0\\.1:(\\d+)/metrics"));
    QRegularExpressionMatch m;
    BOOST_TEST_REQUIRE(waitUntil([&] { return (m = served.match(run.stderrText())).hasMatch(); }, 15000, 50),
                       str(run.stderrText()));
    const quint16 port = static_cast<quint16>(m.captured(1).toUInt());
    // Two scrapes a while apart: well formed, and the counters move.
    QByteArray first;
    BOOST_TEST_REQUIRE(waitUntil(
        [&] {
            return stepsTotal(first = httpGet(QStringLiteral("127.0.0.1"), port, QStringLiteral("/metrics")))
                   > 0;
        },
        10000, 200));
    QString out;
    BOOST_TEST(promtoolAccepts(first, &out), str(out));
    BOOST_TEST(first.contains("hil_run_info{run_uuid=\""));
    BOOST_TEST(sampleValue(first, QStringLiteral("hil_run_running")) == 1);
    BOOST_TEST(sampleValue(first, QStringLiteral("hil_run_planned_seconds")) == 20);
    BOOST_TEST(sampleValue(first, QStringLiteral("hil_device_connected{device=\"sensor\"}")) == 1);
    // The scenario's blackout (3 s of the run, from 3 s on) is seen acting while it acts.
    QByteArray during;
    BOOST_TEST(waitUntil(
                   [&] {
                       during = httpGet(QStringLiteral("127.0.0.1"), port, QStringLiteral("/metrics"));
                       return sampleValue(
                                  during,
                                  QStringLiteral("hil_faults_active{device=\"sensor\",kind=\"blackout\"}"))
                              == 1;
                   },
                   15000, 100),
               during.toStdString() << "\nhil run: " << (run.running() ? "running" : "ended") << "\n"
                                    << str(run.stderrText()));

    // A real Prometheus scraping it every second.
    const quint16 promPort = [] {
        QTcpServer s;
        s.listen(QHostAddress::LocalHost, 0);
        return s.serverPort();
    }();
    ws.write("prometheus.yml", QStringLiteral("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                                              "scrape_configs:\n"
                                              "  - job_name: hil\n"
                                              "    static_configs: [{targets: ['127.0.0.1:%1']}]\n")
                                   .arg(port));
    Child prometheus(QStringLiteral("prometheus"),
                     {QStringLiteral("--config.file=") + ws.path("prometheus.yml"),
                      QStringLiteral("--storage.tsdb.path=") + ws.path("tsdb"),
                      QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(promPort)},
                     ws.dir.path());
    QByteArray answer;
    const bool found = waitUntil(
        [&] {
            answer = httpGet(QStringLiteral("127.0.0.1"), promPort,
                             QStringLiteral("/api/v1/query?query=sum(hil_steps_total)"));
            const QJsonArray result = QJsonDocument::fromJson(answer)
                                          .object()
                                          .value(QStringLiteral("data"))
                                          .toObject()
                                          .value(QStringLiteral("result"))
                                          .toArray();
            return !result.isEmpty()
                   && result.first()
                              .toObject()
                              .value(QStringLiteral("value"))
                              .toArray()
                              .at(1)
                              .toString()
                              .toDouble()
                          > 0;
        },
        30000, 500);
    BOOST_TEST(found, "Prometheus has the run's steps: " << answer.toStdString() << "\n"
                                                         << str(prometheus.stderrText().right(2000)));
    const QByteArray targets =
        httpGet(QStringLiteral("127.0.0.1"), promPort, QStringLiteral("/api/v1/targets"));
    BOOST_TEST(targets.contains("\"health\":\"up\""), targets.toStdString());
    const QByteArray quantile = httpGet(
        QStringLiteral("127.0.0.1"), promPort,
        QStringLiteral(
            "/api/v1/query?query=histogram_quantile(0.99,sum%20by%20(le)(hil_step_latency_seconds_bucket))"));
    BOOST_TEST(quantile.contains("\"status\":\"success\""), quantile.toStdString());

    const QByteArray later = httpGet(QStringLiteral("127.0.0.1"), port, QStringLiteral("/metrics"));
    BOOST_TEST(stepsTotal(later) > stepsTotal(first));
    BOOST_TEST(run.waitFinished(40000));
    BOOST_TEST(run.process().exitCode() <= 1);
}

BOOST_AUTO_TEST_CASE(a_taken_port_or_a_bad_address_stops_the_run_before_it_starts) {
    Workspace ws;
    QTcpServer taken;
    BOOST_TEST_REQUIRE(taken.listen(QHostAddress::LocalHost, 0));
    const QStringList base = {
        QStringLiteral("run"),       QStringLiteral(HIL_SOURCE_DIR "/scenarios/smoke.yaml"),
        QStringLiteral("--fixture"), QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-bench.yaml"),
        QStringLiteral("--db"),      ws.db(),
        QStringLiteral("--metrics")};
    const auto busy =
        runHil(base + QStringList{QStringLiteral("127.0.0.1:%1").arg(taken.serverPort())}, ws.dir.path());
    BOOST_TEST(busy.exitCode == 3);
    BOOST_TEST(busy.err.contains(QStringLiteral("cannot listen")), str(busy.err));
    BOOST_TEST(!QFileInfo::exists(ws.db()), "nothing was recorded");
    const auto bad = runHil(base + QStringList{QStringLiteral("nine:thousand")}, ws.dir.path());
    BOOST_TEST(bad.exitCode == 2);
    BOOST_TEST(bad.err.contains(QStringLiteral("is not HOST:PORT")), str(bad.err));
}
