#pragma once

// A real mosquitto broker for a test: its own config in a temporary folder, on a free port of 127.0.0.1,
// stopped with the object. mosquitto refuses to run as root unless its config says `user root`.

#include "support/eventloop.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <unistd.h>

namespace hiltest {

class MosquittoBroker {
public:
    struct Options {
        bool allowAnonymous = true;
        QString extraConfig; // appended to the config
    };

    MosquittoBroker()
        : MosquittoBroker(Options{}) {}
    explicit MosquittoBroker(const Options &options) {
        if (!m_dir.isValid()
            || QStandardPaths::findExecutable(QStringLiteral("mosquitto"),
                                              {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")})
                   .isEmpty())
            return;
        m_port = freePort();
        QFile conf(m_dir.filePath(QStringLiteral("mosquitto.conf")));
        if (!conf.open(QIODevice::WriteOnly))
            return;
        QString text = QStringLiteral("listener %1 127.0.0.1\nallow_anonymous %2\npersistence false\n"
                                      "log_dest stderr\nlog_type error\n")
                           .arg(m_port)
                           .arg(options.allowAnonymous ? QStringLiteral("true") : QStringLiteral("false"));
        if (::getuid() == 0)
            text += QStringLiteral("user root\n");
        text += options.extraConfig;
        conf.write(text.toUtf8());
        conf.close();
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(QStringLiteral("/usr/sbin/mosquitto"), {QStringLiteral("-c"), conf.fileName()});
        if (!m_process.waitForStarted(5000))
            return;
        // Ready once it accepts a connection.
        m_ready = waitUntil(
            [this] {
                if (m_process.state() != QProcess::Running)
                    return true;
                QTcpSocket probe;
                probe.connectToHost(QStringLiteral("127.0.0.1"), m_port);
                return probe.waitForConnected(200);
            },
            10000, 50);
        m_ready = m_ready && m_process.state() == QProcess::Running;
    }
    ~MosquittoBroker() {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(3000))
                m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
    MosquittoBroker(const MosquittoBroker &) = delete;
    MosquittoBroker &operator=(const MosquittoBroker &) = delete;

    bool ready() const { return m_ready; }
    quint16 port() const { return m_port; }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    QString folder() const { return m_dir.path(); }

    static quint16 freePort() {
        QTcpServer s;
        s.listen(QHostAddress::LocalHost, 0);
        return s.serverPort();
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    bool m_ready = false;
};

// Runs mosquitto_pub or mosquitto_sub to its end; true on exit 0.
inline bool runMosquittoClient(const QString &program, const QStringList &args, QByteArray *out = nullptr,
                               const QByteArray &input = {}, int timeoutMs = 20000) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted(5000))
        return false;
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    const bool done = p.waitForFinished(timeoutMs);
    if (out)
        *out = p.readAllStandardOutput();
    return done && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

} // namespace hiltest
