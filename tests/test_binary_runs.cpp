// `hil run` against a binary device nobody here wrote to match the harness: tests/support/binarymeter.py,
// a Python register-read protocol in length-prefixed + CRC-16/MODBUS frames on a PTY, and in SLIP +
// CRC-32 frames on a TCP port. Hex sends, byte masks, fields measured against limits, bad CRCs, a frame
// too long, and a corrupting link under the frames.
#define BOOST_TEST_MODULE binary_runs
#include "support/harness.h"

#include <QFileInfo>
#include <boost/test/unit_test.hpp>

using namespace hiltest;

BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

namespace {

bool havePython() {
    if (QFileInfo(QStringLiteral("/usr/bin/python3")).isExecutable())
        return true;
    BOOST_TEST_MESSAGE("SKIPPED: /usr/bin/python3 is not installed");
    return false;
}

// The meter, on a PTY (serial) or a TCP port; `address` is the link's path or the port.
struct Meter {
    Child process;
    QString address;

    Meter(const Workspace &ws, const QString &framing, bool tcp)
        : process(QStringLiteral("/usr/bin/python3"),
                  QStringList{QStringLiteral(HIL_BINARY_METER), QStringLiteral("--framing"), framing}
                      + (tcp ? QStringList{QStringLiteral("--tcp"), QStringLiteral("0")}
                             : QStringList{QStringLiteral("--pty"), ws.path("ttyMeter")})) {
        const QString ready = process.firstLine(10000);
        BOOST_REQUIRE_MESSAGE(ready.startsWith(u"READY "),
                              "the meter said '" << str(ready) << "'; stderr: " << str(process.stderrText()));
        address = ready.mid(6);
    }
};

HilResult run(const Workspace &ws, const QString &device, const QString &scenario) {
    ws.write("bench.yaml", QStringLiteral("name: binary-bench\ndevices:\n  meter:\n") + device);
    ws.write("scenario.yaml", scenario);
    return runHil({QStringLiteral("run"), ws.path("scenario.yaml"), QStringLiteral("--fixture"),
                   ws.path("bench.yaml"), QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet"),
                   QStringLiteral("--seed"), QStringLiteral("7")},
                  ws.dir.path());
}

QString lp16Device(const Meter &m) {
    return QStringLiteral(
               "    serial: {port: %1}\n"
               "    framing: {kind: length-prefixed, length: {size: 2, order: big}, crc: crc16-modbus,\n"
               "              max_frame: 256}\n"
               "    timeout: 2s\n")
        .arg(m.address);
}

QString slip32Device(const Meter &m) {
    return QStringLiteral("    tcp: {host: 127.0.0.1, port: %1}\n"
                          "    framing: {kind: slip, crc: crc32}\n"
                          "    timeout: 2s\n")
        .arg(m.address);
}

// Reads registers 0..2 (temperature 231 = 23.1 degC, humidity 45, status 0x0005).
const char *kReadStep = "  - name: read\n"
                        "    send: {to: meter, hex: \"01 03 00 00 00 03\"}\n"
                        "    expect:\n"
                        "      bytes: \"01 03 06 00 E7 00 2? ?? 05\"\n"
                        "      fields:\n"
                        "        temp: {offset: 3, type: i16be, scale: 0.1, unit: degC, limits: [20, 30]}\n"
                        "        hum: {offset: 5, type: u16be}\n"
                        "        ready: {offset: 8, type: bit, bit: 2}\n"
                        "    measure: {hum: {unit: '%', limits: [40, 50]}, ready: {limits: [1, 1]}}\n";

} // namespace

BOOST_AUTO_TEST_CASE(length_prefixed_crc16_reads_masks_fields_and_writes) {
    if (!havePython())
        return;
    Workspace ws;
    Meter meter(ws, QStringLiteral("lp16"), false);
    const HilResult r = run(ws, lp16Device(meter),
                            QStringLiteral("name: binary-read\nsteps:\n") + QString::fromLatin1(kReadStep)
                                + QStringLiteral("  - name: write the humidity plus one\n"
                                                 "    send: {to: meter, hex: \"01 06 00 01 00 ${hum + 1}\"}\n"
                                                 "    expect: {bytes: \"01 06 00 01 00 46\"}\n"
                                                 "  - name: read it back\n"
                                                 "    send: {to: meter, hex: \"01 03 00 01 00 01\"}\n"
                                                 "    expect: {match: '^01 03 02 (?<hi>[0-9A-F]{2}) 46$',\n"
                                                 "             fields: {h: {offset: 3, type: u16be}}}\n"
                                                 "    measure: {h: {limits: [70, 70]}}\n"));
    BOOST_REQUIRE(r.finished);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "PASS");
    BOOST_TEST(str(db.value("SELECT CAST(response AS TEXT) FROM step_results WHERE step = 'read'"))
               == "01 03 06 00 E7 00 2D 00 05");
    BOOST_TEST(db.value("SELECT value FROM measurements WHERE name = 'temp'").toDouble() == 23.1);
    BOOST_TEST(str(db.value("SELECT unit FROM measurements WHERE name = 'temp'")) == "degC");
    BOOST_TEST(db.value("SELECT value FROM measurements WHERE name = 'hum'").toDouble() == 45.0);
    BOOST_TEST(db.value("SELECT value FROM measurements WHERE name = 'ready'").toDouble() == 1.0);
    BOOST_TEST(db.value("SELECT value FROM measurements WHERE name = 'h'").toDouble()
               == 70.0); // ${hum + 1} = 46, as hex 0x46
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'bad-frame'") == 0);
}

BOOST_AUTO_TEST_CASE(a_bad_crc_fails_with_the_frame_and_a_long_frame_overflows_and_the_run_goes_on) {
    if (!havePython())
        return;
    Workspace ws;
    Meter meter(ws, QStringLiteral("lp16"), false);
    const HilResult r = run(ws, lp16Device(meter),
                            QStringLiteral("name: binary-errors\nsteps:\n")
                                + QStringLiteral("  - name: bad crc\n"
                                                 "    send: {to: meter, hex: \"01 41\"}\n"
                                                 "    expect: {bytes: \"01 41 ...\"}\n"
                                                 "  - name: too long\n"
                                                 "    send: {to: meter, hex: \"01 42\"}\n"
                                                 "    expect: {bytes: \"01 42 ...\", within: 1s}\n")
                                + QString::fromLatin1(kReadStep));
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitCode == 1, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "FAIL");
    const auto bad =
        db.rows("SELECT verdict, message, CAST(response AS TEXT) FROM step_results WHERE step = 'bad crc'");
    BOOST_REQUIRE(bad);
    BOOST_REQUIRE(bad->size() == 1);
    BOOST_TEST(str(bad->at(0).value(0)) == "FAIL");
    BOOST_TEST(str(bad->at(0).value(1)).rfind("bad frame: crc16-modbus 0x", 0) == 0);
    BOOST_TEST(str(bad->at(0).value(1)).find(", expected 0x") != std::string::npos);
    BOOST_TEST(str(bad->at(0).value(2)).rfind("01 41 00 01 ", 0) == 0); // the frame with its (wrong) CRC
    BOOST_TEST(
        db.count("SELECT count(*) FROM events WHERE kind = 'bad-frame' AND device = 'meter' AND detail "
                 "LIKE 'crc16-modbus 0x%, expected 0x%: 01 41 00 01 %'")
        == 1);
    BOOST_TEST(str(db.value("SELECT verdict FROM step_results WHERE step = 'too long'")) == "FAIL");
    BOOST_TEST(db.count("SELECT count(*) FROM events WHERE kind = 'overflow' AND device = 'meter' AND detail "
                        "LIKE '%(606 bytes)%'")
               == 1);
    // The framer skipped the long frame and is in step: the next exchange passes.
    BOOST_TEST(str(db.value("SELECT verdict FROM step_results WHERE step = 'read'")) == "PASS");
}

BOOST_AUTO_TEST_CASE(slip_crc32_over_tcp_with_a_match_pattern) {
    if (!havePython())
        return;
    Workspace ws;
    Meter meter(ws, QStringLiteral("slip32"), true);
    const HilResult r = run(ws, slip32Device(meter),
                            QStringLiteral("name: slip-read\nsteps:\n") + QString::fromLatin1(kReadStep)
                                + QStringLiteral("  - name: counter\n"
                                                 "    send: {to: meter, hex: \"01 03 00 03 00 01\"}\n"
                                                 "    expect: {match: '^01 03 02 00 (?<n>[0-9A-F]{2})$'}\n"
                                                 "  - name: unknown function\n"
                                                 "    send: {to: meter, hex: \"01 07\"}\n"
                                                 "    expect: {bytes: \"01 87 01\"}\n"));
    BOOST_REQUIRE(r.finished);
    BOOST_TEST_REQUIRE(r.exitCode == 0, "stdout: " << str(r.out) << " stderr: " << str(r.err));
    const Database db(ws.db());
    BOOST_TEST(str(db.value("SELECT CAST(response AS TEXT) FROM step_results WHERE step = 'counter'"))
               == "01 03 02 00 02");
    BOOST_TEST(db.value("SELECT value FROM measurements WHERE name = 'temp'").toDouble() == 23.1);
}

BOOST_AUTO_TEST_CASE(a_corrupting_link_gives_bad_frames_excused_by_the_fault) {
    if (!havePython())
        return;
    Workspace ws;
    Meter meter(ws, QStringLiteral("slip32"), true);
    // 60 reads 50 ms apart; from 0.5 s to 2 s a bit in 50 of each answer's ~100 bits is flipped.
    const HilResult r =
        run(ws, slip32Device(meter),
            QStringLiteral("name: slip-corrupt\n"
                           "faults:\n"
                           "  - {at: 500ms, for: 1500ms, on: meter, link: {corrupt: {p: 0.02},\n"
                           "     direction: from-device}}\n"
                           "steps:\n"
                           "  - name: poll\n"
                           "    send: {to: meter, hex: \"01 03 00 00 00 02\"}\n"
                           "    expect: {bytes: \"01 03 04 00 E7 00 2D\", within: 300ms}\n"
                           "    repeat: {count: 60, every: 50ms}\n"));
    BOOST_REQUIRE(r.finished);
    const Database db(ws.db());
    const qint64 badRows =
        db.count("SELECT count(*) FROM step_results WHERE message LIKE 'bad frame: crc32 0x%, expected 0x%'");
    const qint64 badEvents = db.count("SELECT count(*) FROM events WHERE kind = 'bad-frame'");
    BOOST_TEST(badRows >= 3, "stdout: " << str(r.out));
    BOOST_TEST(badEvents >= badRows);
    // Every failure fell inside the fault (or its recovery) and the meter proved it recovers: excused.
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict <> 'PASS' AND expected = 0") == 0);
    BOOST_TEST(db.count("SELECT count(*) FROM step_results WHERE verdict = 'FAIL' AND expected = 1")
               >= badRows);
    BOOST_TEST(str(db.value("SELECT verdict FROM runs")) == "PASS");
    BOOST_TEST(r.exitCode == 0, "stdout: " << str(r.out) << " stderr: " << str(r.err));
}

BOOST_AUTO_TEST_CASE(line_sends_to_a_binary_device_are_refused_before_the_run) {
    if (!havePython())
        return;
    Workspace ws;
    Meter meter(ws, QStringLiteral("slip32"), true);
    const HilResult r = run(ws, slip32Device(meter),
                            QStringLiteral("name: wrong\nsteps:\n"
                                           "  - send: {to: meter, line: \"READ?\"}\n"
                                           "    expect: {match: '^01'}\n"));
    BOOST_REQUIRE(r.finished);
    BOOST_TEST(r.exitCode == 2);
    BOOST_TEST(r.err.contains(u"scenario.yaml:3:11: device 'meter' has slip framing: it takes send: {hex: "
                              u"\"01 03 ...\"}, not a text line"));
    BOOST_TEST(!QFileInfo::exists(ws.db()));
}
