#include "core/run/faultinjector.h"

#include "core/base/clock.h"
#include "core/config/faultspecparser.h"
#include "core/run/faultserves.h"
#include "core/session/bench.h"

#include <QTimer>
#include <algorithm>

namespace hil {

namespace {

QString powerName(PowerFaultSpec::Action a) {
    switch (a) {
    case PowerFaultSpec::Action::Off:
        return QStringLiteral("off");
    case PowerFaultSpec::Action::On:
        return QStringLiteral("on");
    case PowerFaultSpec::Action::Cycle:
        break;
    }
    return QStringLiteral("cycle");
}

} // namespace

FaultInjector::FaultInjector(Bench *bench, quint64 seed, std::function<qint64(qint64)> toRunNs,
                             QObject *parent)
    : QObject(parent)
    , m_bench(bench)
    , m_seed(seed)
    , m_toRunNs(std::move(toRunNs)) {}

FaultInjector::~FaultInjector() = default;

void FaultInjector::startTimeline(const QList<FaultEntry> &entries) {
    if (entries.isEmpty())
        return;
    m_scheduler = new FaultScheduler(entries, m_seed, this);
    connect(m_scheduler, &FaultScheduler::due, this, [this, entries](const FaultScheduler::Occurrence &o) {
        inject(entries[o.entry], false, o.durationNs);
    });
    m_scheduler->start(monotonicNs());
}

int FaultInjector::inject(const FaultEntry &entry, bool manual, std::optional<qint64> durationNs) {
    const int id = m_nextId++;
    const qint64 now = monotonicNs();
    FaultRecord rec;
    rec.id = id;
    rec.device = entry.on;
    rec.target = entry.onProxy ? QStringLiteral("proxy") : targetName(entry.target);
    rec.params = paramsWithServes(entry.text, entry.serves);
    rec.serves = entry.serves;
    rec.seed = m_seed;
    rec.manual = manual;
    rec.startNs = m_toRunNs(now);
    rec.recoveryBoundNs = entry.recoverWithin ? entry.recoverWithin->count() : kDefaultGraceNs;
    if (!durationNs && entry.duration)
        durationNs = entry.duration->count();

    // Describe, record and register the fault before acting: acting may end an exchange at once (a
    // disconnect closes the link under a pending expect), and that failure must find its fault.
    bool instant = false;
    switch (entry.target) {
    case FaultEntry::Target::Link:
        rec.kind = LinkFaultSpec::kindName(entry.link.kind);
        rec.direction = linkDirectionName(entry.link.direction);
        break;
    case FaultEntry::Target::Device:
        rec.kind = entry.device.kindName();
        instant = entry.device.isInstant();
        break;
    case FaultEntry::Target::Power:
        rec.kind = powerName(entry.power.action);
        instant = entry.power.action == PowerFaultSpec::Action::On;
        if (entry.power.action == PowerFaultSpec::Action::Cycle)
            durationNs = entry.power.offTime.count();
        break;
    }
    emit eventRaised(
        now, EventKind::FaultStart, entry.on,
        (manual ? QStringLiteral("manual: ") : QString())
            + QStringLiteral("%1 %2%3 (seed %4)")
                  .arg(rec.target, rec.kind, rec.direction.isEmpty() ? QString() : u' ' + rec.direction)
                  .arg(m_seed)
            + QStringLiteral(": ") + entry.text);
    emit faultStarted(rec);
    m_active.insert(id, Active{rec, entry, nullptr});

    switch (entry.target) {
    case FaultEntry::Target::Link:
        if (entry.onProxy)
            m_bench->injectProxyFault(entry.on, id, entry.link);
        else
            m_bench->injectLinkFault(entry.on, id, entry.link);
        break;
    case FaultEntry::Target::Device: {
        const QString device = entry.on;
        const QString command = entry.device.startCommand();
        // An instant fault (a reboot) ends when the simulator has taken it, not when it was sent: an
        // answer to a request sent meanwhile says nothing about recovery.
        m_bench->sendDeviceCommand(
            device, command, [this, id, instant, device, command](bool ok, const QString &answer) {
                if (!ok)
                    emit eventRaised(
                        monotonicNs(), EventKind::Error, device,
                        QStringLiteral("device fault '%1' was not taken: %2").arg(command, answer));
                if (instant)
                    end(id);
            });
        if (instant)
            return id;
        break;
    }
    case FaultEntry::Target::Power:
        if (entry.power.action == PowerFaultSpec::Action::On)
            m_bench->powerOn(entry.on);
        else
            m_bench->powerOff(entry.on);
        break;
    }
    if (instant) {
        end(id);
        return id;
    }
    if (durationNs) {
        auto *timer = new QTimer(this);
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, this, [this, id] { end(id); });
        timer->start(static_cast<int>(std::max<qint64>(0, (*durationNs + 999'999) / 1'000'000)));
        m_active[id].endTimer = timer;
    }
    return id;
}

void FaultInjector::end(int id, bool now) {
    const auto it = m_active.find(id);
    if (it == m_active.end())
        return;
    if (it->entry.target == FaultEntry::Target::Device && !it->ending) {
        const QString command = it->entry.device.clearCommand();
        if (!command.isEmpty()) {
            // Faulted answers may still come until the simulator has taken the clear: the fault ends then.
            it->ending = true;
            if (it->endTimer) {
                it->endTimer->deleteLater();
                it->endTimer = nullptr;
            }
            m_bench->sendDeviceCommand(it->entry.on, command,
                                       [this, id](bool, const QString &) { finishEnd(id); });
        }
    }
    if (now || !m_active.value(id).ending)
        finishEnd(id);
}

void FaultInjector::finishEnd(int id) {
    if (!m_active.contains(id))
        return;
    Active a = m_active.take(id);
    if (a.endTimer)
        a.endTimer->deleteLater();
    const qint64 now = monotonicNs();
    FaultRecord &rec = a.record;
    switch (a.entry.target) {
    case FaultEntry::Target::Link: {
        const LinkCounters c = a.entry.onProxy ? m_bench->clearProxyFault(a.entry.on, id)
                                               : m_bench->clearLinkFault(a.entry.on, id);
        rec.bytesDropped = c.bytesDropped;
        rec.bytesCorrupted = c.bytesCorrupted;
        rec.bytesDelayed = c.bytesDelayed;
        break;
    }
    case FaultEntry::Target::Device:
        break; // cleared by end()
    case FaultEntry::Target::Power:
        if (a.entry.power.action != PowerFaultSpec::Action::On)
            m_bench->powerOn(a.entry.on);
        break;
    }
    rec.endNs = m_toRunNs(now);
    QString detail = QStringLiteral("%1 %2 after %3")
                         .arg(rec.target, rec.kind, formatDuration(Nanoseconds(rec.endNs - rec.startNs)));
    if (rec.bytesDropped >= 0)
        detail += QStringLiteral("; bytes dropped %1, corrupted %2, delayed %3")
                      .arg(rec.bytesDropped)
                      .arg(rec.bytesCorrupted)
                      .arg(rec.bytesDelayed);
    emit eventRaised(now, EventKind::FaultEnd, a.entry.on, detail);
    emit faultEnded(rec);
    // A proxy that serves no device has no device to recover: its recovery is not tracked.
    if (!a.entry.devices().isEmpty())
        beginRecovery(rec, a.entry, now);
}

bool FaultInjector::actsOn(const QString &device) const {
    return std::any_of(m_active.cbegin(), m_active.cend(),
                       [&device](const Active &a) { return a.entry.devices().contains(device); });
}

bool FaultInjector::actsOnAny(const QSet<QString> &devices) const {
    return std::any_of(devices.cbegin(), devices.cend(), [this](const QString &d) { return actsOn(d); });
}

void FaultInjector::beginRecovery(const FaultRecord &record, const FaultEntry &entry, qint64 endMonoNs) {
    const QString device = entry.on; // the device, or the proxy: what the recovery is keyed by
    const auto existing = m_recovering.find(device);
    if (existing != m_recovering.end() && existing->check && !entry.recoverWithin) {
        // A fault that overlapped one with a recovery bound: the bound now counts from this end, and the
        // recovery is still the earlier fault's.
        existing->endMonoNs = endMonoNs;
        existing->excusing = true;
        existing->deadline->start(static_cast<int>((existing->withinNs + 999'999) / 1'000'000));
        return;
    }
    if (existing != m_recovering.end() && existing->deadline)
        existing->deadline->deleteLater();
    Recovering r;
    r.record = record;
    r.endMonoNs = endMonoNs;
    r.countFailures = entry.countFailures;
    r.check = entry.recoverWithin.has_value();
    r.deadline = new QTimer(this);
    const QStringList devices = entry.devices();
    r.waiting = QSet<QString>(devices.cbegin(), devices.cend());
    r.deadline->setSingleShot(true);
    r.withinNs = entry.recoverWithin ? entry.recoverWithin->count() : kDefaultGraceNs;
    connect(r.deadline, &QTimer::timeout, this, [this, device] {
        auto it = m_recovering.find(device);
        if (it == m_recovering.end())
            return;
        // Another fault acting on the device holds the bound: it counts again from that fault's end.
        if (actsOnAny(it->waiting))
            return;
        // Past the bound: failures count again, but the recovery time is still measured when it comes.
        it->excusing = false;
        if (it->check) {
            QStringList late(it->waiting.cbegin(), it->waiting.cend());
            late.sort();
            const QString who = it->record.serves.isEmpty()
                                    ? QStringLiteral("'%1'").arg(device)
                                    : QStringLiteral("'%1' (behind proxy '%2')")
                                          .arg(late.join(QStringLiteral("', '")), device);
            emit recoveryMissed(
                it->record,
                QStringLiteral("%1 did not answer correctly within %2 after the fault ended: %3")
                    .arg(who, formatDuration(Nanoseconds(monotonicNs() - it->endMonoNs)), it->record.params));
        }
    });
    r.deadline->start(static_cast<int>((r.withinNs + 999'999) / 1'000'000));
    m_recovering.insert(device, r);
}

void FaultInjector::stepFinished(const StepResult &result) {
    // Another fault still acting on the device: recovery is measured from that one's end.
    if (result.verdict != Verdict::Pass || actsOn(result.device))
        return;
    for (auto it = m_recovering.begin(); it != m_recovering.end();) {
        // An exchange that began before the fault ended proves nothing about recovery.
        if (!it->waiting.contains(result.device) || result.startNs < it->record.endNs) {
            ++it;
            continue;
        }
        it->waiting.remove(result.device);
        it->lastPassEndNs = std::max(it->lastPassEndNs, result.endNs);
        if (!it->waiting.isEmpty()) {
            ++it;
            continue;
        }
        // Recovered when the last device it acted on has passed (a proxy's: every device it serves).
        Recovering r = *it;
        it = m_recovering.erase(it);
        r.deadline->deleteLater();
        r.record.recoveryNs = std::max<qint64>(0, r.lastPassEndNs - r.record.endNs);
        emit eventRaised(
            monotonicNs(), EventKind::Recovered, r.record.device,
            QStringLiteral("%1 after the end of %2 %3")
                .arg(formatDuration(Nanoseconds(r.record.recoveryNs)), r.record.target, r.record.kind));
        emit faultRecovered(r.record);
    }
}

int FaultInjector::excusingFault(const QString &device) const {
    // A fault that counts its failures wins over any that would excuse them (a drift to be caught
    // while an earlier link fault's recovery grace is still running).
    for (const Active &a : m_active) {
        if (a.entry.countFailures && a.entry.devices().contains(device))
            return -1;
    }
    for (const Active &a : m_active) {
        if (!a.entry.countFailures && a.entry.devices().contains(device))
            return a.record.id;
    }
    // Until the device's first PASS after the end (a device that passed is no longer excused).
    for (const Recovering &r : m_recovering) {
        if (r.waiting.contains(device) && r.excusing && !r.countFailures)
            return r.record.id;
    }
    return -1;
}

void FaultInjector::clear(const QString &target) {
    endMatching(target, false);
}

void FaultInjector::endMatching(const QString &target, bool now) {
    const QList<int> ids = m_active.keys();
    for (int id : ids) {
        if (target == u"all" || m_active.value(id).entry.on == target)
            end(id, now);
    }
}

void FaultInjector::endAll() {
    if (m_scheduler)
        m_scheduler->stop();
    endMatching(QStringLiteral("all"), true);
}

} // namespace hil
