#pragma once

// A real PostgreSQL server for a test: initdb into a temporary folder, pg_ctl start on a free port of
// 127.0.0.1 with password (scram) authentication over TCP, stopped and removed with the object. The
// server refuses to run as root, so as root the cluster belongs to `nobody` and the programs run through
// runuser. The binaries are Debian's (/usr/lib/postgresql/<major>/bin).

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <pwd.h>
#include <unistd.h>

namespace hiltest {

class PostgresServer {
public:
    static constexpr const char *kUser = "hil";
    static constexpr const char *kPassword = "bench-secret";

    PostgresServer() {
        m_bin = binDir();
        if (m_bin.isEmpty() || !m_dir.isValid()) {
            m_why = QStringLiteral("no PostgreSQL server binaries under /usr/lib/postgresql (cmake/setup.sh "
                                   "installs the postgresql package)");
            return;
        }
        m_data = m_dir.filePath(QStringLiteral("data"));
        const QString pwfile = m_dir.filePath(QStringLiteral("pw"));
        QFile pw(pwfile);
        if (!pw.open(QIODevice::WriteOnly))
            return;
        pw.write(kPassword);
        pw.close();
        if (::getuid() == 0) {
            const passwd *nobody = ::getpwnam("nobody");
            if (!nobody) {
                m_why = QStringLiteral("running as root and there is no user 'nobody' to own the cluster");
                return;
            }
            m_runAs = QStringLiteral("nobody");
            for (const QString &p : {m_dir.path(), pwfile})
                if (::chown(QFile::encodeName(p).constData(), nobody->pw_uid, nobody->pw_gid) != 0)
                    return;
        }
        m_port = freePort();
        QString out;
        if (!run(m_bin + QStringLiteral("/initdb"),
                 {QStringLiteral("-D"), m_data, QStringLiteral("-U"), QString::fromLatin1(kUser),
                  QStringLiteral("--pwfile=") + pwfile, QStringLiteral("--auth-host=scram-sha-256"),
                  QStringLiteral("--auth-local=trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                  QStringLiteral("--locale=C"), QStringLiteral("--no-sync")},
                 &out)) {
            m_why = QStringLiteral("initdb failed: ") + out;
            return;
        }
        m_ready = start();
    }
    ~PostgresServer() { stop(); }
    PostgresServer(const PostgresServer &) = delete;
    PostgresServer &operator=(const PostgresServer &) = delete;

    bool ready() const { return m_ready; }
    QString why() const { return m_why; }
    quint16 port() const { return m_port; }
    QString address() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    // postgresql://hil:bench-secret@127.0.0.1:PORT/DB
    QString url(const QString &db = QStringLiteral("postgres")) const { return urlVia(address(), db); }
    QString urlVia(const QString &hostPort, const QString &db = QStringLiteral("postgres")) const {
        return QStringLiteral("postgresql://%1:%2@%3/%4")
            .arg(QString::fromLatin1(kUser), QString::fromLatin1(kPassword), hostPort, db);
    }
    QString binDirectory() const { return m_bin; }

    // psql against a database of this server (over its Unix socket, trusted); true on exit 0.
    bool psql(const QString &sql, QString *out = nullptr,
              const QString &db = QStringLiteral("postgres")) const {
        return run(m_bin + QStringLiteral("/psql"),
                   {QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-A"), QStringLiteral("-t"),
                    QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-h"),
                    m_dir.path(), QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-U"),
                    QString::fromLatin1(kUser), QStringLiteral("-d"), db, QStringLiteral("-c"), sql},
                   out);
    }

    // Stops the server at once (as a crash or a pulled cable would end it for its clients), and starts it.
    void stop() {
        if (m_ready)
            run(m_bin + QStringLiteral("/pg_ctl"),
                {QStringLiteral("-D"), m_data, QStringLiteral("-m"), QStringLiteral("immediate"),
                 QStringLiteral("-w"), QStringLiteral("stop")});
        m_ready = false;
    }
    bool start() {
        QString out;
        m_ready = run(m_bin + QStringLiteral("/pg_ctl"),
                      {QStringLiteral("-D"), m_data, QStringLiteral("-w"), QStringLiteral("-t"),
                       QStringLiteral("30"), QStringLiteral("-l"),
                       m_dir.filePath(QStringLiteral("server.log")), QStringLiteral("-o"),
                       QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c fsync=off "
                                      "-c full_page_writes=off -c synchronous_commit=off")
                           .arg(m_port)
                           .arg(m_dir.path()),
                       QStringLiteral("start")},
                      &out);
        if (!m_ready)
            m_why = QStringLiteral("pg_ctl start failed: ") + out;
        return m_ready;
    }

    static QString binDir() {
        const QDir root(QStringLiteral("/usr/lib/postgresql"));
        QStringList majors = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        std::sort(majors.begin(), majors.end(),
                  [](const QString &a, const QString &b) { return a.toInt() > b.toInt(); });
        for (const QString &m : majors) {
            const QString bin = root.filePath(m + QStringLiteral("/bin"));
            if (QFile::exists(bin + QStringLiteral("/initdb"))
                && QFile::exists(bin + QStringLiteral("/pg_ctl")))
                return bin;
        }
        return {};
    }
    static quint16 freePort() {
        QTcpServer s;
        s.listen(QHostAddress::LocalHost, 0);
        return s.serverPort();
    }

private:
    bool run(const QString &program, const QStringList &args, QString *out = nullptr) const {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.setWorkingDirectory(m_dir.path());
        if (m_runAs.isEmpty())
            p.start(program, args);
        else
            p.start(QStringLiteral("runuser"),
                    QStringList{QStringLiteral("-u"), m_runAs, QStringLiteral("--"), program} + args);
        const bool done = p.waitForStarted(5000) && p.waitForFinished(60000);
        if (out)
            *out = QString::fromUtf8(p.readAll()).trimmed();
        return done && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    // As root the cluster belongs to nobody, who must reach the folder: under /tmp, whatever TMPDIR says.
    QTemporaryDir m_dir{::getuid() == 0 ? QStringLiteral("/tmp/hil-pg-XXXXXX")
                                        : QDir::tempPath() + QStringLiteral("/hil-pg-XXXXXX")};
    QString m_bin;
    QString m_data;
    QString m_runAs;
    QString m_why;
    quint16 m_port = 0;
    bool m_ready = false;
};

} // namespace hiltest
