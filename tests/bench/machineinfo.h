#pragma once

#include <QString>

namespace hilbench {

// What the figures were measured on, printed with every run so that a table is never read without it.
struct MachineInfo {
    int cpus = 0;        // usable by this process, as nproc counts them
    QString cpuModel;    // "model name" from /proc/cpuinfo
    QString kernel;      // uname -sr
    QString loadAverage; // /proc/loadavg, first three fields, at the time of the call
    QString buildType;   // CMAKE_BUILD_TYPE of this executable
    QString compiler;
    QString qtVersion;     // the Qt library at run time
    QString sqliteVersion; // the SQLite library at run time
};

MachineInfo machineInfo();
// The process's peak resident set size so far (VmHWM), in KiB; -1 if unknown.
qint64 peakRssKiB();
// The load average now, for before/after lines.
QString loadAverage();

} // namespace hilbench
