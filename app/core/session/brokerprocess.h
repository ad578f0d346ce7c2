#pragma once

#include "core/config/fixture.h"

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QTimer>
#include <memory>

class QTcpSocket;
class QTemporaryDir;

namespace hil {

// A fixture broker: a real mosquitto the harness runs for the length of a run. start() writes its
// configuration into a temporary directory (one listener on the configured address, anonymous clients
// allowed, no persistence, log to stderr; run as the `mosquitto` user, or root where there is none, when
// the harness runs as root, as mosquitto 2 drops root itself), checks the port is free, launches it and
// reports ready() once an MQTT CONNECT on the port gets its CONNACK. failed() says why it could not
// (mosquitto missing, the port taken, an early exit with its stderr, no CONNACK in time); exited() is an
// exit nobody asked for after ready(). stop() ends it (SIGTERM, then SIGKILL after a grace period); the
// destructor stops it too.
class BrokerProcess : public QObject {
    Q_OBJECT
public:
    explicit BrokerProcess(const BrokerConfig &config, QObject *parent = nullptr);
    ~BrokerProcess() override;

    void start(int readyTimeoutMs = 10000);
    void stop();
    qint64 pid() const;
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    const BrokerConfig &config() const { return m_config; }
    QString address() const;
    // The configuration file written for the run (empty before start()).
    QString configPath() const { return m_configPath; }

    // $HIL_MOSQUITTO, else mosquitto on PATH or in /usr/sbin, /usr/local/sbin; empty if none.
    static QString brokerPath();
    // The configuration text for `config` (what start() writes).
    static QByteArray configText(const BrokerConfig &config);

signals:
    void ready();
    void failed(const QString &reason);
    void exited(const QString &reason);

private:
    void probe();
    void fail(const QString &reason);
    QString stderrTail() const;

    BrokerConfig m_config;
    QProcess m_process;
    QTimer m_readyTimer;
    QTimer m_probeTimer;
    std::unique_ptr<QTemporaryDir> m_dir;
    QTcpSocket *m_probe = nullptr; // child of this while a probe is under way
    QString m_configPath;
    QByteArray m_stderr;
    bool m_ready = false;
    bool m_stopping = false;
    bool m_failed = false;
};

} // namespace hil
