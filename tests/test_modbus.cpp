// Modbus TCP and RTU end to end against a peer nobody here wrote: Debian's pymodbus server
// (tests/support/modbus_server.py), over TCP and over a socat PTY pair (RTU), with link faults between
// them and `hil proxy` in front. Every case runs the real `hil` and reads the results database.
#define BOOST_TEST_MODULE modbus
#include "core/base/crc.h"
#include "core/config/fixtureloader.h"
#include "core/config/scenarioloader.h"
#include "core/run/fielddecode.h"
#include "core/session/modbusframer.h"
#include "support/eventloop.h"
#include "support/harness.h"
#include "support/pymodbus.h"

#include <QFileInfo>
#include <QStandardPaths>
#include <boost/test/unit_test.hpp>

using namespace hiltest;

namespace {

using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

QString python() {
    return hiltest::debianPython();
}
QString serverScript() {
    return QStringLiteral(HIL_MODBUS_SERVER);
}

// The pymodbus server as a child process: "--tcp 0" or "--serial PATH"; `ready` is what it printed.
struct PyServer {
    Child child;
    QString ready;
    explicit PyServer(const QStringList &args)
        : child(python(), QStringList{serverScript()} + args) {
        const QString line = child.firstLine(20000);
        BOOST_REQUIRE_MESSAGE(line.startsWith(u"READY "),
                              "pymodbus server did not start: " << str(line) << str(child.stderrText()));
        ready = line.mid(6);
    }
};

// A socat PTY pair: hil opens `a`, the server `b`.
struct PtyPair {
    QString a, b;
    std::unique_ptr<Child> socat;
    explicit PtyPair(const Workspace &ws) {
        const QString exe = QStandardPaths::findExecutable(QStringLiteral("socat"));
        BOOST_REQUIRE_MESSAGE(!exe.isEmpty(), "socat is not installed (cmake/setup.sh installs it)");
        a = ws.path("ttyHIL");
        b = ws.path("ttyPLC");
        socat = std::make_unique<Child>(exe, QStringList{QStringLiteral("-d"), QStringLiteral("-d"),
                                                         QStringLiteral("pty,raw,echo=0,link=%1").arg(a),
                                                         QStringLiteral("pty,raw,echo=0,link=%1").arg(b)});
        BOOST_REQUIRE_MESSAGE(waitUntil([&] {
                                  return QFileInfo::exists(a) && QFileInfo::exists(b)
                                         && socat->stderrText().contains(u"starting data transfer loop");
                              }),
                              "socat pty pair did not come up: " << str(socat->stderrText()));
    }
};

QString tcpFixture(const QString &port, int unit = 1) {
    return QStringLiteral("name: modbus-tcp\ndevices:\n  plc:\n    modbus: {tcp: 127.0.0.1:%1, unit: %2}\n"
                          "    timeout: 500ms\n")
        .arg(port)
        .arg(unit);
}

HilResult run(const Workspace &ws, const QString &scenario, const QString &fixture) {
    ws.write("scenario.yaml", scenario);
    ws.write("fixture.yaml", fixture);
    return runHil({QStringLiteral("run"), ws.path("scenario.yaml"), QStringLiteral("--fixture"),
                   ws.path("fixture.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
                  ws.dir.path());
}

// name -> value of the run's measurements (the last of each name).
QMap<QString, double> measurements(const Workspace &ws) {
    QMap<QString, double> out;
    const Database db(ws.db());
    for (const auto &row :
         db.rows("SELECT name, value FROM measurements ORDER BY id").value_or(QList<Database::Row>()))
        out.insert(row[0].toString(), row[1].toDouble());
    return out;
}

QStringList verdicts(const Workspace &ws) {
    QStringList out;
    const Database db(ws.db());
    for (const auto &row :
         db.rows("SELECT verdict || ': ' || coalesce(message, '') FROM step_results ORDER BY id")
             .value_or(QList<Database::Row>()))
        out.append(row[0].toString());
    return out;
}

const QString kReadsAndWrites = QStringLiteral(R"(name: modbus-read-write
devices: [plc]
steps:
  - modbus: {to: plc, read_holding: {address: 0, count: 2}, names: [h0, h1]}
    measure: {h0: {limits: [1000, 1000]}, h1: {limits: [1001, 1001]}}
  - modbus: {to: plc, write_register: {address: 5, value: 4242}}
  - modbus: {to: plc, read_holding: {address: 5, count: 1}, names: [w5]}
    measure: {w5: {limits: [4242, 4242]}}
  - modbus: {to: plc, write_registers: {address: 10, values: [1, 0x0203, 65535]}}
  - modbus: {to: plc, read_holding: {address: 10, count: 3}, names: [m0, m1, m2]}
    measure: {m0: {limits: [1, 1]}, m1: {limits: [515, 515]}, m2: {limits: [65535, 65535]}}
  - modbus: {to: plc, read_input: {address: 3, count: 2}}
    measure: {r0: {limits: [2003, 2003]}, r1: {limits: [2004, 2004]}}
  - modbus: {to: plc, write_coil: {address: 1, value: true}}
  - modbus: {to: plc, read_coils: {address: 0, count: 4}, names: [k0, k1, k2, k3]}
    measure: {k0: {limits: [1, 1]}, k1: {limits: [1, 1]}, k2: {limits: [0, 0]}, k3: {limits: [1, 1]}}
  - modbus: {to: plc, read_discrete: {address: 0, count: 3}}
    measure: {c0: {limits: [0, 0]}, c1: {limits: [1, 1]}, c2: {limits: [0, 0]}}
)");

void checkReadsAndWrites(const Workspace &ws, const HilResult &r) {
    BOOST_TEST_INFO("stdout: " << str(r.out) << "\nstderr: " << str(r.err));
    BOOST_TEST(r.exitCode == 0);
    const QStringList v = verdicts(ws);
    BOOST_TEST(v.size() == 9);
    for (const QString &s : v)
        BOOST_TEST(s.startsWith(u"PASS"), str(s));
    const QMap<QString, double> m = measurements(ws);
    BOOST_TEST(m.value(QStringLiteral("h0")) == 1000.0);
    BOOST_TEST(m.value(QStringLiteral("w5")) == 4242.0);
    BOOST_TEST(m.value(QStringLiteral("m1")) == 515.0);
    BOOST_TEST(m.value(QStringLiteral("m2")) == 65535.0);
    BOOST_TEST(m.value(QStringLiteral("r1")) == 2004.0);
    BOOST_TEST(m.value(QStringLiteral("k1")) == 1.0);
    BOOST_TEST(m.value(QStringLiteral("c1")) == 1.0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(framer)

BOOST_AUTO_TEST_CASE(rtu_cuts_responses_checks_crc_and_resyncs) {
    hil::ModbusRtuFramer f;
    QList<hil::Framer::Frame> frames;
    const auto sink = [&](hil::Framer::Frame &&fr) { frames.append(std::move(fr)); };
    QString error;
    const auto req = f.encode("01 03 00 00 00 02", &error);
    BOOST_REQUIRE(req.has_value());
    BOOST_TEST(req->toHex(' ').toUpper().toStdString() == "01 03 00 00 00 02 C4 0B"); // the spec's example
    QByteArray resp = QByteArray::fromHex("010304000A0014");
    const quint16 crc = hil::crc16Modbus(resp);
    resp.append(char(crc & 0xFF)).append(char(crc >> 8));
    // Garbage first, then the frame in two chunks.
    f.push(QByteArray(QByteArray::fromHex("FFEE") + resp.left(4)), sink);
    f.push(resp.mid(4), sink);
    BOOST_REQUIRE(frames.size() == 2);
    BOOST_TEST((frames[0].kind == hil::Framer::Frame::Kind::Bad));
    BOOST_TEST(frames[1].data.toStdString() == "01 03 04 00 0A 00 14");
    // One flipped bit: a Bad frame naming the CRC.
    frames.clear();
    QByteArray bad = resp;
    bad[4] = char(bad[4] ^ 0x10);
    f.push(bad, sink);
    BOOST_REQUIRE(frames.size() == 1);
    BOOST_TEST((frames[0].kind == hil::Framer::Frame::Kind::Bad));
    BOOST_TEST(frames[0].reason.contains(u"CRC mismatch"), str(frames[0].reason));
    // An exception is 5 bytes.
    frames.clear();
    QByteArray ex = QByteArray::fromHex("018302");
    const quint16 c2 = hil::crc16Modbus(ex);
    ex.append(char(c2 & 0xFF)).append(char(c2 >> 8));
    f.push(ex, sink);
    BOOST_REQUIRE(frames.size() == 1);
    BOOST_TEST(frames[0].data.toStdString() == "01 83 02");
}

BOOST_AUTO_TEST_CASE(tcp_matches_the_transaction_in_flight) {
    hil::ModbusTcpFramer f;
    QList<hil::Framer::Frame> frames;
    const auto sink = [&](hil::Framer::Frame &&fr) { frames.append(std::move(fr)); };
    QString error;
    const auto first = f.encode("01 03 00 00 00 01", &error);
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(first->toHex(' ').toUpper().toStdString() == "00 01 00 00 00 06 01 03 00 00 00 01");
    BOOST_REQUIRE(f.encode("01 03 00 00 00 01", &error).has_value()); // transaction 2 in flight
    f.push(QByteArray::fromHex("00010000000501030200FF"), sink);      // the answer to 1: late
    f.push(QByteArray::fromHex("0002000000050103020101"), sink);
    BOOST_REQUIRE(frames.size() == 2);
    BOOST_TEST((frames[0].kind == hil::Framer::Frame::Kind::Bad));
    BOOST_TEST(frames[0].reason.contains(u"transaction id 1 is not the request in flight (2)"),
               str(frames[0].reason));
    BOOST_TEST(frames[1].data.toStdString() == "01 03 02 01 01");
    BOOST_TEST(!f.encode("zz", &error).has_value());
    BOOST_TEST(error.contains(u"not hex"), str(error));
}

BOOST_AUTO_TEST_CASE(a_modbus_step_compiles_to_send_expect_and_fields) {
    hil::SourceErrors errors;
    const auto fixture =
        hil::loadFixtureText(QByteArray("devices:\n  plc: {modbus: {serial: /dev/ttyS0, unit: 17}}\n"),
                             QStringLiteral("f.yaml"), &errors);
    BOOST_REQUIRE_MESSAGE(fixture, str(hil::formatErrors(errors)));
    const hil::DeviceConfig &d = fixture->devices[0];
    BOOST_TEST((d.kind == hil::DeviceConfig::Kind::Serial));
    BOOST_TEST((d.framing.kind == hil::FramingSpec::Kind::ModbusRtu));
    BOOST_TEST(d.modbusUnit == 17);
    const auto s =
        hil::loadScenarioText("steps:\n"
                              "  - modbus: {read_holding: {address: 0x100, count: 2}, names: [t, h]}\n"
                              "    measure: {t: {limits: [0, 10]}}\n"
                              "  - modbus: {read_coils: {address: 3, count: 9}}\n"
                              "  - modbus: {write_registers: {address: 10, values: [1, -1]}}\n",
                              QStringLiteral("s.yaml"), *fixture, &errors);
    BOOST_REQUIRE_MESSAGE(s, str(hil::formatErrors(errors)));
    const hil::Step &read = s->steps[0];
    BOOST_TEST(read.send->line.toStdString() == "11 03 01 00 00 02");
    BOOST_TEST(read.expect->modbus);
    BOOST_TEST(read.expect->match.match(QStringLiteral("11 03 04 00 FA 01 F4")).hasMatch());
    BOOST_TEST(!read.expect->match.match(QStringLiteral("11 83 02")).hasMatch());
    const auto values = hil::decodeFields(read.expect->fields, "11 03 04 00 FA 01 F4");
    BOOST_TEST(values.value(QStringLiteral("t")).toStdString() == "250");
    BOOST_TEST(values.value(QStringLiteral("h")).toStdString() == "500");
    const hil::Step &coils = s->steps[1];
    BOOST_TEST(coils.send->line.toStdString() == "11 01 00 03 00 09");
    const auto bits = hil::decodeFields(coils.expect->fields, "11 01 02 05 01");
    BOOST_TEST(bits.value(QStringLiteral("c0")).toStdString() == "1");
    BOOST_TEST(bits.value(QStringLiteral("c1")).toStdString() == "0");
    BOOST_TEST(bits.value(QStringLiteral("c2")).toStdString() == "1");
    BOOST_TEST(bits.value(QStringLiteral("c8")).toStdString() == "1");
    BOOST_TEST(s->steps[2].send->line.toStdString() == "11 10 00 0A 00 02 04 00 01 FF FF");
    BOOST_TEST(s->steps[2].expect->match.match(QStringLiteral("11 10 00 0A 00 02")).hasMatch());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pymodbus_tcp)

BOOST_AUTO_TEST_CASE(reads_and_writes_registers_and_coils) {
    REQUIRE_PYMODBUS();
    Workspace ws;
    PyServer server({QStringLiteral("--tcp"), QStringLiteral("0")});
    checkReadsAndWrites(ws, run(ws, kReadsAndWrites, tcpFixture(server.ready)));
}

BOOST_AUTO_TEST_CASE(an_exception_is_a_fail_naming_it) {
    REQUIRE_PYMODBUS();
    Workspace ws;
    PyServer server({QStringLiteral("--tcp"), QStringLiteral("0")});
    const HilResult r = run(ws,
                            QStringLiteral("name: x\ndevices: [plc]\nsteps:\n"
                                           "  - modbus: {to: plc, read_holding: {address: 100, count: 2}}\n"),
                            tcpFixture(server.ready));
    BOOST_TEST(r.exitCode == 1);
    const QStringList v = verdicts(ws);
    BOOST_REQUIRE(v.size() == 1);
    BOOST_TEST(str(v[0]) == "FAIL: modbus exception 0x02 (illegal data address) from plc");
    const Database db(ws.db());
    BOOST_TEST(str(db.rows("SELECT response FROM step_results").value()[0][0].toString()) == "01 83 02");
}

BOOST_AUTO_TEST_CASE(a_wrong_unit_gets_no_answer_and_times_out) {
    REQUIRE_PYMODBUS();
    Workspace ws;
    PyServer server({QStringLiteral("--tcp"), QStringLiteral("0")});
    const HilResult r =
        run(ws,
            QStringLiteral("name: x\ndevices: [plc]\nsteps:\n"
                           "  - modbus: {to: plc, read_holding: {address: 0, count: 1}, within: 300ms}\n"),
            tcpFixture(server.ready, 7));
    BOOST_TEST(r.exitCode == 1);
    const QStringList v = verdicts(ws);
    BOOST_REQUIRE(v.size() == 1);
    BOOST_TEST(str(v[0])
               == "FAIL: timeout: no Modbus answer from plc (unit 7) within 300ms (is the unit right? a "
                  "server does not answer another unit id)");
}

BOOST_AUTO_TEST_CASE(a_blackout_is_survived_and_recovered_from) {
    REQUIRE_PYMODBUS();
    Workspace ws;
    PyServer server({QStringLiteral("--tcp"), QStringLiteral("0")});
    const HilResult r = run(ws, QStringLiteral(R"(name: x
devices: [plc]
faults:
  - {at: 300ms, for: 800ms, on: plc, link: blackout, recover: {within: 3s}}
steps:
  - modbus: {to: plc, read_holding: {address: 0, count: 1}, within: 200ms}
    measure: {r0: {limits: [1000, 1000]}}
repeat: {for: 2500ms, every: 100ms}
)"),
                            tcpFixture(server.ready));
    BOOST_TEST_INFO(str(r.out) << str(r.err));
    BOOST_TEST(r.exitCode == 0);
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'") > 10);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict != 'PASS' AND expected = 1") > 0);
    BOOST_TEST(db.count("SELECT count(*) FROM faults WHERE recovery_ns IS NOT NULL") == 1);
}

BOOST_AUTO_TEST_CASE(hil_proxy_latency_between_hil_and_the_server) {
    REQUIRE_PYMODBUS();
    Workspace ws;
    PyServer server({QStringLiteral("--tcp"), QStringLiteral("0")});
    Child proxy(hilPath(),
                {QStringLiteral("proxy"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                 QStringLiteral("--upstream"), QStringLiteral("127.0.0.1:%1").arg(server.ready),
                 QStringLiteral("--fault"), QStringLiteral("latency:delay=40ms,dir=from-device")});
    const QString ready = proxy.firstLine(10000);
    BOOST_REQUIRE_MESSAGE(ready.startsWith(u"READY proxy 127.0.0.1:"), str(ready) << str(proxy.stderrText()));
    const QString port = ready.mid(ready.lastIndexOf(u':') + 1);
    checkReadsAndWrites(ws, run(ws, kReadsAndWrites, tcpFixture(port)));
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT min(latency_ns) >= 40000000 FROM step_results") == 1);
}

// An answer that comes after its request timed out carries that request's transaction id: it is not taken
// as the answer to the next request, but FAILs it as a bad frame saying so.
BOOST_AUTO_TEST_CASE(a_late_answer_is_told_by_its_transaction_id) {
    REQUIRE_PYMODBUS();
    Workspace ws;
    PyServer server({QStringLiteral("--tcp"), QStringLiteral("0")});
    Child proxy(hilPath(),
                {QStringLiteral("proxy"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                 QStringLiteral("--upstream"), QStringLiteral("127.0.0.1:%1").arg(server.ready),
                 QStringLiteral("--fault"), QStringLiteral("latency:delay=400ms,dir=from-device")});
    const QString ready = proxy.firstLine(10000);
    BOOST_REQUIRE_MESSAGE(ready.startsWith(u"READY proxy 127.0.0.1:"), str(ready) << str(proxy.stderrText()));
    const QString port = ready.mid(ready.lastIndexOf(u':') + 1);
    const HilResult r = run(ws, QStringLiteral(R"(name: x
devices: [plc]
steps:
  - modbus: {to: plc, read_holding: {address: 0, count: 1}, within: 150ms}
  - modbus: {to: plc, read_holding: {address: 1, count: 1}, within: 2s}
)"),
                            tcpFixture(port));
    BOOST_TEST(r.exitCode == 1);
    const QStringList v = verdicts(ws);
    BOOST_REQUIRE(v.size() == 2);
    BOOST_TEST(v[0].startsWith(u"FAIL: timeout: no Modbus answer from plc (unit 1) within 150ms"), str(v[0]));
    BOOST_TEST(v[1].startsWith(u"FAIL: bad frame: transaction id 1 is not the request in flight (2)"),
               str(v[1]));
    const Database db(ws.db());
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'bad-frame'") >= 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(pymodbus_rtu)

BOOST_AUTO_TEST_CASE(reads_and_writes_over_a_pty_pair) {
    REQUIRE_PYMODBUS();
    Workspace ws;
    PtyPair pty(ws);
    PyServer server({QStringLiteral("--serial"), pty.b});
    checkReadsAndWrites(
        ws, run(ws, kReadsAndWrites,
                QStringLiteral(
                    "name: rtu\ndevices:\n  plc:\n    modbus: {serial: {port: %1, baud: 115200}, unit: 1}\n"
                    "    timeout: 500ms\n")
                    .arg(pty.a)));
}

BOOST_AUTO_TEST_CASE(corruption_is_counted_as_bad_frames) {
    REQUIRE_PYMODBUS();
    Workspace ws;
    PtyPair pty(ws);
    PyServer server({QStringLiteral("--serial"), pty.b});
    const HilResult r =
        run(ws, QStringLiteral(R"(name: x
devices: [plc]
faults:
  - {at: 0s, for: 2s, on: plc, link: {corrupt: {p: 0.002}, direction: from-device}, count_failures: true}
steps:
  - modbus: {to: plc, read_holding: {address: 0, count: 4}, within: 200ms}
repeat: {for: 2s, every: 20ms}
)"),
            QStringLiteral("name: rtu\ndevices:\n  plc:\n    modbus: {serial: %1, unit: 1}\n").arg(pty.a));
    BOOST_TEST_INFO(str(r.out) << str(r.err));
    BOOST_TEST(r.exitCode == 1);
    const Database db(ws.db());
    const qint64 bad = db.count("SELECT count(*) FROM events WHERE kind = 'bad-frame'");
    for (const auto &row :
         db.rows("SELECT verdict, substr(message, 1, 60), count(*) FROM step_results GROUP BY 1, 2")
             .value_or(QList<Database::Row>()))
        BOOST_TEST_MESSAGE(str(row[0].toString())
                           << " " << str(row[1].toString()) << " x" << str(row[2].toString()));
    BOOST_TEST(bad > 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE message LIKE 'bad frame: CRC mismatch%'")
               > 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'PASS'") > 0);
    BOOST_TEST_MESSAGE("corrupt p=0.002 per bit from the device: " << bad << " bad frames");
}

BOOST_AUTO_TEST_SUITE_END()
