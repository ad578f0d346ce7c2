#include "core/run/verdictrule.h"

#include "core/base/duration.h"

#include <QSet>

namespace hil {

qint64 StepTally::excusedTotal() const {
    qint64 n = 0;
    for (const Excused &e : excused)
        n += e.fail + e.error;
    return n;
}

qint64 StepTally::total() const {
    return pass + fail + error + abort + excusedTotal();
}

namespace {

QString onDevice(const StepTally &t) {
    return t.device.isEmpty() ? t.step : QStringLiteral("%1 on %2").arg(t.step, t.device);
}

// The device, or the devices behind a proxy: "mqsub (behind proxy cloud)".
QString who(const FaultFacts &f) {
    if (f.served.isEmpty())
        return f.device;
    return QStringLiteral("%1 (behind proxy %2)").arg(f.served.join(QStringLiteral(", ")), f.device);
}

QString faultName(const FaultFacts &f) {
    return QStringLiteral("%1 #%2").arg(f.what.isEmpty() ? QStringLiteral("fault") : f.what).arg(f.number);
}

// Why a fault's excuse does not hold, in one sentence.
QString unprovenReason(const FaultFacts &f) {
    const QString rows = QStringLiteral("%1 failure(s) during it count").arg(f.excusedRows);
    if (f.endNs < 0)
        return QStringLiteral("%1 was still under %2 when the run ended: %3").arg(who(f), faultName(f), rows);
    if (!f.recoveredAfter)
        return QStringLiteral("%1 never answered correctly after %2 (within %3 of its end): %4")
            .arg(who(f), faultName(f), formatDuration(Nanoseconds(f.recoveryBoundNs)), rows);
    return QStringLiteral("%1 had not answered correctly before %2 began: %3")
        .arg(who(f), faultName(f), rows);
}

} // namespace

VerdictDecision decideVerdict(const VerdictInputs &in) {
    VerdictDecision d;
    QStringList errors = in.reasons;
    QStringList failures;

    QMap<int, FaultFacts> faults;
    for (const FaultFacts &f : in.faults)
        faults.insert(f.id, f);
    for (const StepTally &t : in.tallies) {
        for (auto it = t.excused.cbegin(); it != t.excused.cend(); ++it) {
            auto f = faults.find(it.key());
            if (f == faults.end()) {
                // Rows excused by a fault nothing else knows of: nothing proves a recovery.
                FaultFacts unknown;
                unknown.id = it.key();
                unknown.device = t.device;
                f = faults.insert(it.key(), unknown);
            }
            f->excusedRows += it->fail + it->error;
        }
    }
    QSet<int> unproven;
    for (const FaultFacts &f : std::as_const(faults)) {
        if (f.excusedRows > 0 && !f.proven()) {
            unproven.insert(f.id);
            d.unprovenFaults.append(f.id);
        }
    }

    bool checkRanInSteps = false;
    bool setupPassed = true;
    for (const StepTally &t : in.tallies) {
        qint64 fail = t.fail;
        qint64 error = t.error;
        for (auto it = t.excused.cbegin(); it != t.excused.cend(); ++it) {
            if (unproven.contains(it.key())) {
                fail += it->fail;
                error += it->error;
            } else {
                d.counts.expected += it->fail + it->error;
            }
        }
        d.counts.pass += t.pass;
        d.counts.fail += fail;
        d.counts.error += error;
        d.counts.abort += t.abort;
        d.counts.marginal += t.marginal;
        d.counts.retried += t.retried;

        if (t.phase == Phase::Setup && fail + error + t.abort > 0)
            setupPassed = false;
        if (t.phase == Phase::Steps && t.exchange && t.total() > t.abort)
            checkRanInSteps = true;
        const qint64 ran = t.total() - t.abort;
        const QString during =
            t.excusedTotal() > 0 ? QStringLiteral(", %1 during faults").arg(t.excusedTotal()) : QString();
        if (error > 0)
            errors.append(
                QStringLiteral("%1: %2 of %3 in error%4").arg(onDevice(t)).arg(error).arg(ran).arg(during));
        if (t.phase == Phase::Steps && t.exchange && ran > 0 && t.pass == 0)
            failures.append(QStringLiteral("%1: 0 of %2 passed%3").arg(onDevice(t)).arg(ran).arg(during));
        else if (fail > 0)
            failures.append(
                QStringLiteral("%1: %2 of %3 failed%4").arg(onDevice(t)).arg(fail).arg(ran).arg(during));
    }
    for (const FaultFacts &f : std::as_const(faults)) {
        if (unproven.contains(f.id))
            failures.append(unprovenReason(f));
    }
    const bool harnessError =
        in.benchFailed || in.storeFailed || in.deviceGone || in.reportsFailed || in.interrupted;
    if (!in.aborted && !harnessError && setupPassed && !checkRanInSteps)
        errors.append(QStringLiteral("no check ran in the steps phase"));

    if (in.aborted)
        d.verdict = Verdict::Abort;
    else if (harnessError || d.counts.error > 0 || !errors.isEmpty())
        d.verdict = Verdict::Error;
    else if (!failures.isEmpty())
        d.verdict = Verdict::Fail;

    if (d.verdict != Verdict::Pass) {
        d.reasons = errors + failures;
        if (d.reasons.size() > kMaxVerdictReasons) {
            const qsizetype more = d.reasons.size() - (kMaxVerdictReasons - 1);
            d.reasons.resize(kMaxVerdictReasons - 1);
            d.reasons.append(QStringLiteral("and %1 more").arg(more));
        }
    }
    return d;
}

} // namespace hil
