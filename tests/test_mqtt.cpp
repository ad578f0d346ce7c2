// MQTT devices against a real mosquitto broker started by each test: publish/expect round trips, topic
// filters, a broker that refuses the connection, bad topic filters, sequence counting on streams, link
// faults on the device's link and `hil proxy` between hil and the broker.

#define BOOST_TEST_MODULE mqtt
#include "core/config/mqttmessage.h"
#include "core/config/mqtttopic.h"
#include "core/run/streamtally.h"
#include "core/session/mqttframer.h"
#include "core/transport/mqttrecord.h"
#include "support/harness.h"
#include "support/mosquittobroker.h"

#include <QRegularExpression>
#include <boost/test/unit_test.hpp>

using namespace hiltest;

namespace {

BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

const QString kPub = QStringLiteral("/usr/bin/mosquitto_pub");
const QString kSub = QStringLiteral("/usr/bin/mosquitto_sub");

QString fixtureText(const MosquittoBroker &broker, const QString &extra = {}) {
    return QStringLiteral("devices:\n  cloud:\n    mqtt: {broker: %1, client_id: hil-test, qos: 1%2}\n")
        .arg(broker.address(), extra);
}

HilResult run(const Workspace &ws, const QStringList &extra = {}) {
    return runHil(QStringList{QStringLiteral("run"), QStringLiteral("-f"), ws.path("fixture.yaml"),
                              QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")}
                      + extra + QStringList{ws.path("scenario.yaml")},
                  ws.dir.path());
}

bool filterMatches(const QString &filter, const QString &topic) {
    return QRegularExpression(QStringLiteral("\\A(?:%1)\\z").arg(hil::mqttTopicFilterRegex(filter)))
        .match(topic)
        .hasMatch();
}

} // namespace

BOOST_AUTO_TEST_SUITE(topics)

BOOST_AUTO_TEST_CASE(filters_select_topics_as_mqtt_says) {
    BOOST_TEST(filterMatches(QStringLiteral("dev/+/pong"), QStringLiteral("dev/7/pong")));
    BOOST_TEST(!filterMatches(QStringLiteral("dev/+/pong"), QStringLiteral("dev/7/8/pong")));
    BOOST_TEST(filterMatches(QStringLiteral("dev/#"), QStringLiteral("dev")));
    BOOST_TEST(filterMatches(QStringLiteral("dev/#"), QStringLiteral("dev/a/b")));
    BOOST_TEST(!filterMatches(QStringLiteral("dev/#"), QStringLiteral("devices/a")));
    BOOST_TEST(filterMatches(QStringLiteral("+/+"), QStringLiteral("/x")));
    BOOST_TEST(!filterMatches(QStringLiteral("#"), QStringLiteral("$SYS/broker/uptime")));
    BOOST_TEST(filterMatches(QStringLiteral("a.b/(c)"), QStringLiteral("a.b/(c)")));
    BOOST_TEST(!filterMatches(QStringLiteral("a.b"), QStringLiteral("axb")));
    int at = -1;
    BOOST_TEST(!hil::mqttTopicFilterProblem(QStringLiteral("a/b#"), &at).isEmpty());
    BOOST_TEST(at == 3);
    BOOST_TEST(!hil::mqttTopicFilterProblem(QStringLiteral("a/#/c"), &at).isEmpty());
    BOOST_TEST(at == 2);
    BOOST_TEST(!hil::mqttTopicFilterProblem(QStringLiteral("a/x+"), &at).isEmpty());
    BOOST_TEST(!hil::mqttTopicFilterProblem(QString(), &at).isEmpty());
    BOOST_TEST(hil::mqttTopicFilterProblem(QStringLiteral("+/x/#"), &at).isEmpty());
}

BOOST_AUTO_TEST_CASE(send_text_and_records_round_trip_through_the_framer) {
    hil::MqttFramer framer(4096);
    QString error;
    const auto bytes = framer.encode("dev/1/cmd\nqos 2 retain\nline one\nline two", &error);
    BOOST_REQUIRE(bytes.has_value());
    QByteArray buffer = *bytes;
    const auto m = hil::takeMqttRecord(buffer, &error);
    BOOST_REQUIRE(m.has_value());
    BOOST_TEST(m->topic == QByteArray("dev/1/cmd"));
    BOOST_TEST(m->payload == QByteArray("line one\nline two"));
    BOOST_TEST(m->qos == 2);
    BOOST_TEST(m->retain);
    BOOST_TEST(buffer.isEmpty());
    // Split anywhere, two records give two frames.
    const QByteArray two = *bytes + hil::encodeMqttRecord({"a/b", "x", 0, false});
    QList<QByteArray> frames;
    for (qsizetype i = 0; i < two.size(); ++i)
        framer.push(QByteArrayView(two).sliced(i, 1), [&](hil::Framer::Frame &&f) { frames.append(f.data); });
    BOOST_TEST(frames.size() == 2);
    BOOST_TEST(frames.value(0) == QByteArray("dev/1/cmd\nline one\nline two"));
    BOOST_TEST(frames.value(1) == QByteArray("a/b\nx"));
    BOOST_TEST(!framer.encode("dev/+/cmd\nqos 0\nx", &error).has_value());
    BOOST_TEST(error.contains(QStringLiteral("wildcard")));
    BOOST_TEST(!framer.encode("dev/1\nqos 3\nx", &error).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(broker)

// publish -> broker -> subscription -> expect: latency recorded, the payload's capture measured, and a
// capture of one exchange used in the next publish.
BOOST_AUTO_TEST_CASE(publish_expect_round_trip_records_latency) {
    MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    Workspace ws;
    ws.write("fixture.yaml", fixtureText(broker));
    ws.write("scenario.yaml", QStringLiteral(R"(steps:
  - name: ping
    publish: {to: cloud, topic: "dev/1/pong", payload: "pong 41", qos: 1}
    expect: {from: cloud, topic: "dev/+/pong", match: '^pong (?<n>\d+)$', within: 2s}
    measure: {n: {limits: [41, 41]}}
  - name: again
    publish: {to: cloud, topic: "dev/2/pong", payload: "pong ${n + 1}"}
    expect: {from: cloud, topic: "dev/2/#", match: '^pong (?<m>\d+)$', within: 2s}
    measure: {m: {limits: [42, 42]}}
)"));
    const HilResult r = run(ws);
    BOOST_TEST(r.exitCode == 0, str(r.err));
    Database db(ws.db());
    const auto rows = db.rows("SELECT step, verdict, latency_ns, response FROM step_results ORDER BY id");
    BOOST_REQUIRE(rows && rows->size() == 2);
    for (const auto &row : *rows) {
        BOOST_TEST(row[1].toString() == QStringLiteral("PASS"));
        BOOST_TEST(row[2].toLongLong() > 0);
    }
    BOOST_TEST((*rows)[0][3].toString() == QStringLiteral("dev/1/pong\npong 41"));
    BOOST_TEST((*rows)[1][3].toString() == QStringLiteral("dev/2/pong\npong 42"));
    BOOST_TEST(db.count("SELECT value FROM measurements WHERE name = 'm'") == 42);
}

// A message published by another client (retained, so it waits for the subscription) matched by a
// topic filter, with captures from the payload measured against limits.
BOOST_AUTO_TEST_CASE(expect_on_a_topic_filter_captures_and_measures) {
    MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    BOOST_REQUIRE(
        runMosquittoClient(kPub, {QStringLiteral("-p"), QString::number(broker.port()), QStringLiteral("-r"),
                                  QStringLiteral("-t"), QStringLiteral("gw/7/reading"), QStringLiteral("-m"),
                                  QStringLiteral(R"({"temp":21.5,"seq":3})")}));
    Workspace ws;
    ws.write("fixture.yaml", fixtureText(broker));
    ws.write("scenario.yaml", QStringLiteral(R"(steps:
  - expect: {from: cloud, topic: "gw/+/reading", match: '"temp":(?<temp>[-\d.]+)', within: 3s}
    measure: {temp: {unit: degC, limits: [20, 25]}}
  - expect: {from: cloud, topic: "gw/+/reading", match: '"temp":(?<temp2>[-\d.]+)', within: 200ms}
)"));
    const HilResult r = run(ws);
    BOOST_TEST(r.exitCode == 1, str(r.err)); // the second expect gets no second message
    Database db(ws.db());
    BOOST_TEST(db.strings("SELECT verdict FROM step_results ORDER BY id")
               == QStringList({QStringLiteral("PASS"), QStringLiteral("FAIL")}));
    const auto m = db.rows("SELECT value, unit FROM measurements WHERE name = 'temp'");
    BOOST_REQUIRE(m && m->size() == 1);
    BOOST_TEST((*m)[0][0].toDouble() == 21.5);
    BOOST_TEST((*m)[0][1].toString() == QStringLiteral("degC"));
}

BOOST_AUTO_TEST_CASE(a_broker_that_refuses_is_an_error_with_its_reason) {
    MosquittoBroker broker(MosquittoBroker::Options{false, {}});
    BOOST_REQUIRE(broker.ready());
    Workspace ws;
    ws.write("fixture.yaml", fixtureText(broker));
    ws.write("scenario.yaml", QStringLiteral(R"(steps:
  - publish: {topic: "a/b", payload: x}
    expect: {topic: "a/b", within: 1s}
)"));
    const HilResult r = run(ws);
    BOOST_TEST(r.exitCode == 3);
    BOOST_TEST(r.err.contains(QStringLiteral("cloud")), str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("refused the connection: not authorised")), str(r.err));
}

// No broker on the port: the device's proxy accepts and closes, and the message names the broker.
BOOST_AUTO_TEST_CASE(no_broker_is_an_error_naming_the_broker) {
    const quint16 port = MosquittoBroker::freePort();
    Workspace ws;
    ws.write("fixture.yaml",
             QStringLiteral("devices:\n  cloud:\n    mqtt: {broker: 127.0.0.1:%1, client_id: hil-test}\n")
                 .arg(port));
    ws.write("scenario.yaml", QStringLiteral("steps:\n  - expect: {topic: a/b, within: 1s}\n"));
    const HilResult r = run(ws);
    BOOST_TEST(r.exitCode == 3);
    BOOST_TEST(r.err.contains(QStringLiteral("mqtt 127.0.0.1:%1").arg(port)), str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("no connection to the broker")), str(r.err));
}

// A topic filled in by the run that is not a topic name: that step is an ERROR saying why.
BOOST_AUTO_TEST_CASE(a_topic_computed_as_a_wildcard_is_an_error_of_its_step) {
    MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    BOOST_REQUIRE(
        runMosquittoClient(kPub, {QStringLiteral("-p"), QString::number(broker.port()), QStringLiteral("-r"),
                                  QStringLiteral("-t"), QStringLiteral("cfg/next"), QStringLiteral("-m"),
                                  QStringLiteral("next=+")}));
    Workspace ws;
    ws.write("fixture.yaml", fixtureText(broker));
    ws.write("scenario.yaml", QStringLiteral(R"(steps:
  - expect: {topic: cfg/next, match: '^next=(?<next>.+)$', within: 3s}
  - name: publish there
    publish: {topic: "dev/${next}/cmd", payload: go}
    expect: {topic: "dev/#", within: 500ms}
)"));
    const HilResult r = run(ws);
    BOOST_TEST(r.exitCode == 3, str(r.err));
    Database db(ws.db());
    const auto rows = db.rows("SELECT verdict, message FROM step_results WHERE step = 'publish there'");
    BOOST_REQUIRE(rows && rows->size() == 1);
    BOOST_TEST((*rows)[0][0].toString() == QStringLiteral("ERROR"));
    BOOST_TEST((*rows)[0][1].toString().contains(QStringLiteral("topic 'dev/+/cmd' has a wildcard")),
               str((*rows)[0][1]));
}

BOOST_AUTO_TEST_CASE(a_malformed_topic_filter_is_bad_input_at_its_column) {
    MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    Workspace ws;
    ws.write("fixture.yaml", fixtureText(broker));
    ws.write("scenario.yaml", QStringLiteral(R"(steps:
  - expect: {from: cloud, topic: "gw/#/reading", within: 1s}
  - publish: {to: cloud, topic: dev/+/cmd, payload: x}
)"));
    const HilResult r = run(ws);
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(QStringLiteral("scenario.yaml:2:38: bad topic filter 'gw/#/reading'")),
               str(r.err));
    BOOST_TEST(
        r.err.contains(QStringLiteral("scenario.yaml:3:37: publish: topic 'dev/+/cmd' has a wildcard")),
        str(r.err));
    BOOST_TEST((!QFileInfo::exists(ws.db()) || Database(ws.db()).count("SELECT count(*) FROM runs") <= 0));
}

// Numbered messages published by mosquitto_pub with one missing and one sent twice on one topic, a clean
// sequence on another: counted per topic, and the summary FAILs on the loss and the duplicate.
BOOST_AUTO_TEST_CASE(a_stream_counts_lost_and_duplicated_messages_per_topic) {
    MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    Workspace ws;
    ws.write("fixture.yaml", fixtureText(broker));
    ws.write("scenario.yaml", QStringLiteral(R"(steps:
  - publish: {to: cloud, topic: hil/ready, payload: "1"}
  - stream: {from: cloud, topic: "gw/+/reading", for: 4s, match: '"seq":(?<seq>\d+)', sequence: seq, max_gap: 10s}
)"));
    Child hil(hilPath(),
              {QStringLiteral("run"), QStringLiteral("-f"), ws.path("fixture.yaml"), QStringLiteral("--db"),
               ws.db(), QStringLiteral("--quiet"), ws.path("scenario.yaml")},
              ws.dir.path());
    // The run is subscribed once it has published hil/ready.
    const QStringList port = {QStringLiteral("-p"), QString::number(broker.port())};
    BOOST_REQUIRE(runMosquittoClient(
        kSub, port
                  + QStringList{QStringLiteral("-t"), QStringLiteral("hil/ready"), QStringLiteral("-C"),
                                QStringLiteral("1"), QStringLiteral("-W"), QStringLiteral("15")}));
    QByteArray one, two;
    for (int seq : {1, 2, 3, 5, 5, 6})
        one += QStringLiteral("{\"seq\":%1}\n").arg(seq).toUtf8();
    for (int seq : {1, 2, 3})
        two += QStringLiteral("{\"seq\":%1}\n").arg(seq).toUtf8();
    BOOST_REQUIRE(
        runMosquittoClient(kPub,
                           port
                               + QStringList{QStringLiteral("-q"), QStringLiteral("1"), QStringLiteral("-t"),
                                             QStringLiteral("gw/1/reading"), QStringLiteral("-l")},
                           nullptr, one));
    BOOST_REQUIRE(
        runMosquittoClient(kPub,
                           port
                               + QStringList{QStringLiteral("-q"), QStringLiteral("1"), QStringLiteral("-t"),
                                             QStringLiteral("gw/2/reading"), QStringLiteral("-l")},
                           nullptr, two));
    BOOST_REQUIRE(hil.waitFinished(30000));
    BOOST_TEST(hil.process().exitCode() == 1, str(hil.stderrText()));
    Database db(ws.db());
    const auto value = [&](const char *name) {
        return db.value("SELECT value FROM measurements WHERE name = ?", {QString::fromLatin1(name)})
            .toDouble();
    };
    BOOST_TEST(value("lost") == 1.0);
    BOOST_TEST(value("duplicates") == 1.0);
    BOOST_TEST(value("reordered") == 0.0);
    const QString message =
        db.value("SELECT message FROM step_results WHERE step LIKE 'stream%' AND verdict = 'FAIL'")
            .toString();
    BOOST_TEST(message.contains(
                   QStringLiteral("gw/1/reading: 1..6 lost 1, 1 duplicate(s), 0 reordered, first missing 4")),
               str(message));
    BOOST_TEST(!message.contains(QStringLiteral("gw/2/reading")), str(message));
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE step LIKE 'stream%'")
               == 10); // 9 rows + summary
}

// A blackout and then a disconnect on the MQTT device's link (its in-process proxy to the broker): the
// exchanges inside them fail as expected, the client reconnects, and the device recovers.
BOOST_AUTO_TEST_CASE(link_faults_on_an_mqtt_device_fail_expectedly_and_recover) {
    MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    Workspace ws;
    ws.write("fixture.yaml", fixtureText(broker, QStringLiteral(", keepalive: 5s")));
    ws.write("scenario.yaml", QStringLiteral(R"(faults:
  - {at: 1s, for: 1s, on: cloud, link: blackout, recover: {within: 8s}}
  - {at: 4s, for: 1s, on: cloud, link: disconnect, recover: {within: 8s}}
steps:
  - publish: {to: cloud, topic: "dev/1/echo", payload: "echo"}
    expect: {from: cloud, topic: "dev/1/echo", match: '^echo$', within: 300ms}
    repeat: {for: 8s, every: 200ms}
)"));
    const HilResult r = run(ws);
    BOOST_TEST(r.exitCode == 0, str(r.err));
    Database db(ws.db());
    BOOST_TEST(db.count("SELECT n_expected FROM runs") > 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'") > 10);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict <> 'PASS' AND expected = 0") == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'disconnect' AND device = 'cloud'") >= 1);
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'reconnect' AND device = 'cloud'") >= 1);
    BOOST_TEST(db.count("SELECT count(*) FROM faults WHERE device = 'cloud' AND recovery_ns IS NOT NULL")
               == 2);
    // On TCP the blackout held the bytes and delivered them after (docs/faults.md): delayed, none dropped.
    BOOST_TEST(db.count("SELECT bytes_delayed FROM faults WHERE kind = 'blackout'") > 0);
    BOOST_TEST(db.count("SELECT bytes_dropped FROM faults WHERE kind = 'blackout'") == 0);
}

// `hil proxy` (the command) between hil and the broker, with a latency fault: MQTT passes through it
// unchanged, a little later.
BOOST_AUTO_TEST_CASE(hil_proxy_carries_mqtt_with_its_faults) {
    MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    Child proxy(hilPath(),
                {QStringLiteral("proxy"), QStringLiteral("--upstream"), broker.address(),
                 QStringLiteral("--quiet"), QStringLiteral("--fault"), QStringLiteral("latency:delay=50ms")});
    const QString ready = proxy.firstLine(10000);
    BOOST_REQUIRE_MESSAGE(ready.startsWith(QStringLiteral("READY proxy ")), str(ready));
    const QString address = ready.mid(QStringLiteral("READY proxy ").size());
    Workspace ws;
    ws.write("fixture.yaml",
             QStringLiteral("devices:\n  cloud:\n    mqtt: {broker: %1, client_id: via-proxy, qos: 1}\n")
                 .arg(address));
    ws.write("scenario.yaml", QStringLiteral(R"(steps:
  - publish: {to: cloud, topic: "dev/1/echo", payload: "echo 5", qos: 1}
    expect: {from: cloud, topic: "dev/1/echo", match: '^echo (?<n>\d+)$', within: 3s}
    measure: {n: {limits: [5, 5]}}
    repeat: {count: 5}
)"));
    const HilResult r = run(ws);
    BOOST_TEST(r.exitCode == 0, str(r.err));
    Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'") == 5);
    // Through the proxy each way: at least 100 ms publish -> echo.
    BOOST_TEST(db.count("SELECT min(latency_ns) FROM step_results") >= 100'000'000);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(shipped)

// scenarios/mqtt-echo.yaml on fixtures/sim-mqtt.yaml, the broker moved to the test's own port.
BOOST_AUTO_TEST_CASE(the_mqtt_echo_example_passes_through_its_blackout) {
    MosquittoBroker broker;
    BOOST_REQUIRE(broker.ready());
    Workspace ws;
    QFile fixture(QStringLiteral(HIL_SOURCE_DIR "/fixtures/sim-mqtt.yaml"));
    BOOST_REQUIRE(fixture.open(QIODevice::ReadOnly));
    QString text = QString::fromUtf8(fixture.readAll());
    BOOST_REQUIRE(text.contains(QStringLiteral("127.0.0.1:1883")));
    ws.write("fixture.yaml", text.replace(QStringLiteral("127.0.0.1:1883"), broker.address()));
    const HilResult r = runHil({QStringLiteral("run"), QStringLiteral("-f"), ws.path("fixture.yaml"),
                                QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet"),
                                QStringLiteral(HIL_SOURCE_DIR "/scenarios/mqtt-echo.yaml")},
                               ws.dir.path());
    BOOST_TEST(r.exitCode == 0, str(r.err));
    Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE step = 'echo' AND verdict = 'PASS'") > 10);
    BOOST_TEST(db.count("SELECT count(*) FROM faults WHERE kind = 'blackout' AND recovery_ns IS NOT NULL")
               == 1);
}

// Sequence counting without a broker: numbers out of order are reordered, not lost; one key without a topic.
BOOST_AUTO_TEST_CASE(sequence_counts_reordered_lines_apart_from_lost_ones) {
    hil::StreamSpec spec;
    spec.device = QStringLiteral("d");
    spec.window = std::chrono::seconds(10);
    spec.match = QRegularExpression(QStringLiteral("n=(?<n>\\d+)"));
    spec.maxGap = std::chrono::seconds(10);
    spec.sequence = hil::StreamSpec::Sequence{QStringLiteral("n"), 0, 0, 1};
    hil::StreamTally tally(spec, 0, true);
    qint64 t = 0;
    for (int n : {1, 2, 4, 3, 5, 8})
        tally.line(t += 1'000'000, QStringLiteral("n=%1").arg(n).toUtf8());
    hil::StepResult summary;
    tally.finish(t + 1'000'000, summary);
    QMap<QString, double> m;
    for (const auto &x : summary.measurements)
        m.insert(x.name, x.value);
    BOOST_TEST(m.value(QStringLiteral("lost")) == 2.0);      // 6 and 7
    BOOST_TEST(m.value(QStringLiteral("reordered")) == 1.0); // 3 after 4, within its limit of 1
    BOOST_TEST(m.value(QStringLiteral("duplicates")) == 0.0);
    BOOST_TEST((summary.verdict == hil::Verdict::Fail));
    BOOST_TEST(summary.message.contains(QStringLiteral("first missing 6..7")), str(summary.message));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(tls)

namespace {

bool openssl(const QStringList &args, const QString &dir) {
    QProcess p;
    p.setWorkingDirectory(dir);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("openssl"), args);
    const bool ok = p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!ok)
        BOOST_TEST_MESSAGE("openssl " << str(args.join(u' ')) << ": " << p.readAll().toStdString());
    return ok;
}

} // namespace

// A broker with a certificate for 127.0.0.1 signed by a CA of the test's: the device verifies it through
// its fault proxy (which it reaches at 127.0.0.1), and one that trusts another CA cannot connect.
BOOST_AUTO_TEST_CASE(a_tls_broker_is_verified_against_the_ca) {
    Workspace ws;
    const QString d = ws.dir.path();
    ws.write("san.ext", QStringLiteral("subjectAltName=IP:127.0.0.1\n"));
    const QString days = QStringLiteral("1");
    BOOST_REQUIRE(
        openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                 QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                 QStringLiteral("ca.key"), QStringLiteral("-out"), QStringLiteral("ca.pem"),
                 QStringLiteral("-days"), days, QStringLiteral("-subj"), QStringLiteral("/CN=hil-test-ca")},
                d));
    BOOST_REQUIRE(
        openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                 QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                 QStringLiteral("other.key"), QStringLiteral("-out"), QStringLiteral("other.pem"),
                 QStringLiteral("-days"), days, QStringLiteral("-subj"), QStringLiteral("/CN=other-ca")},
                d));
    BOOST_REQUIRE(openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                           QStringLiteral("-nodes"), QStringLiteral("-keyout"), QStringLiteral("server.key"),
                           QStringLiteral("-out"), QStringLiteral("server.csr"), QStringLiteral("-subj"),
                           QStringLiteral("/CN=127.0.0.1")},
                          d));
    BOOST_REQUIRE(openssl(
        {QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), QStringLiteral("server.csr"),
         QStringLiteral("-CA"), QStringLiteral("ca.pem"), QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
         QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), QStringLiteral("server.pem"),
         QStringLiteral("-days"), days, QStringLiteral("-extfile"), QStringLiteral("san.ext")},
        d));
    MosquittoBroker broker(MosquittoBroker::Options{
        true, QStringLiteral("cafile %1\ncertfile %2\nkeyfile %3\n")
                  .arg(ws.path("ca.pem"), ws.path("server.pem"), ws.path("server.key"))});
    BOOST_REQUIRE(broker.ready());
    ws.write("scenario.yaml", QStringLiteral(R"(steps:
  - publish: {topic: "secure/1", payload: "hello 3"}
    expect: {topic: "secure/#", match: '^hello (?<n>\d+)$', within: 2s}
)"));
    ws.write("fixture.yaml", fixtureText(broker, QStringLiteral(", tls: {ca: ca.pem}")));
    HilResult r = run(ws);
    BOOST_TEST(r.exitCode == 0, str(r.err));
    BOOST_TEST(Database(ws.db()).count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'") == 1);
    // Another CA: the handshake fails, an ERROR before the first step.
    ws.write("fixture.yaml", fixtureText(broker, QStringLiteral(", tls: {ca: other.pem}")));
    r = run(ws);
    BOOST_TEST(r.exitCode == 3, str(r.err));
    BOOST_TEST(r.err.contains(QStringLiteral("cloud")), str(r.err));
}

BOOST_AUTO_TEST_SUITE_END()
