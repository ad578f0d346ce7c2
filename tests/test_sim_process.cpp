// The built hil-sim executable over TCP and a PTY with its control channel: answers, streams, faults over
// the wire, PSU and ENV-1 together, signals, its parent's death and its command line.

#include "support/simhelpers.h"
#include "support/simprocess.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <csignal>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace hilsim;
using namespace simtest;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

BOOST_AUTO_TEST_SUITE(process)

BOOST_AUTO_TEST_CASE(tcp_answers_commands) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--serial"), QStringLiteral("SN42"), QStringLiteral("--firmware"),
                    QStringLiteral("9.9.9")});
    const quint16 port = sim.readyTcpPort();
    QTcpSocket socket;
    connectTo(socket, port);
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,ENV-1,SN42,9.9.9");
    BOOST_TEST(matches(ask(socket, "READ? ALL"), "^ALL \\d+\\.\\d{3} \\d+\\.\\d{2}$"));
    BOOST_TEST(str(ask(socket, "RATE?")) == "RATE 10");
    BOOST_TEST(str(ask(socket, "RATE 2000")) == "ERR range");
    BOOST_TEST(str(ask(socket, "BOGUS\r")) == "ERR unknown command");
}

BOOST_AUTO_TEST_CASE(ready_line_names_the_control_port) {
    // A port that was free a moment ago, for --control.
    quint16 wanted = 0;
    {
        QTcpServer probe;
        BOOST_REQUIRE(probe.listen(QHostAddress::LocalHost, 0));
        wanted = probe.serverPort();
    }
    SimProcess tcp({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--control"), QString::number(wanted)});
    const Ready ready = tcp.ready();
    BOOST_TEST(ready.control == wanted);
    QTcpSocket control;
    connectTo(control, ready.control);
    BOOST_TEST(str(command(control, "STATUS?")) == "OK");

    SimProcess pty({QStringLiteral("psu"), QStringLiteral("--pty")});
    const Ready ptyReady = pty.ready();
    BOOST_TEST((ptyReady.link == u"pty"));
    QTcpSocket ptyControl;
    connectTo(ptyControl, ptyReady.control);
    BOOST_TEST(str(command(ptyControl, "STATUS?")) == "OK");

    // A control port in use is a runtime failure, before READY.
    SimProcess clash({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                      QStringLiteral("--control"), QString::number(wanted)});
    BOOST_REQUIRE(clash.process().waitForFinished(10000));
    BOOST_TEST(clash.process().exitCode() == 1);
    BOOST_TEST(clash.process().readAllStandardOutput().isEmpty());
}

BOOST_AUTO_TEST_CASE(tcp_stream_has_increasing_seq) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--rate"), QStringLiteral("100")});
    QTcpSocket socket;
    connectTo(socket, sim.readyTcpPort());
    BOOST_TEST(str(ask(socket, "STREAM ON")) == "OK");
    QElapsedTimer clock;
    clock.start();
    for (quint64 seq = 1; seq <= 50; ++seq) {
        const auto line = readLine(socket);
        BOOST_REQUIRE(line);
        BOOST_REQUIRE_MESSAGE(matches(*line, "^DATA \\d+ \\d+\\.\\d{3} \\d+\\.\\d{2}$"), str(*line));
        BOOST_REQUIRE_EQUAL(line->split(' ')[1].toULongLong(), seq);
    }
    // 50 lines at 100 Hz take about 0.5 s; only a grossly wrong rate fails this.
    BOOST_TEST(clock.elapsed() > 300);
    BOOST_TEST(clock.elapsed() < 3000);
    socket.write("STREAM OFF\n");
    std::optional<QByteArray> line;
    do {
        line = readLine(socket);
    } while (line && line->startsWith("DATA "));
    BOOST_REQUIRE(line);
    BOOST_TEST(str(*line) == "OK");
}

BOOST_AUTO_TEST_CASE(drift_slope_on_a_real_stream) {
    // The harness's fidelity check on the real thing: DATA at 50 Hz for 8 s with a 0.1/s drift, the slope
    // fitted against the model time of each line (seq / rate) and against the time it arrived. Over 8 s
    // the sensor noise gives the slope a standard error of about 1.1 %.
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--rate"), QStringLiteral("50"), QStringLiteral("--seed"),
                    QStringLiteral("11")});
    const Ready ready = sim.ready();
    QTcpSocket socket;
    QTcpSocket control;
    connectTo(socket, ready.port);
    connectTo(control, ready.control);
    BOOST_TEST(str(command(control, "FAULT drift channel=temp rate=0.1")) == "OK");
    BOOST_TEST(str(ask(socket, "STREAM ON")) == "OK");
    QElapsedTimer clock;
    clock.start();
    std::vector<double> modelTime, arrival, temperature;
    while (temperature.size() < 400) {
        const auto line = readLine(socket);
        BOOST_REQUIRE(line);
        const auto data = dataLines(*line);
        BOOST_REQUIRE_EQUAL(data.size(), 1u);
        BOOST_REQUIRE_EQUAL(data.front().seq, temperature.size() + 1);
        modelTime.push_back(static_cast<double>(data.front().seq) / 50.0);
        arrival.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e9);
        temperature.push_back(data.front().temperature);
    }
    const double byModel = slope(modelTime, temperature);
    const double byArrival = slope(arrival, temperature);
    BOOST_TEST_MESSAGE("drift slope: " << byModel << "/s by model time, " << byArrival << "/s by arrival");
    BOOST_TEST(std::abs(byModel - 0.1) < 0.005);
    BOOST_TEST(std::abs(byArrival - 0.1) < 0.005);
}

BOOST_AUTO_TEST_CASE(hang_stops_answers_for_its_duration_tcp) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const Ready ready = sim.ready();
    QTcpSocket socket;
    QTcpSocket control;
    connectTo(socket, ready.port);
    connectTo(control, ready.control);
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    QElapsedTimer clock;
    clock.start();
    BOOST_TEST(str(command(control, "FAULT hang for=1s")) == "OK");
    socket.write("*IDN?\nREAD? TEMP\n");
    BOOST_TEST(staysSilent(socket, 900ms));
    BOOST_TEST(str(command(control, "STATUS?")).starts_with("hang for="));
    // Wait out the rest of the hang; then it answers again (the commands sent during it are gone).
    BOOST_TEST(staysSilent(socket, std::chrono::milliseconds(std::max<qint64>(0, 1050 - clock.elapsed()))));
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(clock.elapsed() >= 1000);
    BOOST_TEST(str(command(control, "STATUS?")) == "OK");
}

BOOST_AUTO_TEST_CASE(hang_and_clear_over_pty) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--pty")});
    const Ready ready = sim.ready();
    QTcpSocket control;
    connectTo(control, ready.control);
    FileDescriptor slave(openPty(ready.ptyPath));
    QByteArray buffer;
    writeAll(slave.get(), "*IDN?\n");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(str(command(control, "FAULT hang")) == "OK");
    writeAll(slave.get(), "*IDN?\n");
    BOOST_TEST(!readLine(slave.get(), buffer, 500ms));
    BOOST_TEST(str(command(control, "CLEAR hang")) == "OK");
    writeAll(slave.get(), "*IDN?\n");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(str(command(control, "COUNTERS?")).find("discarded_bytes 6\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reboot_gives_silence_then_banner_then_fresh_state_tcp) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const Ready ready = sim.ready();
    QTcpSocket socket;
    QTcpSocket control;
    connectTo(socket, ready.port);
    connectTo(control, ready.control);
    BOOST_TEST(str(ask(socket, "RATE 20")) == "OK");
    BOOST_TEST(str(ask(socket, "STREAM ON")) == "OK");
    BOOST_REQUIRE(readLine(socket)); // streaming
    QElapsedTimer clock;
    clock.start();
    BOOST_TEST(str(command(control, "FAULT reboot down=1s")) == "OK");
    socket.write("*IDN?\n");
    // What was due before the reboot may still arrive; then nothing but the banner, after `down`.
    std::optional<QByteArray> line;
    do {
        line = readLine(socket, 3s);
    } while (line && line->startsWith("DATA "));
    BOOST_REQUIRE(line);
    BOOST_TEST(str(*line) == "ENV-1 SN0001 ready");
    BOOST_TEST(clock.elapsed() >= 990);
    BOOST_TEST(str(ask(socket, "RATE?")) == "RATE 10");
    BOOST_TEST(staysSilent(socket, 300ms)); // streaming is off
    BOOST_TEST(str(command(control, "COUNTERS?")).find("reboots 1\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reboot_over_pty) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--pty"), QStringLiteral("--serial"),
                    QStringLiteral("SN77")});
    const Ready ready = sim.ready();
    QTcpSocket control;
    connectTo(control, ready.control);
    FileDescriptor slave(openPty(ready.ptyPath));
    QByteArray buffer;
    BOOST_TEST(str(command(control, "FAULT reboot down=300ms")) == "OK");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "ENV-1 SN77 ready");
    writeAll(slave.get(), "*IDN?\n");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "ACME,ENV-1,SN77,1.4.2");
}

BOOST_AUTO_TEST_CASE(garbage_dropout_and_stuck_over_tcp) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const Ready ready = sim.ready();
    QTcpSocket socket;
    QTcpSocket control;
    connectTo(socket, ready.port);
    connectTo(control, ready.control);

    BOOST_TEST(str(command(control, "FAULT dropout p=1")) == "OK");
    socket.write("READ? TEMP\n");
    BOOST_TEST(staysSilent(socket, 300ms));
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(str(command(control, "CLEAR dropout")) == "OK");
    BOOST_TEST(matches(ask(socket, "READ? TEMP"), "^TEMP \\d+\\.\\d{3}$"));

    BOOST_TEST(str(command(control, "FAULT stuck channel=temp value=-12.25")) == "OK");
    for (int i = 0; i < 3; ++i)
        BOOST_TEST(str(ask(socket, "READ? TEMP")) == "TEMP -12.250");
    BOOST_TEST(str(command(control, "CLEAR all")) == "OK");

    BOOST_TEST(str(command(control, "FAULT garbage rate=5000 for=300ms")) == "OK");
    socket.write("*IDN?\n");
    QByteArray received;
    BOOST_REQUIRE(waitUntil([&] {
        received += socket.readAll();
        return received.size() >= 1499 + 24;
    }));
    BOOST_TEST(received.contains("ACME,ENV-1,SN0001,1.4.2\n"));
    BOOST_TEST(received.contains('\0'));
    BOOST_TEST(
        std::count_if(received.begin(), received.end(), [](char c) { return static_cast<uchar>(c) >= 0x80; })
        > 500);
    BOOST_TEST(staysSilent(socket, 300ms)); // the fault ended
    BOOST_TEST(str(command(control, "COUNTERS?")).find("garbage_bytes 1499\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(status_counters_and_errors_over_control) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const Ready ready = sim.ready();
    QTcpSocket control;
    connectTo(control, ready.control);
    BOOST_TEST(str(command(control, "FAULT offset channel=temp value=2.5")) == "OK");
    BOOST_TEST(str(command(control, "FAULT noise channel=hum sigma=0.5 for=1h")) == "OK");
    BOOST_TEST(matches(
        command(control, "STATUS?"),
        "^offset channel=temp value=2\\.5\\nnoise channel=hum sigma=0\\.5 for=3[56]\\d\\d(\\.\\d+)?s\\nOK$"));
    BOOST_TEST(str(command(control, "FAULT wobble")) == "ERR unknown fault kind wobble");
    BOOST_TEST(str(command(control, "FAULT spike channel=temp p=7 size=1"))
               == "ERR bad value p=7 (expected 0..1)");
    BOOST_TEST(str(command(control, "hello")) == "ERR unknown command");
    const QByteArray counters = command(control, "COUNTERS?");
    BOOST_TEST(matches(counters, "control_commands 4\\ncontrol_errors 3\\nOK$"), str(counters));
    BOOST_TEST(str(command(control, "CLEAR all")) == "OK");
    BOOST_TEST(str(command(control, "STATUS?")) == "OK");

    // A client that sends its commands and half-closes (printf | nc) still gets every answer.
    QTcpSocket oneShot;
    connectTo(oneShot, ready.control);
    oneShot.write("FAULT hang\nSTATUS?\n");
    BOOST_REQUIRE(oneShot.waitForBytesWritten(5000));
    BOOST_REQUIRE_EQUAL(::shutdown(static_cast<int>(oneShot.socketDescriptor()), SHUT_WR), 0);
    QByteArray received;
    BOOST_REQUIRE(waitUntil([&] {
        received += oneShot.readAll();
        return oneShot.state() == QAbstractSocket::UnconnectedState || received.count('\n') >= 3;
    }));
    BOOST_TEST(str(received) == "OK\nhang\nOK\n");
}

BOOST_AUTO_TEST_CASE(seeds_reproduce_over_the_wire) {
    // Garbage byte n and the noise on sample k depend on the seed alone, not on timing.
    const auto garbage = [](const char *seed) {
        SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                        QStringLiteral("--seed"), QString::fromLatin1(seed)});
        const Ready ready = sim.ready();
        QTcpSocket socket;
        QTcpSocket control;
        connectTo(socket, ready.port);
        connectTo(control, ready.control);
        BOOST_REQUIRE_EQUAL(str(command(control, "FAULT garbage rate=4000 for=250ms")), "OK");
        QByteArray received;
        BOOST_REQUIRE(waitUntil([&] {
            received += socket.readAll();
            return received.size() >= 999;
        }));
        return received;
    };
    const QByteArray first = garbage("5");
    BOOST_TEST(first.size() == 999);
    BOOST_TEST((garbage("5") == first));
    BOOST_TEST((garbage("6") != first));
}

BOOST_AUTO_TEST_CASE(tcp_banner_and_client_replacement) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--banner")});
    const quint16 port = sim.readyTcpPort();
    QTcpSocket first;
    connectTo(first, port);
    BOOST_TEST(str(readLine(first).value_or("(none)")) == "ENV-1 SN0001 ready");

    QTcpSocket second;
    connectTo(second, port);
    BOOST_TEST(str(readLine(second).value_or("(none)")) == "ENV-1 SN0001 ready");
    BOOST_TEST(first.waitForDisconnected(5000));
    BOOST_TEST(str(ask(second, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");

    second.disconnectFromHost();
    QTcpSocket third;
    connectTo(third, port);
    BOOST_TEST(str(readLine(third).value_or("(none)")) == "ENV-1 SN0001 ready");
    BOOST_TEST(str(ask(third, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
}

BOOST_AUTO_TEST_CASE(no_reply_never_answers) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--no-reply")});
    QTcpSocket socket;
    connectTo(socket, sim.readyTcpPort());
    socket.write("*IDN?\nSTREAM ON\n");
    BOOST_TEST(!socket.waitForReadyRead(300));
    BOOST_TEST(socket.bytesAvailable() == 0);
    BOOST_TEST(socket.state() == QAbstractSocket::ConnectedState);
    BOOST_TEST(sim.process().state() == QProcess::Running);
}

BOOST_AUTO_TEST_CASE(pty_answers_idn) {
    SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--pty"), QStringLiteral("--banner")});
    const QString path = sim.readyPtyPath();
    {
        // The simulator set the slave raw with echo off before anyone opened it.
        FileDescriptor probe(::open(path.toLocal8Bit().constData(), O_RDWR | O_NOCTTY | O_CLOEXEC));
        BOOST_REQUIRE(probe.get() >= 0);
        termios settings{};
        BOOST_REQUIRE_EQUAL(::tcgetattr(probe.get(), &settings), 0);
        BOOST_TEST((settings.c_lflag & (ECHO | ICANON)) == 0u);
        QByteArray buffer;
        BOOST_TEST(str(readLine(probe.get(), buffer).value_or("(none)")) == "ENV-1 SN0001 ready");
    }
    // Close and reopen, as a harness does between runs.
    FileDescriptor slave(openPty(path));
    QByteArray buffer;
    writeAll(slave.get(), "*IDN?\n");
    // Had the banner been echoed back to the simulator, an "ERR unknown command" would come first.
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "ACME,ENV-1,SN0001,1.4.2");
    writeAll(slave.get(), "READ? TEMP\r\n");
    BOOST_TEST(matches(readLine(slave.get(), buffer).value_or("(none)"), "^TEMP \\d+\\.\\d{3}$"));
}

BOOST_AUTO_TEST_CASE(psu_over_tcp_and_pty) {
    SimProcess tcp({QStringLiteral("psu"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--serial"), QStringLiteral("PS9"), QStringLiteral("--volt"),
                    QStringLiteral("12")});
    QTcpSocket socket;
    connectTo(socket, tcp.readyTcpPort());
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,PSU-2,PS9,2.1.0");
    BOOST_TEST(str(ask(socket, "VOLT?")) == "12.000");
    BOOST_TEST(str(ask(socket, "OUTP?")) == "1");
    BOOST_TEST(std::abs(ask(socket, "MEAS:VOLT?").toDouble() - 12.0) < 0.01);
    BOOST_TEST(std::abs(ask(socket, "MEAS:CURR?").toDouble() - 0.288) < 0.003);
    BOOST_TEST(str(ask(socket, "VOLT 31")) == "ERR range");
    BOOST_TEST(str(ask(socket, "OUTP OFF")) == "OK"); // feeds nothing: answered at once
    BOOST_TEST(ask(socket, "MEAS:VOLT?").toDouble() < 0.003);

    SimProcess pty({QStringLiteral("psu"), QStringLiteral("--pty"), QStringLiteral("--banner"),
                    QStringLiteral("--output"), QStringLiteral("off")});
    FileDescriptor slave(openPty(pty.readyPtyPath()));
    QByteArray buffer;
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "PSU-2 PS0001 ready");
    writeAll(slave.get(), "OUTP?\n");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "0");
    writeAll(slave.get(), "OUTP ON\nMEAS:CURR?\n");
    BOOST_TEST(str(readLine(slave.get(), buffer).value_or("(none)")) == "OK");
    BOOST_TEST(std::abs(readLine(slave.get(), buffer).value_or("0").toDouble() - 0.12) < 0.003);
}

BOOST_AUTO_TEST_CASE(psu_switches_a_real_envsensor) {
    SimProcess sensor({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
    const Ready sensorReady = sensor.ready();
    SimProcess psu({QStringLiteral("psu"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--feeds-control"),
                    QStringLiteral("127.0.0.1:") + QString::number(sensorReady.control)});
    const Ready psuReady = psu.ready();
    QTcpSocket device;
    QTcpSocket supply;
    QTcpSocket sensorControl;
    connectTo(device, sensorReady.port);
    connectTo(supply, psuReady.port);
    connectTo(sensorControl, sensorReady.control);
    BOOST_TEST(str(ask(device, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(std::abs(ask(supply, "MEAS:CURR?").toDouble() - 0.12) < 0.003);

    // "OK" comes once the sensor has been switched off: it is silent from then on.
    BOOST_TEST(str(ask(supply, "OUTP OFF")) == "OK");
    BOOST_TEST(str(command(sensorControl, "STATUS?")) == "power off\nOK");
    device.write("*IDN?\n");
    BOOST_TEST(staysSilent(device, 500ms));
    BOOST_TEST(ask(supply, "MEAS:CURR?").toDouble() < 0.0005);

    BOOST_TEST(str(ask(supply, "OUTP ON")) == "OK");
    QElapsedTimer boot;
    boot.start();
    BOOST_TEST(str(readLine(device, 3s).value_or("(none)")) == "ENV-1 SN0001 ready");
    BOOST_TEST(boot.elapsed() >= 250); // the 300 ms boot, less the time the answer took to get here
    BOOST_TEST(str(ask(device, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");
    BOOST_TEST(std::abs(ask(supply, "MEAS:CURR?").toDouble() - 0.12) < 0.003);
    const std::string counters = str(command(sensorControl, "COUNTERS?"));
    BOOST_TEST(counters.find("power_offs 1\n") != std::string::npos, counters);
    BOOST_TEST(counters.find("boots 1\n") != std::string::npos, counters);

    // The supply losing its own power takes the sensor down with it.
    QTcpSocket supplyControl;
    connectTo(supplyControl, psuReady.control);
    BOOST_TEST(str(command(supplyControl, "POWER OFF")) == "OK");
    BOOST_REQUIRE(waitUntil([&] { return command(sensorControl, "STATUS?") == "power off\nOK"; }, 5s));
}

BOOST_AUTO_TEST_CASE(psu_refuses_a_feed_it_cannot_reach) {
    quint16 closed = 0;
    {
        QTcpServer probe;
        BOOST_REQUIRE(probe.listen(QHostAddress::LocalHost, 0));
        closed = probe.serverPort();
    }
    SimProcess psu({QStringLiteral("psu"), QStringLiteral("--tcp"), QStringLiteral("0"),
                    QStringLiteral("--feeds-control"),
                    QStringLiteral("127.0.0.1:") + QString::number(closed)});
    BOOST_REQUIRE(psu.process().waitForFinished(10000));
    BOOST_TEST(psu.process().exitCode() == 1);
    BOOST_TEST(psu.process().readAllStandardOutput().isEmpty());
}

BOOST_AUTO_TEST_CASE(signals_exit_cleanly) {
    for (const int signalNumber : {SIGTERM, SIGINT}) {
        SimProcess sim({QStringLiteral("envsensor"), QStringLiteral("--tcp"), QStringLiteral("0")});
        sim.readyTcpPort();
        BOOST_REQUIRE_EQUAL(::kill(static_cast<pid_t>(sim.process().processId()), signalNumber), 0);
        BOOST_REQUIRE(sim.process().waitForFinished(5000));
        BOOST_TEST(sim.process().exitStatus() == QProcess::NormalExit);
        BOOST_TEST(sim.process().exitCode() == 0);
    }
    SimProcess pty({QStringLiteral("envsensor"), QStringLiteral("--pty")});
    pty.readyPtyPath();
    pty.process().terminate();
    BOOST_REQUIRE(pty.process().waitForFinished(5000));
    BOOST_TEST(pty.process().exitCode() == 0);
}

BOOST_AUTO_TEST_CASE(dies_with_its_parent) {
    // A shell starts hil-sim in the background and reports its pid; killing the shell must take the
    // simulator down with it (PR_SET_PDEATHSIG), which the client sees as a disconnect.
    SimProcess shell({QStringLiteral("-c"), QStringLiteral("\"$0\" envsensor --tcp 0 & echo PID $!; wait"),
                      simulatorPath()},
                     QStringLiteral("/bin/sh"));
    pid_t child = 0;
    quint16 port = 0;
    static const QRegularExpression ready(QStringLiteral("^READY tcp 127\\.0\\.0\\.1:(\\d+) control "));
    for (int i = 0; i < 2; ++i) {
        const auto line = shell.readStdoutLine();
        BOOST_REQUIRE(line);
        if (line->startsWith(QStringLiteral("PID ")))
            child = static_cast<pid_t>(line->mid(4).toInt());
        else if (const auto match = ready.match(*line); match.hasMatch())
            port = match.captured(1).toUShort();
    }
    BOOST_REQUIRE(child > 0);
    BOOST_REQUIRE(port > 0);
    QTcpSocket socket;
    connectTo(socket, port);
    BOOST_TEST(str(ask(socket, "*IDN?")) == "ACME,ENV-1,SN0001,1.4.2");

    shell.process().kill();
    BOOST_REQUIRE(shell.process().waitForFinished(5000));
    const bool gone = socket.state() == QAbstractSocket::UnconnectedState || socket.waitForDisconnected(5000);
    if (!gone)
        ::kill(child, SIGKILL);
    BOOST_TEST(gone);
}

BOOST_AUTO_TEST_CASE(command_line_is_validated) {
    const auto run = [](const QStringList &arguments) {
        QProcess process;
        process.start(simulatorPath(), arguments);
        BOOST_REQUIRE(process.waitForFinished(10000));
        return std::make_pair(process.exitCode(), QString::fromLocal8Bit(process.readAllStandardOutput()));
    };
    const auto [helpCode, helpText] = run({QStringLiteral("--help")});
    BOOST_TEST(helpCode == 0);
    for (const char *option : {"--tcp <PORT>", "--no-reply", "--control <PORT>",
                               "--feeds-control <HOST:PORT>", "--volt <V>", "--output <on|off>", "psu"})
        BOOST_TEST(helpText.contains(QLatin1String(option)), option);

    const auto args = [](std::initializer_list<const char *> words) {
        QStringList list;
        for (const char *word : words)
            list.append(QString::fromLatin1(word));
        return list;
    };
    for (const QStringList &bad :
         {args({"envsensor"}), args({"envsensor", "--pty", "--tcp", "0"}), args({"toaster", "--pty"}),
          args({"envsensor", "psu", "--pty"}), args({"envsensor", "--tcp", "0", "--rate", "5000"}),
          args({"envsensor", "--tcp", "70000"}), args({"envsensor", "--tcp", "0", "--control", "70000"}),
          args({"envsensor", "--tcp", "0", "--control", "any"}),
          args({"envsensor", "--tcp", "0", "--serial", "A,B"}), args({"envsensor", "--frobnicate"}),
          args({"envsensor", "--tcp", "0", "--volt", "5"}),
          args({"envsensor", "--tcp", "0", "--feeds-control", "127.0.0.1:5000"}),
          args({"psu", "--tcp", "0", "--rate", "10"}), args({"psu", "--tcp", "0", "--volt", "31"}),
          args({"psu", "--tcp", "0", "--volt", "-1"}), args({"psu", "--tcp", "0", "--output", "maybe"}),
          args({"psu", "--tcp", "0", "--feeds-control", "localhost"}),
          args({"psu", "--tcp", "0", "--feeds-control", "127.0.0.1:0"}),
          args({"psu", "--tcp", "0", "--feeds-control", "nowhere:4000"})}) {
        const auto [code, output] = run(bad);
        BOOST_TEST(code == 2, str(bad.join(QLatin1Char(' '))));
        BOOST_TEST(output.isEmpty()); // stdout stays clean: the harness parses it
    }
}

BOOST_AUTO_TEST_SUITE_END()
