#include "core/session/simprocess.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QStandardPaths>
#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace hil {

SimProcess::SimProcess(const DeviceConfig &config, quint64 seed, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_seed(seed)
    , m_process(this)
    , m_readyTimer(this) {
    m_readyTimer.setSingleShot(true);
    connect(&m_readyTimer, &QTimer::timeout, this, [this] {
        m_stopping = true;
        m_process.kill();
        emit failed(QStringLiteral("simulator for '%1' did not report READY in time; stderr: %2")
                        .arg(m_config.name, QString::fromUtf8(m_stderr.trimmed())));
    });
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &SimProcess::onStdout);
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        m_stderr += m_process.readAllStandardError();
        if (m_stderr.size() > 8192)
            m_stderr = m_stderr.right(8192);
    });
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            m_readyTimer.stop();
            emit failed(QStringLiteral("cannot start simulator %1: %2")
                            .arg(simulatorPath(), m_process.errorString()));
        }
    });
    connect(&m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        m_readyTimer.stop();
        if (m_stopping)
            return;
        const QString how = status == QProcess::CrashExit ? QStringLiteral("was killed or crashed")
                                                          : QStringLiteral("exited with code %1").arg(code);
        const QString reason =
            QStringLiteral("simulator for '%1' %2%3")
                .arg(m_config.name, how,
                     m_stderr.isEmpty() ? QString()
                                        : QStringLiteral(": ") + QString::fromUtf8(m_stderr.trimmed()));
        if (m_ready)
            emit exited(reason);
        else
            emit failed(reason);
    });
}

SimProcess::~SimProcess() {
    stop();
}

QString SimProcess::simulatorPath() {
    const QString env = qEnvironmentVariable("HIL_SIM");
    if (!env.isEmpty())
        return env;
    const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/hil-sim");
    if (QFileInfo(beside).isExecutable())
        return beside;
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("hil-sim"));
    return onPath.isEmpty() ? beside : onPath;
}

QStringList SimProcess::arguments() const {
    QStringList args{m_config.sim.model};
    if (m_config.sim.link == SimSpec::Link::Pty)
        args << QStringLiteral("--pty");
    else
        args << QStringLiteral("--tcp") << QStringLiteral("0");
    args << QStringLiteral("--seed") << QString::number(m_seed);
    // A simulated Modbus PLC answers the unit its `modbus:` entry names (0, broadcast, is never answered).
    if (m_config.sim.model == u"modbus" && m_config.modbusUnit >= 1)
        args << QStringLiteral("--unit") << QString::number(m_config.modbusUnit);
    if (!m_feedsControl.isEmpty())
        args << QStringLiteral("--feeds-control") << m_feedsControl;
    for (auto it = m_config.sim.options.cbegin(); it != m_config.sim.options.cend(); ++it) {
        const QString value = it.value().toLower();
        if (value == u"false" || value == u"no" || value == u"off")
            continue;
        args << QStringLiteral("--") + it.key();
        if (value != u"true" && value != u"yes" && value != u"on")
            args << it.value();
    }
    return args;
}

void SimProcess::start(int readyTimeoutMs) {
    m_ready = false;
    m_stopping = false;
    m_stdout.clear();
    m_stderr.clear();
    m_readyTimer.start(readyTimeoutMs);
    // In the child between fork and exec: the simulator goes when the harness goes, also when the harness
    // is killed with SIGKILL and has no chance to stop it. hil-sim asks for this itself too, but only once
    // it runs; a harness dying before that would leave it behind.
    const pid_t harness = ::getpid();
    m_process.setChildProcessModifier([harness] {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != harness)
            ::_exit(127);
    });
    m_process.start(simulatorPath(), arguments(), QIODevice::ReadOnly);
}

void SimProcess::stop() {
    m_readyTimer.stop();
    if (m_process.state() == QProcess::NotRunning)
        return;
    // A simulator that died on its own a moment ago is reported as such (finished() runs inside this
    // call), not taken for the exit this stop is about to cause.
    if (m_process.waitForFinished(0))
        return;
    m_stopping = true;
    m_process.terminate();
    if (!m_process.waitForFinished(2000)) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

void SimProcess::kill() {
    m_readyTimer.stop();
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_stopping = true;
    m_process.kill();
    m_process.waitForFinished(2000);
}

qint64 SimProcess::pid() const {
    return m_process.processId();
}

void SimProcess::onStdout() {
    m_stdout += m_process.readAllStandardOutput();
    if (m_ready)
        return;
    const qsizetype nl = m_stdout.indexOf('\n');
    if (nl < 0)
        return;
    const QString line = QString::fromUtf8(m_stdout.left(nl)).trimmed();
    m_stdout.clear();
    const QStringList parts = line.split(u' ', Qt::SkipEmptyParts);
    m_readyTimer.stop();
    // READY <pty|tcp> <address> [control <address>]
    if (parts.size() >= 3 && parts[0] == u"READY" && (parts[1] == u"pty" || parts[1] == u"tcp")) {
        m_ready = true;
        m_controlAddress.clear();
        for (qsizetype i = 3; i + 1 < parts.size(); i += 2) {
            if (parts[i] == u"control")
                m_controlAddress = parts[i + 1];
        }
        emit ready(parts[1] == u"pty" ? SimSpec::Link::Pty : SimSpec::Link::Tcp, parts[2]);
        return;
    }
    m_stopping = true;
    m_process.kill();
    emit failed(QStringLiteral("simulator for '%1' said '%2' instead of READY").arg(m_config.name, line));
}

} // namespace hil
