#include "core/store/runliveness.h"

#include "core/base/clock.h"
#include "core/store/sqlitestatement.h"
#include "core/store/verdictinputsreader.h"

#include <QDateTime>
#include <QFile>
#include <QSysInfo>
#include <QTimeZone>
#include <cerrno>
#include <csignal>

namespace hil {

bool processAlive(qint64 pid) {
    if (pid <= 0)
        return false;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM)
        return false;
    // A process killed but not yet reaped by its parent still answers kill(0): its state says Z.
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (stat.open(QIODevice::ReadOnly)) {
        const QByteArray line = stat.readAll();
        const qsizetype paren = line.lastIndexOf(')');
        if (paren >= 0 && paren + 2 < line.size() && (line[paren + 2] == 'Z' || line[paren + 2] == 'X'))
            return false;
    }
    return true;
}

std::optional<UnfinishedRun> inspectUnfinishedRun(sqlite3 *db, qint64 runId) {
    SqliteStatement run(db, "SELECT writer_pid, writer_host, heartbeat_at_ns, started_at_ns FROM runs"
                            " WHERE id = ? AND ended_at_ns IS NULL");
    run.bind(1, runId);
    if (!run.ok() || !run.next())
        return std::nullopt;
    UnfinishedRun u;
    if (run.isNull(0) || run.isNull(2))
        return u; // written before schema 3: nothing tells whether its writer lives
    const qint64 pid = run.int64(0);
    const QString host = run.text(1);
    const qint64 heartbeat = run.int64(2);
    run.reset(); // ends the statement's read snapshot
    const qint64 silentNs = wallClockNs() - heartbeat;
    const bool thisHost = host == QSysInfo::machineHostName();
    const bool dead = thisHost && !processAlive(pid);
    const bool stale = silentNs > kHeartbeatStaleNs;
    if (!dead && !stale) {
        u.state = UnfinishedRun::State::Live;
        return u;
    }
    // The writer may have closed the run and exited between the read above and the pid check: look again
    // (a new statement outside a transaction reads the database as it is now).
    {
        SqliteStatement again(db, "SELECT 1 FROM runs WHERE id = ? AND ended_at_ns IS NULL");
        again.bind(1, runId);
        if (!again.ok() || !again.next())
            return std::nullopt;
    }
    u.state = UnfinishedRun::State::Interrupted;
    u.lastSignOfLifeNs = heartbeat;

    SqliteStatement steps(db, "SELECT count(*), max(end_ns) FROM step_results WHERE run_id = ?");
    steps.bind(1, runId);
    qint64 recorded = 0;
    if (steps.ok() && steps.next()) {
        recorded = steps.int64(0);
        u.recordedSpanNs = steps.optInt64(1).value_or(0);
    }
    steps.reset();
    // The counts by the one verdict rule: an excuse the device never earned before the writer died does
    // not hold (verdictrule.h).
    if (std::optional<VerdictInputs> in = readVerdictInputs(db, runId, nullptr)) {
        in->interrupted = true;
        const VerdictDecision d = decideVerdict(*in);
        u.counts = d.counts;
        u.unexcusedFaults = d.unprovenFaults;
    }
    SqliteStatement events(db, "SELECT max(t_ns) FROM events WHERE run_id = ?");
    events.bind(1, runId);
    if (events.ok() && events.next() && !events.isNull(0))
        u.recordedSpanNs = std::max(u.recordedSpanNs, events.int64(0));

    const QString when = QDateTime::fromMSecsSinceEpoch(heartbeat / 1'000'000, QTimeZone::utc())
                             .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz 'UTC'"));
    const QString what = dead ? QStringLiteral("stopped without closing the run")
                              : QStringLiteral("gave no sign of life for more than %1 s")
                                    .arg(kHeartbeatStaleNs / 1'000'000'000);
    u.reason =
        QStringLiteral("interrupted: the recording process (pid %1 on %2) %3; last sign of life at %4; "
                       "%5 step results recorded")
            .arg(QString::number(pid), host, what, when, QString::number(recorded));
    return u;
}

} // namespace hil
