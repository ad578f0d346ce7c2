// The device, endpoints and control server in-process on a real event loop.

#include "controlserver.h"
#include "envsensorprotocol.h"
#include "ptyendpoint.h"
#include "simdevice.h"
#include "support/simhelpers.h"
#include "support/simprocess.h"
#include "tcpendpoint.h"

#include <QElapsedTimer>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <boost/test/unit_test.hpp>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

using namespace hilsim;
using namespace simtest;
using namespace std::chrono_literals;
using std::chrono::nanoseconds;

BOOST_AUTO_TEST_SUITE(in_process)

BOOST_AUTO_TEST_CASE(device_streams_on_its_timer) {
    EnvSensorConfig config;
    config.rateHz = 200;
    auto owned = std::make_unique<EnvSensorProtocol>(config);
    const EnvSensorProtocol &protocol = *owned;
    SimDevice device(std::move(owned), config.seed);
    QByteArray received;
    QObject::connect(&device, &SimDevice::transmit, [&](const QByteArray &bytes) { received += bytes; });
    device.receive("STREAM ON\n");
    BOOST_TEST(str(received) == "OK\n");
    received.clear();

    BOOST_REQUIRE(waitUntil([&] { return received.count('\n') >= 40; }));
    const QByteArrayList lines = received.split('\n');
    for (qsizetype i = 0; i < 40; ++i)
        BOOST_TEST(lines[i].startsWith(QByteArray("DATA " + QByteArray::number(i + 1) + ' ')), str(lines[i]));
    device.endSession();
    BOOST_TEST(!protocol.isStreaming());
}

BOOST_AUTO_TEST_CASE(device_boots_on_its_timer_and_holds_output) {
    SimDevice device(std::make_unique<EnvSensorProtocol>(EnvSensorConfig{}), 1);
    QByteArray received;
    QObject::connect(&device, &SimDevice::transmit, [&](const QByteArray &bytes) { received += bytes; });
    BOOST_TEST(str(device.control("FAULT reboot down=200ms").join('\n')) == "OK");
    QElapsedTimer clock;
    clock.start();
    BOOST_REQUIRE(waitUntil([&] { return received.contains('\n'); }));
    BOOST_TEST(clock.elapsed() >= 199);
    BOOST_TEST(str(received) == "ENV-1 SN0001 ready\n");

    // Held output waits for the last release, in order.
    received.clear();
    device.holdOutput();
    device.holdOutput();
    device.receive("*IDN?\nRATE?\n");
    device.releaseOutput();
    BOOST_TEST(received.isEmpty());
    device.releaseOutput();
    BOOST_TEST(str(received) == "ACME,ENV-1,SN0001,1.4.2\nRATE 10\n");
    device.releaseOutput(); // one too many changes nothing
    device.receive("RATE?\n");
    BOOST_TEST(str(received) == "ACME,ENV-1,SN0001,1.4.2\nRATE 10\nRATE 10\n");
}

BOOST_AUTO_TEST_CASE(tcp_endpoint_serves_one_client_at_a_time) {
    EnvSensorConfig config;
    config.banner = true;
    SimDevice device(std::make_unique<EnvSensorProtocol>(config), config.seed);
    TcpEndpoint endpoint(&device);
    BOOST_REQUIRE(endpoint.listen(QHostAddress::LocalHost, 0));
    BOOST_REQUIRE_NE(endpoint.port(), 0);

    QTcpSocket first;
    first.connectToHost(QHostAddress::LocalHost, endpoint.port());
    BOOST_REQUIRE(waitUntil([&] { return first.canReadLine(); }));
    BOOST_TEST(str(first.readLine()) == "ENV-1 SN0001 ready\n");
    first.write("*IDN?\n");
    BOOST_REQUIRE(waitUntil([&] { return first.canReadLine(); }));
    BOOST_TEST(str(first.readLine()) == "ACME,ENV-1,SN0001,1.4.2\n");

    QTcpSocket second;
    second.connectToHost(QHostAddress::LocalHost, endpoint.port());
    BOOST_REQUIRE(waitUntil([&] {
        return endpoint.counters().clientsReplaced == 1 && first.state() == QAbstractSocket::UnconnectedState;
    }));
    BOOST_REQUIRE(waitUntil([&] { return second.canReadLine(); }));
    BOOST_TEST(str(second.readLine()) == "ENV-1 SN0001 ready\n");

    second.disconnectFromHost();
    BOOST_REQUIRE(waitUntil([&] { return !endpoint.hasClient(); }));
    BOOST_TEST(endpoint.counters().clientsAccepted == 2u);
    BOOST_TEST(endpoint.counters().bytesReceived == 6u);
    BOOST_TEST(device.protocol().counters().commandsHandled == 1u);
}

BOOST_AUTO_TEST_CASE(pty_endpoint_answers_and_survives_reopen) {
    SimDevice device(std::make_unique<EnvSensorProtocol>(EnvSensorConfig{}), 1);
    PtyEndpoint endpoint(&device);
    BOOST_REQUIRE_MESSAGE(endpoint.open(), str(endpoint.errorString()));

    for (int round = 0; round < 2; ++round) {
        FileDescriptor slave(openPty(endpoint.slavePath()));
        ::fcntl(slave.get(), F_SETFL, ::fcntl(slave.get(), F_GETFL) | O_NONBLOCK);
        QSocketNotifier readable(slave.get(), QSocketNotifier::Read);
        QByteArray received;
        QObject::connect(&readable, &QSocketNotifier::activated, [&] {
            char chunk[256];
            ssize_t n = 0;
            while ((n = ::read(slave.get(), chunk, sizeof chunk)) > 0)
                received.append(chunk, n);
        });
        writeAll(slave.get(), "*IDN?\n");
        BOOST_REQUIRE(waitUntil([&] { return received.contains('\n'); }));
        BOOST_TEST(str(received) == "ACME,ENV-1,SN0001,1.4.2\n");
    }
    BOOST_TEST(endpoint.counters().bytesReceived == 12u);
    BOOST_TEST(endpoint.counters().bytesSent == 48u);
    BOOST_TEST(endpoint.counters().bytesDropped == 0u);
}

BOOST_AUTO_TEST_CASE(control_server_serves_several_clients) {
    SimDevice device(std::make_unique<EnvSensorProtocol>(EnvSensorConfig{}), 1);
    ControlServer control(&device);
    BOOST_REQUIRE(control.listen(0));
    BOOST_TEST((control.address() == QHostAddress(QHostAddress::LocalHost)));
    QTcpSocket harness;
    QTcpSocket supply;
    harness.connectToHost(QHostAddress::LocalHost, control.port());
    supply.connectToHost(QHostAddress::LocalHost, control.port());
    const auto reply = [](QTcpSocket &socket, const QByteArray &line, int lines = 1) {
        socket.write(line);
        QByteArray got;
        BOOST_REQUIRE(waitUntil([&] {
            while (socket.canReadLine())
                got += socket.readLine();
            return got.count('\n') >= lines;
        }));
        return str(got);
    };
    BOOST_TEST(reply(harness, "FAULT hang\r\n") == "OK\n");
    BOOST_TEST(reply(supply, "STATUS?\n", 2) == "hang\nOK\n");
    // Empty lines are ignored; several commands in one write are answered in order.
    BOOST_TEST(reply(supply, "\n\nCLEAR hang\nSTATUS?\nBOGUS\n", 3) == "OK\nOK\nERR unknown command\n");
    BOOST_TEST(reply(harness, QByteArray(5000, 'x'), 1) == "ERR line too long\n");
    BOOST_TEST(reply(harness, "still the long line\nSTATUS?\n") == "OK\n");
    BOOST_TEST(control.counters().clientsAccepted == 2u);
    BOOST_TEST(control.counters().linesHandled == 6u);
}

BOOST_AUTO_TEST_SUITE_END()
