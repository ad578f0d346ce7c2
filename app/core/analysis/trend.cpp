#include "core/analysis/trend.h"

#include "core/analysis/runstatistics.h"
#include "core/base/duration.h"

#include <QDateTime>
#include <QTimeZone>
#include <algorithm>
#include <cmath>

namespace hil {

namespace {

double median(QList<double> v) {
    std::sort(v.begin(), v.end());
    const qsizetype n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Median absolute deviation: how much the baseline nights themselves vary.
double mad(const QList<double> &v) {
    const double m = median(v);
    QList<double> d;
    for (const double x : v)
        d.append(std::abs(x - m));
    return median(d);
}

QString ms(double ns) {
    return QString::number(ns / 1e6, 'f', ns < 10e6 ? 2 : 1) + QStringLiteral(" ms");
}

QString pct(double share) {
    return QString::number(share * 100, 'f', 1) + QStringLiteral(" %");
}

} // namespace

std::optional<double> TrendRow::passRate() const {
    return finished ? std::optional<double>(static_cast<double>(passed) / finished) : std::nullopt;
}

std::optional<double> TrendRow::stepFailureRate() const {
    return stepResults
               ? std::optional<double>(static_cast<double>(failures) / static_cast<double>(stepResults))
               : std::nullopt;
}

std::optional<qint64> TrendRow::latencyPercentileNs(double p) const {
    return latency.approximatePercentile(p);
}

std::optional<double> TrendRow::availability() const {
    const qint64 total = upNs + downNs;
    return total > 0 ? std::optional<double>(static_cast<double>(upNs) / static_cast<double>(total))
                     : std::nullopt;
}

std::optional<double> TrendRow::meanRecoveryNs(const QString &kind) const {
    const auto it = recoveryNsByKind.constFind(kind);
    if (it == recoveryNsByKind.cend() || it->isEmpty())
        return std::nullopt;
    double sum = 0;
    for (const qint64 r : *it)
        sum += static_cast<double>(r);
    return sum / static_cast<double>(it->size());
}

std::optional<TrendRun> readTrendRun(const RunQuery &db, qint64 runId, QString *error) {
    StatisticsOptions o;
    o.measurements = false;
    o.failureDetails = 0;
    o.failuresPerStep = 0;
    o.exchangeFailures = 0;
    o.eventLimit = 0;
    const auto s = computeRunStatistics(db, runId, o, error);
    if (!s)
        return std::nullopt;
    TrendRun t;
    t.run = s->run;
    t.stepResults = s->stepResultCount();
    t.failures = s->failureCount;
    for (const StepStatistics &st : s->steps)
        t.latency.merge(st.histogram);
    t.upNs = s->upNs;
    t.downNs = s->downNs;
    for (const FaultStatistics &f : s->faults)
        if (f.recoveryNs)
            t.recoveryNsByKind[f.kind].append(*f.recoveryNs);
    return t;
}

QList<TrendRow> buildTrend(const QList<TrendRun> &runs, const TrendOptions &options) {
    QMap<QPair<QDate, QString>, TrendRow> byKey;
    for (const TrendRun &r : runs) {
        const QDate night =
            QDateTime::fromMSecsSinceEpoch(r.run.startedAtNs / 1'000'000, QTimeZone::utc()).date();
        TrendRow &row = byKey[{night, r.run.firmware}];
        row.night = night;
        row.firmware = r.run.firmware;
        ++row.runs;
        const bool ended = !r.run.unfinished() || r.run.interrupted;
        if (ended) {
            ++row.finished;
            if (r.run.verdict == u"PASS")
                ++row.passed;
        }
        row.stepResults += r.stepResults;
        row.failures += r.failures;
        row.latency.merge(r.latency);
        row.upNs += r.upNs;
        row.downNs += r.downNs;
        for (auto it = r.recoveryNsByKind.cbegin(); it != r.recoveryNsByKind.cend(); ++it)
            row.recoveryNsByKind[it.key()] += it.value();
    }
    QList<TrendRow> rows = byKey.values();
    const QStringList kinds = trendFaultKinds(rows);
    for (TrendRow &row : rows) {
        // The baseline: every row of the up to N nights before this one, whatever their firmware (a new
        // firmware is what a regression is most often about).
        QList<QDate> nights;
        for (const TrendRow &o : std::as_const(rows))
            if (o.night < row.night && !nights.contains(o.night))
                nights.append(o.night);
        std::sort(nights.begin(), nights.end());
        nights = nights.mid(std::max<qsizetype>(0, nights.size() - options.baselineNights));
        row.enoughHistory = nights.size() >= options.minBaselineNights;
        if (!row.enoughHistory)
            continue;
        QList<double> pass, p99, avail;
        QMap<QString, QList<double>> mttr;
        for (const TrendRow &o : std::as_const(rows)) {
            if (!nights.contains(o.night))
                continue;
            if (const auto v = o.passRate())
                pass.append(*v);
            if (const auto v = o.latencyPercentileNs(0.99))
                p99.append(static_cast<double>(*v));
            if (const auto v = o.availability())
                avail.append(*v);
            for (const QString &k : kinds)
                if (const auto v = o.meanRecoveryNs(k))
                    mttr[k].append(*v);
        }
        const QString over = QStringLiteral("over the %1 nights before").arg(nights.size());
        if (const auto v = row.passRate(); v && !pass.isEmpty() && *v < median(pass) - options.passRateDrop)
            row.regressions.append(
                QStringLiteral("pass rate %1 vs %2 %3").arg(pct(*v), pct(median(pass)), over));
        if (const auto v = row.latencyPercentileNs(0.99); v && !p99.isEmpty()) {
            const double m = median(p99);
            if (static_cast<double>(*v) > m + std::max(m * options.latencyRise, 3 * mad(p99)))
                row.regressions.append(
                    QStringLiteral("p99 latency %1 vs %2 %3").arg(ms(static_cast<double>(*v)), ms(m), over));
        }
        if (const auto v = row.availability(); v && !avail.isEmpty()) {
            const double m = median(avail);
            if (*v < m - std::max(options.availabilityDrop, 3 * mad(avail)))
                row.regressions.append(QStringLiteral("availability %1 vs %2 %3").arg(pct(*v), pct(m), over));
        }
        for (auto it = mttr.cbegin(); it != mttr.cend(); ++it) {
            const auto v = row.meanRecoveryNs(it.key());
            const double m = median(it.value());
            if (v && *v > m * (1 + options.recoveryRise))
                row.regressions.append(QStringLiteral("mean time to recover from %1 %2 vs %3 %4")
                                           .arg(it.key(), ms(*v), ms(m), over));
        }
    }
    return rows;
}

QStringList trendFaultKinds(const QList<TrendRow> &rows) {
    QStringList kinds;
    for (const TrendRow &r : rows)
        for (auto it = r.recoveryNsByKind.cbegin(); it != r.recoveryNsByKind.cend(); ++it)
            if (!kinds.contains(it.key()))
                kinds.append(it.key());
    kinds.sort();
    return kinds;
}

} // namespace hil
