#include "core/session/brokerprocess.h"

#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <csignal>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace hil {

namespace {

constexpr int kProbeIntervalMs = 50;

// An MQTT 3.1.1 CONNECT: clean session, keepalive 5 s, client id "hil-probe"; and a DISCONNECT.
const QByteArray kConnect = QByteArray::fromHex("101500044d5154540402000500096869"
                                                "6c2d70726f6265");
const QByteArray kConnackAccepted = QByteArray::fromHex("20020000");
const QByteArray kDisconnect = QByteArray::fromHex("e000");

} // namespace

BrokerProcess::BrokerProcess(const BrokerConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_process(this) {
    m_readyTimer.setSingleShot(true);
    connect(&m_readyTimer, &QTimer::timeout, this, [this] {
        fail(QStringLiteral("broker '%1' did not accept an MQTT connection on %2 in time%3")
                 .arg(m_config.name, address(), stderrTail()));
    });
    m_probeTimer.setSingleShot(true);
    connect(&m_probeTimer, &QTimer::timeout, this, &BrokerProcess::probe);
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process.readAllStandardError();
        if (m_stderr.size() > 8192)
            m_stderr = m_stderr.right(8192);
    });
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            fail(QStringLiteral("broker '%1': cannot start %2: %3")
                     .arg(m_config.name, m_process.program(), m_process.errorString()));
    });
    connect(&m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        m_stderr += m_process.readAllStandardError();
        if (m_stopping || m_failed)
            return;
        const QString how = status == QProcess::CrashExit ? QStringLiteral("was killed or crashed")
                                                          : QStringLiteral("exited with code %1").arg(code);
        const QString reason = QStringLiteral("broker '%1' (mosquitto on %2) %3%4")
                                   .arg(m_config.name, address(), how, stderrTail());
        if (m_ready)
            emit exited(reason);
        else
            fail(reason);
    });
}

BrokerProcess::~BrokerProcess() {
    stop();
}

QString BrokerProcess::address() const {
    return m_config.listenHost + QLatin1Char(':') + QString::number(m_config.listenPort);
}

qint64 BrokerProcess::pid() const {
    return m_process.processId();
}

QString BrokerProcess::brokerPath() {
    const QString env = qEnvironmentVariable("HIL_MOSQUITTO");
    if (!env.isEmpty())
        return env;
    QString path = QStandardPaths::findExecutable(QStringLiteral("mosquitto"));
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(
            QStringLiteral("mosquitto"), {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/sbin")});
    return path;
}

QByteArray BrokerProcess::configText(const BrokerConfig &config) {
    QByteArray text = "# Written by hil for fixture broker '" + config.name.toUtf8() + "'.\n";
    text += "listener " + QByteArray::number(config.listenPort) + ' ' + config.listenHost.toUtf8() + '\n';
    text += "allow_anonymous true\n"
            "persistence false\n"
            "log_dest stderr\n"
            "log_type error\n"
            "log_type warning\n";
    // mosquitto 2 started as root switches to the user named here (default "mosquitto", which must then
    // exist); as anyone else it ignores the setting.
    if (::geteuid() == 0)
        text += ::getpwnam("mosquitto") ? "user mosquitto\n" : "user root\n";
    return text;
}

QString BrokerProcess::stderrTail() const {
    const QByteArray tail = m_stderr.trimmed();
    return tail.isEmpty() ? QString() : QStringLiteral(": ") + QString::fromUtf8(tail);
}

void BrokerProcess::start(int readyTimeoutMs) {
    m_ready = false;
    m_stopping = false;
    m_failed = false;
    m_stderr.clear();
    m_readyTimer.start(readyTimeoutMs);
    const QString program = brokerPath();
    if (program.isEmpty()) {
        QMetaObject::invokeMethod(
            this,
            [this] {
                fail(QStringLiteral("broker '%1': mosquitto is not installed (not on PATH nor in /usr/sbin; "
                                    "cmake/setup.sh installs it, HIL_MOSQUITTO names another)")
                         .arg(m_config.name));
            },
            Qt::QueuedConnection);
        return;
    }
    // A port someone else listens on would answer the probe for a broker that never started.
    {
        QTcpServer server;
        if (!server.listen(QHostAddress(m_config.listenHost), m_config.listenPort)) {
            const QString why = server.errorString();
            QMetaObject::invokeMethod(
                this,
                [this, why] {
                    fail(QStringLiteral("broker '%1' cannot listen on %2: %3 (is another broker running?)")
                             .arg(m_config.name, address(), why));
                },
                Qt::QueuedConnection);
            return;
        }
    }
    m_dir = std::make_unique<QTemporaryDir>();
    m_configPath = m_dir->filePath(QStringLiteral("mosquitto.conf"));
    QFile file(m_configPath);
    if (!m_dir->isValid() || !file.open(QIODevice::WriteOnly) || file.write(configText(m_config)) < 0) {
        const QString why = m_dir->isValid() ? file.errorString() : m_dir->errorString();
        QMetaObject::invokeMethod(
            this,
            [this, why] {
                fail(QStringLiteral("broker '%1': cannot write its configuration: %2")
                         .arg(m_config.name, why));
            },
            Qt::QueuedConnection);
        return;
    }
    file.close();
    // mosquitto reads the file before it drops root; the directory is the harness's own.
    QFile::setPermissions(m_configPath,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
    const pid_t harness = ::getpid();
    m_process.setChildProcessModifier([harness] {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != harness)
            ::_exit(127);
    });
    m_process.setProgram(program);
    m_process.setArguments({QStringLiteral("-c"), m_configPath});
    m_process.start(QIODevice::ReadOnly);
    m_probeTimer.start(kProbeIntervalMs);
}

void BrokerProcess::probe() {
    if (m_ready || m_failed || m_stopping || m_process.state() != QProcess::Running) {
        if (!m_ready && !m_failed && !m_stopping && m_process.state() == QProcess::Starting)
            m_probeTimer.start(kProbeIntervalMs);
        return;
    }
    delete m_probe;
    m_probe = new QTcpSocket(this);
    auto *socket = m_probe;
    auto retry = [this, socket] {
        if (m_probe != socket)
            return;
        m_probe = nullptr;
        socket->deleteLater();
        m_probeTimer.start(kProbeIntervalMs);
    };
    connect(socket, &QTcpSocket::connected, this, [socket] { socket->write(kConnect); });
    connect(socket, &QTcpSocket::errorOccurred, this, retry);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket, retry] {
        if (socket->bytesAvailable() < kConnackAccepted.size())
            return;
        if (socket->read(kConnackAccepted.size()) != kConnackAccepted) {
            retry();
            return;
        }
        socket->write(kDisconnect);
        socket->disconnectFromHost();
        m_probe = nullptr;
        socket->deleteLater();
        m_ready = true;
        m_readyTimer.stop();
        emit ready();
    });
    socket->connectToHost(m_config.listenHost, m_config.listenPort);
}

void BrokerProcess::fail(const QString &reason) {
    if (m_failed || m_ready)
        return;
    m_failed = true;
    m_readyTimer.stop();
    m_probeTimer.stop();
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
    emit failed(reason);
}

void BrokerProcess::stop() {
    m_readyTimer.stop();
    m_probeTimer.stop();
    delete m_probe;
    m_probe = nullptr;
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_stopping = true;
    m_process.terminate();
    if (!m_process.waitForFinished(3000)) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

} // namespace hil
