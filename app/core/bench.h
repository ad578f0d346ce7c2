#pragma once

#include "fixture.h"

#include <QList>
#include <QObject>
#include <QTimer>

namespace hil {

class DeviceSession;
class SimProcess;

// The live bench of one run: a DeviceSession per device the scenario uses, and the `hil-sim` processes of
// simulated devices. Owns both (QObject children). connectAll() starts simulators, opens every transport
// and reports ready() once all devices answer to their transport, or failed() for the first that cannot.
// Lives on the runner's thread.
class Bench : public QObject {
    Q_OBJECT
public:
    Bench(const Fixture &fixture, const QStringList &deviceNames, quint64 runSeed, QObject *parent = nullptr);
    ~Bench() override;

    void connectAll(int timeoutMs = 15000);
    // Closes every session and stops every simulator (waits for them to exit).
    void shutdown();

    DeviceSession *session(const QString &device) const;
    QList<DeviceSession *> sessions() const;
    SimProcess *simulator(const QString &device) const;

    // The seed a simulated device gets when its fixture entry names none: stable per run seed and name.
    static quint64 deviceSeed(quint64 runSeed, const QString &device);

signals:
    void ready();
    void failed(const QString &device, const QString &reason);
    // connect, disconnect, sim-start, sim-exit, overflow, queue-overflow; monotonic ns.
    void deviceEvent(qint64 timeNs, const QString &kind, const QString &device, const QString &detail);

private:
    struct Device {
        DeviceConfig config;
        SimProcess *sim = nullptr;
        DeviceSession *session = nullptr;
        bool ready = false;
    };
    void openSession(Device &d, const DeviceConfig &transportConfig);
    void fail(const QString &device, const QString &reason);

    QList<Device> m_devices;
    quint64 m_runSeed;
    QTimer m_connectTimer;
    bool m_connecting = false;
};

} // namespace hil
