#pragma once

#include "core/config/fixture.h"

#include <QObject>
#include <QProcess>
#include <QTimer>

namespace hil {

// A simulated device's `hil-sim` child process. start() launches it and waits (without blocking) for its
// READY line; ready() then says where to connect. An exit the harness did not ask for gives exited().
// stop() ends it (SIGTERM, then SIGKILL after a grace period); the destructor stops it too.
class SimProcess : public QObject {
    Q_OBJECT
public:
    SimProcess(const DeviceConfig &config, quint64 seed, QObject *parent = nullptr);
    ~SimProcess() override;

    void start(int readyTimeoutMs = 10000);
    void stop();
    // Power cut: SIGKILL, no chance to say goodbye; the exit is not reported as a crash.
    void kill();
    qint64 pid() const;
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    // The simulator's control channel ("127.0.0.1:PORT"), known after ready(); empty if it has none.
    const QString &controlAddress() const { return m_controlAddress; }
    // A simulated power supply switches the simulated device whose control channel this is.
    void setFeedsControl(const QString &address) { m_feedsControl = address; }
    QStringList arguments() const;

    // hil-sim next to the running executable, else on PATH; HIL_SIM overrides both.
    static QString simulatorPath();

signals:
    void ready(hil::SimSpec::Link link, const QString &address);
    void failed(const QString &reason);
    void exited(const QString &reason);

private:
    void onStdout();

    DeviceConfig m_config;
    quint64 m_seed;
    QProcess m_process;
    QTimer m_readyTimer;
    QByteArray m_stdout;
    QByteArray m_stderr;
    QString m_controlAddress;
    QString m_feedsControl;
    bool m_ready = false;
    bool m_stopping = false;
};

} // namespace hil
