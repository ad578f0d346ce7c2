// `hil-sim modbus` against a peer nobody here wrote, pymodbus's own client (tests/support/modbus_client.py),
// over Modbus TCP and over RTU on its pseudo-terminal; and `hil run` on the shipped simulated PLC
// (fixtures/sim-plc.yaml, scenarios/modbus-sim.yaml), with exceptions and device faults giving FAILs.
#define BOOST_TEST_MODULE modbus_sim
#include "support/eventloop.h"
#include "support/harness.h"
#include "support/pymodbus.h"

#include <QMap>
#include <boost/test/unit_test.hpp>

using namespace hiltest;

namespace {

using hiltest::QtApplicationFixture;
BOOST_TEST_GLOBAL_FIXTURE(QtApplicationFixture);

QString python() {
    return hiltest::debianPython();
}

// `hil-sim modbus` with `args` ("--tcp 0" or "--pty"); `where` is what its READY line names.
struct Plc {
    Child child;
    QString where;
    explicit Plc(const QStringList &args)
        : child(simPath(), QStringList{QStringLiteral("modbus")} + args) {
        const QString line = child.firstLine(10000);
        BOOST_REQUIRE_MESSAGE(line.startsWith(u"READY "),
                              "hil-sim modbus did not start: " << str(line) << str(child.stderrText()));
        where = line.split(u' ').value(2);
    }
};

// What pymodbus's client printed: name -> value, up to "DONE".
QMap<QString, QString> pymodbusClient(const QStringList &args) {
    Child client(python(), QStringList{QStringLiteral(HIL_MODBUS_CLIENT)} + args);
    BOOST_REQUIRE_MESSAGE(client.waitFinished(30000), "pymodbus client did not finish");
    const QString out = client.stdoutText();
    BOOST_TEST_INFO("pymodbus client: " << str(out) << str(client.stderrText()));
    BOOST_REQUIRE(out.contains(u"DONE"));
    QMap<QString, QString> results;
    for (const QString &line : out.split(u'\n', Qt::SkipEmptyParts)) {
        const qsizetype space = line.indexOf(u' ');
        if (space > 0)
            results.insert(line.left(space), line.mid(space + 1));
    }
    return results;
}

void checkClientResults(const QMap<QString, QString> &r) {
    const QStringList input = r.value(QStringLiteral("input")).split(u',');
    BOOST_REQUIRE(input.size() == 3);
    // The ENV-1 model: 22.5 +- 0.5 degC, 45 +- 2 %RH, in tenths; uptime in seconds.
    BOOST_TEST(input[0].toInt() >= 215);
    BOOST_TEST(input[0].toInt() <= 235);
    BOOST_TEST(input[1].toInt() >= 420);
    BOOST_TEST(input[1].toInt() <= 480);
    BOOST_TEST(input[2].toInt() >= 0);
    BOOST_TEST(str(r.value(QStringLiteral("write_holding"))) == "ok");
    BOOST_TEST(str(r.value(QStringLiteral("holding"))) == "215,7");
    BOOST_TEST(str(r.value(QStringLiteral("write_coil"))) == "ok");
    BOOST_TEST(str(r.value(QStringLiteral("coil"))) == "1");
    BOOST_TEST(str(r.value(QStringLiteral("bad_address"))) == "error 2");
    BOOST_TEST(str(r.value(QStringLiteral("bad_value"))) == "error 3");
}

QString sourcePath(const char *relative) {
    return QStringLiteral(HIL_SOURCE_DIR "/") + QString::fromUtf8(relative);
}

HilResult run(const Workspace &ws, const QString &scenario, const QString &fixture) {
    return runHil({QStringLiteral("run"), scenario, QStringLiteral("--fixture"), fixture,
                   QStringLiteral("--db"), ws.db(), QStringLiteral("--quiet")},
                  ws.dir.path());
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

// One simulated PLC, over RTU (pty) or Modbus TCP (tcp).
QString plcFixture(const char *transport) {
    return QStringLiteral("name: one-plc\ndevices:\n  plc:\n    sim: {model: modbus, transport: %1}\n"
                          "    modbus: {unit: 1}\n    timeout: 500ms\n")
        .arg(QString::fromUtf8(transport));
}

} // namespace

BOOST_AUTO_TEST_SUITE(pymodbus_client)

BOOST_AUTO_TEST_CASE(reads_and_writes_over_tcp) {
    REQUIRE_PYMODBUS();
    Plc plc({QStringLiteral("--tcp"), QStringLiteral("0")});
    const QString port = plc.where.section(u':', -1);
    checkClientResults(pymodbusClient({QStringLiteral("--tcp"), port}));
}

BOOST_AUTO_TEST_CASE(reads_and_writes_over_rtu_on_the_pty) {
    REQUIRE_PYMODBUS();
    Plc plc({QStringLiteral("--pty")});
    checkClientResults(pymodbusClient({QStringLiteral("--serial"), plc.where}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(hil_run)

BOOST_AUTO_TEST_CASE(the_shipped_scenario_passes_over_rtu_and_tcp) {
    Workspace ws;
    const HilResult r = run(ws, sourcePath("scenarios/modbus-sim.yaml"), sourcePath("fixtures/sim-plc.yaml"));
    BOOST_TEST_INFO("stdout: " << str(r.out) << "\nstderr: " << str(r.err));
    BOOST_TEST(r.exitCode == 0);
    const QStringList v = verdicts(ws);
    BOOST_TEST(v.size() == 20); // 2 setup steps, 6 steps 3 times
    for (const QString &s : v)
        BOOST_TEST(s.startsWith(u"PASS"), str(s));
}

BOOST_AUTO_TEST_CASE(an_address_outside_the_map_is_an_exception_fail) {
    for (const char *transport : {"pty", "tcp"}) {
        BOOST_TEST_CONTEXT(transport) {
            Workspace ws;
            ws.write("fixture.yaml", plcFixture(transport));
            ws.write("scenario.yaml",
                     QStringLiteral("name: x\ndevices: [plc]\nsteps:\n"
                                    "  - modbus: {to: plc, read_input: {address: 2, count: 2}}\n"
                                    "  - modbus: {to: plc, write_coil: {address: 1, value: true}}\n"));
            const HilResult r = run(ws, ws.path("scenario.yaml"), ws.path("fixture.yaml"));
            BOOST_TEST(r.exitCode == 1);
            const QStringList v = verdicts(ws);
            BOOST_REQUIRE(v.size() == 2);
            BOOST_TEST(str(v[0]) == "FAIL: modbus exception 0x02 (illegal data address) from plc");
            BOOST_TEST(str(v[1]) == "FAIL: modbus exception 0x02 (illegal data address) from plc");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_stuck_sensor_and_a_hang_fail) {
    Workspace ws;
    ws.write("fixture.yaml", plcFixture("pty"));
    ws.write("scenario.yaml",
             QStringLiteral(
                 "name: x\ndevices: [plc]\nsteps:\n"
                 "  - modbus: {to: plc, read_input: {address: 0, count: 1}, names: [before]}\n"
                 "    measure: {before: {limits: [200, 250]}}\n"
                 "  - {fault: {on: plc, device: {stuck: {channel: temp, value: 99}}, count_failures: true}, "
                 "wait: 200ms}\n"
                 "  - modbus: {to: plc, read_input: {address: 0, count: 1}, names: [stuck]}\n"
                 "    measure: {stuck: {limits: [200, 250]}}\n"
                 "  - {fault: {on: plc, device: hang, count_failures: true}, wait: 200ms}\n"
                 "  - modbus: {to: plc, read_input: {address: 2, count: 1}, within: 300ms}\n"));
    const HilResult r = run(ws, ws.path("scenario.yaml"), ws.path("fixture.yaml"));
    BOOST_TEST_INFO("stdout: " << str(r.out) << "\nstderr: " << str(r.err));
    BOOST_TEST(r.exitCode == 1);
    const QStringList v = verdicts(ws);
    BOOST_REQUIRE(v.size() == 3);
    BOOST_TEST(v[0].startsWith(u"PASS"), str(v[0]));
    BOOST_TEST(str(v[1]) == "FAIL: stuck = 990 outside limits [200, 250]");
    BOOST_TEST(v[2].startsWith(u"FAIL: timeout: no Modbus answer from plc (unit 1) within 300ms"), str(v[2]));
}

BOOST_AUTO_TEST_SUITE_END()
