#pragma once

#include "core/base/eventkind.h"
#include "core/config/fixture.h"
#include "core/config/linkfault.h"
#include "core/link/faultpipeline.h"
#include "core/transport/fdtransport.h"

#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>
#include <memory>

namespace hil {

class BrokerProcess;
class DeviceSession;
class FaultProxy;
class UdpProxy;
class Link;
class SimControl;
class SimProcess;
class StallWatch;
class Transport;

// The live bench of one run: a DeviceSession per device, each over a Link (a transport with a fault
// pipeline), the `hil-sim` processes of simulated devices and their control channels. Owns all of them
// (QObject children). Lives on the runner's thread.
//
// connectAll() starts the fixture's brokers (mosquitto) and waits for them, then starts simulators (a
// simulated supply after the devices it feeds), opens every link and reports ready() once every device is
// connected, or failed() for the first that cannot be. Afterwards a lost link is reconnected with back-off
// (100 ms doubling to 2 s) for as long as the run lasts; a simulator that exits on its own is reported by
// deviceGone(), since nothing can bring it back.
class Bench : public QObject {
    Q_OBJECT
public:
    // stallThresholdNs: how long the engine thread may go without running before it is a `bench-stall`
    // (StallWatch); 0 turns stall watching off.
    Bench(const Fixture &fixture, const QStringList &deviceNames, quint64 runSeed, QObject *parent = nullptr,
          qint64 stallThresholdNs = 25'000'000);
    ~Bench() override;

    void connectAll(int timeoutMs = 15000);
    // Closes every session and stops every simulator (waits for them to exit).
    void shutdown();

    DeviceSession *session(const QString &device) const;
    QList<DeviceSession *> sessions() const;
    SimProcess *simulator(const QString &device) const;
    QStringList deviceNames() const;
    // The engine thread's stall watch, shared by every session (owned by the bench; null when off).
    StallWatch *stallWatch() const { return m_stallWatch; }

    // Link faults, by an id the caller chooses; they survive reconnects and simulator restarts.
    void injectLinkFault(const QString &device, int id, const LinkFaultSpec &spec);
    // What the link did while the fault was active, summed over both directions.
    LinkCounters clearLinkFault(const QString &device, int id);

    // Link faults on a fixture proxy (traffic the harness does not carry itself).
    void injectProxyFault(const QString &proxy, int id, const LinkFaultSpec &spec);
    LinkCounters clearProxyFault(const QString &proxy, int id);

    // A device fault: one command on the simulator's control channel. done(ok, answer) is called once.
    void sendDeviceCommand(const QString &device, const QString &command,
                           std::function<void(bool, const QString &)> done);

    // Power. A simulated device is killed hard and started again (its state is lost); a device with a
    // supply in the fixture is switched at the supply (OUTP OFF / OUTP ON sent on its link).
    void powerOff(const QString &device);
    void powerOn(const QString &device);
    bool isPowered(const QString &device) const;

    // The seed a simulated device gets when its fixture entry names none: stable per run seed and name.
    static quint64 deviceSeed(quint64 runSeed, const QString &device);

signals:
    void ready();
    void failed(const QString &device, const QString &reason);
    // A device that cannot come back: its simulator exited without being asked to.
    void deviceGone(const QString &device, const QString &reason);
    // connect, disconnect, reconnect, sim-start, sim-exit, power-off, power-on, overflow, queue-overflow,
    // unexpected-line, late-answer; bench-stall (no device) when the harness itself stalled.
    void deviceEvent(qint64 timeNs, hil::EventKind kind, const QString &device, const QString &detail);
    // A device's session became ready again after being lost (or powered off).
    void deviceBack(const QString &device);

private:
    struct Device {
        DeviceConfig config;
        SimProcess *sim = nullptr;
        SimControl *control = nullptr;
        DeviceSession *session = nullptr;
        Link *link = nullptr;            // owned by the session
        QPointer<FdTransport> fd;        // the link's own transport when it is a file descriptor's
        FaultProxy *mqttProxy = nullptr; // an MQTT device's link to its broker, where its link faults act
        UdpProxy *udpProxy = nullptr;    // a udp device's datagrams, where its link faults act per datagram
        QTimer *reconnect = nullptr;
        int backoffMs = 100;
        bool ready = false;
        bool everReady = false;
        bool powered = true;
        bool isSupply = false;
        QMap<int, LinkFaultSpec> linkFaults;
    };
    Device *find(const QString &name);
    const Device *find(const QString &name) const;
    void startSim(Device &d);
    void onSimReady(const QString &name, int link, const QString &address);
    void openSession(Device &d, const DeviceConfig &transportConfig);
    std::unique_ptr<Transport> mqttTransport(Device &d);
    std::unique_ptr<Transport> udpTransport(Device &d);
    void onStateChanged(const QString &name, int state, const QString &reason);
    void scheduleReconnect(Device &d);
    void switchSupply(const Device &d, const QByteArray &command);
    void fail(const QString &device, const QString &reason);
    void checkAllReady();
    void startBrokers();
    void connectProxiesAndDevices();
    void recordResets(FaultProxy *proxy, const QString &name);
    // A fixture proxy, listening, with its start recorded; false with *why when it cannot listen.
    bool startTcpProxy(const ProxyConfig &p, QString *why);
    bool startUdpProxy(const ProxyConfig &p, QString *why);
    quint64 proxySeed(const QString &name) const;

    QList<Device> m_devices;
    QList<ProxyConfig> m_proxyConfigs;
    QList<BrokerConfig> m_brokerConfigs;
    QList<BrokerProcess *> m_brokers; // started before proxies and devices, stopped after them
    int m_brokersReady = 0;
    QMap<QString, FaultProxy *> m_proxies;
    QMap<QString, UdpProxy *> m_udpProxies; // fixture proxies with `transport: udp`
    quint64 m_runSeed;
    QTimer m_connectTimer;
    StallWatch *m_stallWatch = nullptr;
    bool m_connecting = false;
    bool m_shuttingDown = false;
};

} // namespace hil
