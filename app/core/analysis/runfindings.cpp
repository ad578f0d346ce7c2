#include "core/analysis/runfindings.h"

#include "core/base/duration.h"
#include "core/base/reportformat.h"

#include <algorithm>

namespace hil {

namespace {

QString quoted(const QString &s) {
    return QStringLiteral("'%1'").arg(s);
}

} // namespace

QList<Finding> makeFindings(const RunStatistics &r) {
    using S = Finding::Severity;
    QList<Finding> out;
    const auto add = [&out](S severity, QString title, QString detail = QString()) {
        out.append({severity, std::move(title), std::move(detail)});
    };
    if (r.run.unfinished())
        add(S::Critical, QStringLiteral("The run did not finish"),
            QStringLiteral(
                "It is still recording, or its process ended without closing it; the figures cover "
                "what was recorded up to %1.")
                .arg(formatOffset(r.spanNs)));
    if (r.run.verdict == u"ERROR")
        add(S::Critical,
            QStringLiteral("Bench error: %1")
                .arg(r.run.reason.isEmpty() ? QStringLiteral("the harness or bench failed") : r.run.reason),
            QStringLiteral("An ERROR is the bench's failure (port, link, simulator), not the device's."));
    else if (r.run.verdict == u"ABORT")
        add(S::Critical,
            QStringLiteral("Aborted: %1")
                .arg(r.run.reason.isEmpty() ? QStringLiteral("stopped") : r.run.reason),
            QStringLiteral("Everything up to the abort was recorded."));
    for (const FaultStatistics &f : r.faults) {
        if (f.endNs && !f.recoveryNs && f.recoveryTracked())
            add(S::Critical,
                QStringLiteral("%1 did not recover after the %2 fault at %3")
                    .arg(f.device.isEmpty() ? QStringLiteral("The bench")
                         : f.serves.isEmpty()
                             ? quoted(f.device)
                             : QStringLiteral("%1 (behind proxy %2)")
                                   .arg(quoted(f.serves.join(QStringLiteral("', '"))), quoted(f.device)),
                         f.kind, formatOffset(f.startNs)),
                QStringLiteral("No passing result after the fault ended at %1.").arg(formatOffset(*f.endNs)));
    }
    // Failing steps, most failures first.
    QList<const StepStatistics *> failing;
    for (const StepStatistics &s : r.steps) {
        if (s.fail > 0 || s.error > 0)
            failing.append(&s);
    }
    std::stable_sort(failing.begin(), failing.end(), [](const StepStatistics *a, const StepStatistics *b) {
        return a->fail + a->error > b->fail + b->error;
    });
    for (const StepStatistics *s : std::as_const(failing)) {
        const QString first = s->firstFailures.isEmpty() ? QString() : s->firstFailures.first().message;
        if (s->fail > 0) {
            QString detail = QStringLiteral("95 % CI %1 to %2")
                                 .arg(formatPercent(s->failureRate.low), formatPercent(s->failureRate.high));
            if (s->longestFailStreak > 1)
                detail += QStringLiteral("; longest streak %1 in a row from %2")
                              .arg(s->longestFailStreak)
                              .arg(formatOffset(s->longestFailStreakStartNs));
            if (!first.isEmpty())
                detail += QStringLiteral("; first: %1").arg(first);
            add(S::Major,
                QStringLiteral("Step %1 on %2 failed %3 of %4 (%5)")
                    .arg(quoted(s->step), s->device, QString::number(s->fail),
                         QString::number(s->pass + s->fail), formatPercent(s->failureRate.rate)),
                detail);
        }
        if (s->error > 0)
            add(S::Major,
                QStringLiteral("Step %1 on %2: %3 bench errors")
                    .arg(quoted(s->step), s->device, QString::number(s->error)),
                first.isEmpty() ? QString() : QStringLiteral("First: %1").arg(first));
    }
    for (const MeasurementStatistics &m : r.measurements) {
        // A capture that is not a number fails too, but is not "out of limits".
        const qint64 outside = m.fail - m.nonNumeric;
        if (m.nonNumeric > 0)
            add(S::Major,
                QStringLiteral("%1 was not a number in %2 of %3 samples")
                    .arg(quoted(m.name), QString::number(m.nonNumeric), QString::number(m.samples)),
                QStringLiteral("step %1; the device's answers are listed under Failures")
                    .arg(quoted(m.step)));
        if (outside > 0)
            add(S::Major,
                QStringLiteral("%1 out of limits in %2 of %3 samples")
                    .arg(quoted(m.name), QString::number(outside), QString::number(m.samples)),
                QStringLiteral("Range %1 to %2 %3 against limits %4 (step %5)")
                    .arg(formatValueAgainst(m.min, {m.low, m.high}),
                         formatValueAgainst(m.max, {m.low, m.high}), m.unit, formatRange(m.low, m.high),
                         quoted(m.step)));
    }
    for (const DeviceAvailability &d : r.devices) {
        if (d.availability && *d.availability < 0.99)
            add(S::Major,
                QStringLiteral("%1 available %2 of the time")
                    .arg(quoted(d.device), formatPercent(*d.availability)),
                QStringLiteral("%1 outages; longest %2 from %3")
                    .arg(d.failureEpisodes)
                    .arg(formatDuration(Nanoseconds(d.longestOutageNs)),
                         formatOffset(d.longestOutageStartNs)));
    }
    for (const MeasurementStatistics &m : r.measurements) {
        if (m.fail == 0 && m.cpk && *m.cpk < 1.33)
            add(S::Minor,
                QStringLiteral("%1 is close to its limits: Cpk %2")
                    .arg(quoted(m.name), QString::number(*m.cpk, 'f', 2)),
                QStringLiteral("mean %1 %2, sigma %3, limits %4; a capable process has Cpk >= 1.33")
                    .arg(formatValueAgainst(m.mean, {m.low, m.high}), m.unit, formatValue(m.stddev),
                         formatRange(m.low, m.high)));
    }
    for (const StepStatistics &s : r.steps) {
        if (s.flaky())
            add(S::Minor, QStringLiteral("Step %1 is flaky: passed %2, failed %3, changed %4 times")
                              .arg(quoted(s.step), QString::number(s.pass), QString::number(s.fail),
                                   QString::number(s.flips)));
    }
    qint64 marginal = 0;
    for (const MeasurementStatistics &m : r.measurements)
        marginal += m.marginal;
    if (marginal > 0)
        add(S::Minor,
            QStringLiteral("%1 marginal samples (inside limits, outside the marginal band)").arg(marginal));
    QList<qint64> recoveries;
    for (const FaultStatistics &f : r.faults) {
        if (f.recoveryNs)
            recoveries.append(*f.recoveryNs);
    }
    if (!recoveries.isEmpty()) {
        std::sort(recoveries.begin(), recoveries.end());
        add(S::Info, QStringLiteral("Recovered from %1 faults: median %2, slowest %3")
                         .arg(recoveries.size())
                         .arg(formatDuration(Nanoseconds(recoveries[(recoveries.size() - 1) / 2])),
                              formatDuration(Nanoseconds(recoveries.last()))));
    }
    if (r.expectedCount > 0)
        add(S::Info, QStringLiteral("%1 failures during injected faults were expected").arg(r.expectedCount),
            QStringLiteral(
                "They count in neither the failure rate nor availability; the Faults table has them per "
                "fault."));
    std::stable_sort(out.begin(), out.end(),
                     [](const Finding &a, const Finding &b) { return a.severity < b.severity; });
    return out;
}

} // namespace hil
