#pragma once

#include <QString>
#include <QStringList>
#include <functional>
#include <vector>

namespace hilbench {

// One look at a running process from outside, through /proc.
struct ProcessSample {
    double seconds = 0;   // since the process started
    qint64 rssKiB = -1;   // VmRSS of /proc/<pid>/status
    int fds = -1;         // entries of /proc/<pid>/fd
    int children = -1;    // live processes whose parent is <pid> (simulators)
    qint64 progress = -1; // what the caller's probe returned at that moment (rows recorded, say)
};

qint64 rssKiBOf(qint64 pid);
int fdCountOf(qint64 pid);
int childCountOf(qint64 pid);

struct ChildRunResult {
    int exitCode = -1;
    bool crashed = false;
    double seconds = 0;
    qint64 pid = 0;
    std::vector<ProcessSample> samples; // taken every interval while the child lived
    QString stdoutText;
    QString stderrText;
};

// Runs program with args as a child, samples it every intervalMs until it exits (the probe, if given, is
// called at each sample and its value stored with it), and returns its exit status and the samples.
// Blocks, running an event loop. timeoutMs: the child is killed after that long (exit code -1).
ChildRunResult runSampled(const QString &program, const QStringList &args, int intervalMs, int timeoutMs,
                          const std::function<qint64()> &probe = {});

// The `hil` next to this program (HIL=path overrides); empty with *error if it is not an executable.
QString hilExecutable(QString *error);

} // namespace hilbench
