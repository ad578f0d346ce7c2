#include "core/analysis/whatbroke.h"

#include "core/analysis/failureclusters.h"
#include "core/base/duration.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"

#include <QRegularExpression>
#include <algorithm>

namespace hil {

namespace {

constexpr qint64 kDefaultRecoveryBoundNs = 10'000'000'000;

QString answerText(const QByteArray &response, qint64 size) {
    if (response.isEmpty())
        return QStringLiteral("no answer");
    // As the Failures table shows answers: bytes that are not printable UTF-8 as \xNN, not as U+FFFD.
    QString t = printableBytes(response.left(120)).trimmed();
    if (size > 120)
        t += QStringLiteral("… (%1 bytes)").arg(size);
    return QStringLiteral("answer '%1'").arg(t);
}

QString ms(double ns) {
    return formatMs(ns) + QStringLiteral(" ms");
}

QString latencyLine(const LatencySummary &l) {
    if (l.count == 0)
        return QStringLiteral("no answers");
    return QStringLiteral("p50 %1 · p99 %2 · max %3 (%4 answers)")
        .arg(ms(static_cast<double>(l.p50Ns)), ms(static_cast<double>(l.p99Ns)),
             ms(static_cast<double>(l.maxNs)))
        .arg(l.count);
}

// "about 12 an hour", "about 3.5 a day": a background rate in words a reader can compare.
QString rateText(double perBin, qint64 binNs) {
    const auto rounded = [](double x) {
        return x >= 10 ? QString::number(qRound64(x)) : QString::number(x, 'g', 2);
    };
    const double perHour = perBin * 3.6e12 / static_cast<double>(binNs);
    if (perHour >= 1)
        return QStringLiteral("about %1 an hour").arg(rounded(perHour));
    return QStringLiteral("about %1 a day").arg(rounded(perHour * 24));
}

} // namespace

qint64 recoveryBoundNs(const FaultStatistics &fault, bool *fromScenario) {
    static const QRegularExpression within(
        QStringLiteral("recover:\\s*\\{[^}]*within:\\s*([0-9.]+\\s*[a-zµ]+)"));
    const QRegularExpressionMatch m = within.match(fault.params);
    if (m.hasMatch())
        if (const auto d = parseDuration(m.captured(1))) {
            if (fromScenario)
                *fromScenario = true;
            return d->count();
        }
    if (fromScenario)
        *fromScenario = false;
    return kDefaultRecoveryBoundNs;
}

QList<WhatBrokeItem> whatBroke(const RunStatistics &s) {
    QList<WhatBrokeItem> out;
    const bool passed = s.run.verdict == u"PASS" && !s.run.unfinished();
    if (!passed && !s.failures.isEmpty()) {
        const FailureDetail &f = s.failures.first();
        out.append({QStringLiteral("First failure"),
                    QStringLiteral("%1 of '%2' on %3 at %4 (iteration %5): %6; %7")
                        .arg(f.verdict, f.step, f.device.isEmpty() ? QStringLiteral("the bench") : f.device,
                             formatOffset(f.startNs))
                        .arg(f.iteration)
                        .arg(f.message.isEmpty() ? QStringLiteral("no message") : f.message,
                             answerText(f.response, f.responseSize))});
    }
    if (!passed && s.failureCount > 0) {
        const FailureClusters fc = failureClusters(s.failuresOverTime, s.binNs);
        QList<FailureCluster> cs = fc.clusters;
        std::stable_sort(cs.begin(), cs.end(), [](const FailureCluster &a, const FailureCluster &b) {
            return a.failures > b.failures;
        });
        QStringList parts;
        for (qsizetype i = 0; i < cs.size() && i < 3; ++i)
            parts.append(QStringLiteral("%1 from %2 to %3")
                             .arg(cs[i].failures)
                             .arg(formatOffset(cs[i].startNs), formatOffset(cs[i].endNs)));
        QString when;
        if (fc.backgroundFailures == 0)
            when = QStringLiteral("%1 unexpected failures in %2 cluster(s); the largest: %3")
                       .arg(s.failureCount)
                       .arg(cs.size())
                       .arg(parts.join(QStringLiteral("; ")));
        else if (cs.isEmpty())
            when = QStringLiteral("%1 unexpected failures spread over the whole run, %2; no time stands out")
                       .arg(s.failureCount)
                       .arg(rateText(fc.backgroundPerBin, s.binNs));
        else
            when =
                QStringLiteral("%1 unexpected failures: %2 all along (%3 of them), and %4 cluster(s) above "
                               "that; the largest: %5")
                    .arg(s.failureCount)
                    .arg(rateText(fc.backgroundPerBin, s.binNs))
                    .arg(fc.backgroundFailures)
                    .arg(cs.size())
                    .arg(parts.join(QStringLiteral("; ")));
        out.append({QStringLiteral("When"), when});
        QList<const StepStatistics *> steps;
        for (const StepStatistics &st : s.steps)
            if (st.fail + st.error > 0)
                steps.append(&st);
        std::stable_sort(steps.begin(), steps.end(), [](const StepStatistics *a, const StepStatistics *b) {
            return a->fail + a->error > b->fail + b->error;
        });
        QStringList worst;
        for (qsizetype i = 0; i < steps.size() && i < 3; ++i)
            worst.append(QStringLiteral("'%1' on %2: %3 of %4")
                             .arg(steps[i]->step,
                                  steps[i]->device.isEmpty() ? QStringLiteral("the bench") : steps[i]->device)
                             .arg(steps[i]->fail + steps[i]->error)
                             .arg(steps[i]->results - steps[i]->expected));
        out.append({QStringLiteral("Failed most"), worst.join(QStringLiteral("; "))});
    }
    if (!s.faults.isEmpty()) {
        QStringList lines;
        int late = 0, never = 0;
        for (const FaultStatistics &f : s.faults) {
            bool given = false;
            const qint64 bound = recoveryBoundNs(f, &given);
            QString who = f.device.isEmpty() ? QStringLiteral("the bench") : f.device;
            if (!f.serves.isEmpty())
                who += QStringLiteral(" (serving %1)").arg(f.serves.join(QStringLiteral(", ")));
            QString line = QStringLiteral("%1 on %2 at %3: ").arg(f.kind, who, formatOffset(f.startNs));
            if (!f.endNs)
                line += QStringLiteral("still acting when the run ended");
            else if (!f.recoveryTracked())
                line += FaultStatistics::untrackedReason();
            else if (!f.recoveryNs) {
                line += QStringLiteral("did not recover (bound %1%2)")
                            .arg(formatDuration(Nanoseconds(bound)),
                                 given ? QString() : QStringLiteral(", default"));
                ++never;
            } else {
                const bool over = *f.recoveryNs > bound;
                late += over ? 1 : 0;
                line += QStringLiteral("recovered in %1 of a %2 bound%3%4")
                            .arg(ms(static_cast<double>(*f.recoveryNs)), formatDuration(Nanoseconds(bound)),
                                 given ? QString() : QStringLiteral(" (default)"),
                                 over ? QStringLiteral(", LATE") : QString());
            }
            lines.append(line);
        }
        const qsizetype shown = std::min<qsizetype>(lines.size(), 6);
        QString text = QStringList(lines.mid(0, shown)).join(QStringLiteral("; "));
        if (lines.size() > shown)
            text += QStringLiteral("; and %1 more (Faults)").arg(lines.size() - shown);
        out.append({passed ? QStringLiteral("Faults survived")
                           : QStringLiteral("Recovery (%1 late, %2 never)").arg(late).arg(never),
                    text});
    }
    if (passed) {
        qint64 measured = 0;
        for (const MeasurementStatistics &m : s.measurements)
            measured += m.count;
        out.prepend(
            {QStringLiteral("Evidence"),
             QStringLiteral("%1 checks passed over %2, %3 measurements within their limits, %4 fault(s) "
                            "recovered from, %5 failure(s) during faults excused by recovery")
                 .arg(s.stepResultCount())
                 .arg(formatDuration(Nanoseconds(s.run.durationNs.value_or(s.spanNs))))
                 .arg(measured)
                 .arg(std::count_if(s.faults.cbegin(), s.faults.cend(),
                                    [](const FaultStatistics &f) { return f.recoveryNs.has_value(); }))
                 .arg(s.expectedCount)});
    }
    if (s.latency.count > 0) {
        out.append({QStringLiteral("Latency outside faults"), latencyLine(s.latencyOutsideFaults)});
        if (s.latencyDuringFaults.count > 0)
            out.append({QStringLiteral("Latency during faults"), latencyLine(s.latencyDuringFaults)});
    }
    return out;
}

} // namespace hil
