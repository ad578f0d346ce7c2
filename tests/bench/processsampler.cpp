#include "processsampler.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTimer>

namespace hilbench {

qint64 rssKiBOf(qint64 pid) {
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

int fdCountOf(qint64 pid) {
    const QDir dir(QStringLiteral("/proc/%1/fd").arg(pid));
    if (!dir.exists())
        return -1;
    return static_cast<int>(dir.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System).size());
}

int childCountOf(qint64 pid) {
    // /proc/<p>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after
    // the last ')'.
    int n = 0;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool isPid = false;
        entry.toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile f(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray stat = f.readAll();
        const qsizetype close = stat.lastIndexOf(')');
        if (close < 0)
            continue;
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        if (fields.size() > 1 && fields[0] != "Z" && fields[1].toLongLong() == pid)
            ++n;
    }
    return n;
}

ChildRunResult runSampled(const QString &program, const QStringList &args, int intervalMs, int timeoutMs,
                          const std::function<qint64()> &probe) {
    ChildRunResult r;
    QProcess child;
    QEventLoop loop;
    QTimer sampler;
    QTimer deadline;
    QElapsedTimer clock;
    QObject::connect(&child, &QProcess::finished, &loop, &QEventLoop::quit);
    QObject::connect(&child, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart)
            loop.quit();
    });
    QObject::connect(&sampler, &QTimer::timeout, &loop, [&] {
        ProcessSample s;
        s.seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
        s.rssKiB = rssKiBOf(r.pid);
        s.fds = fdCountOf(r.pid);
        s.children = childCountOf(r.pid);
        if (probe)
            s.progress = probe();
        if (s.rssKiB >= 0 && s.fds >= 0) // not yet gone
            r.samples.push_back(s);
    });
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, [&] {
        child.kill();
        child.waitForFinished(5000);
        loop.quit();
    });
    sampler.setTimerType(Qt::PreciseTimer);
    child.setProgram(program);
    child.setArguments(args);
    clock.start();
    child.start();
    if (!child.waitForStarted(10000)) {
        r.stderrText = QStringLiteral("cannot start %1: %2").arg(program, child.errorString());
        return r;
    }
    r.pid = child.processId();
    sampler.start(intervalMs);
    deadline.start(timeoutMs);
    loop.exec();
    sampler.stop();
    r.seconds = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    r.crashed = child.exitStatus() != QProcess::NormalExit;
    r.exitCode = r.crashed || child.state() != QProcess::NotRunning ? -1 : child.exitCode();
    r.stdoutText = QString::fromLocal8Bit(child.readAllStandardOutput());
    r.stderrText = QString::fromLocal8Bit(child.readAllStandardError());
    return r;
}

QString hilExecutable(QString *error) {
    const QString hil = qEnvironmentVariableIsSet("HIL")
                            ? qEnvironmentVariable("HIL")
                            : QCoreApplication::applicationDirPath() + QStringLiteral("/hil");
    if (!QFileInfo(hil).isExecutable()) {
        *error = QStringLiteral("%1 is not an executable (build the hil target, or set HIL)").arg(hil);
        return {};
    }
    return hil;
}

} // namespace hilbench
