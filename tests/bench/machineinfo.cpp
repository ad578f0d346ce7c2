#include "machineinfo.h"

#include <QFile>
#include <QStringList>
#include <sched.h>
#include <sqlite3.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace hilbench {

namespace {

QByteArray readProcFile(const char *path) {
    QFile file(QString::fromLatin1(path));
    // /proc files report size 0, so read them as a sequential stream.
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// The value of the first "key : value" line of a /proc file that starts with `key`.
QString procField(const char *path, QByteArrayView key) {
    const QByteArrayList lines = readProcFile(path).split('\n');
    for (const QByteArray &line : lines) {
        if (!line.startsWith(key))
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon >= 0)
            return QString::fromUtf8(line.mid(colon + 1).trimmed());
    }
    return {};
}

int usableCpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
    return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
}

} // namespace

QString loadAverage() {
    const QStringList fields = QString::fromLatin1(readProcFile("/proc/loadavg")).split(u' ');
    return fields.size() >= 3 ? fields.mid(0, 3).join(u' ') : QStringLiteral("unknown");
}

qint64 peakRssKiB() {
    const QString value = procField("/proc/self/status", "VmHWM");
    bool ok = false;
    const qint64 kib = value.section(u' ', 0, 0).toLongLong(&ok);
    return ok ? kib : -1;
}

MachineInfo machineInfo() {
    MachineInfo m;
    m.cpus = usableCpus();
    m.cpuModel = procField("/proc/cpuinfo", "model name");
    if (m.cpuModel.isEmpty())
        m.cpuModel = QStringLiteral("unknown");
    utsname u{};
    if (uname(&u) == 0)
        m.kernel = QString::fromUtf8(u.sysname) + u' ' + QString::fromUtf8(u.release);
    m.loadAverage = loadAverage();
    m.buildType = QStringLiteral(HIL_BENCHMARK_BUILD_TYPE);
    m.compiler = QStringLiteral(HIL_BENCHMARK_COMPILER);
    m.qtVersion = QString::fromLatin1(qVersion());
    m.sqliteVersion = QString::fromLatin1(sqlite3_libversion());
    return m;
}

} // namespace hilbench
