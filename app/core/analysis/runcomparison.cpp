#include "core/analysis/runcomparison.h"

#include "core/base/reportformat.h"

#include <cmath>

namespace hil {

namespace {

struct Key {
    QString phase, step, device;
    bool operator<(const Key &o) const {
        return std::tie(phase, step, device) < std::tie(o.phase, o.step, o.device);
    }
};

void checkLatency(StepComparison &c, const CompareOptions &o) {
    struct P {
        const char *name;
        qint64 a, b;
        qint64 minCount;
    };
    const P ps[] = {{"p50", c.baseline.p50Ns, c.candidate.p50Ns, 1},
                    {"p95", c.baseline.p95Ns, c.candidate.p95Ns, 20},
                    {"p99", c.baseline.p99Ns, c.candidate.p99Ns, 100}};
    for (const P &p : ps) {
        if (c.baseline.count < p.minCount || c.candidate.count < p.minCount)
            continue;
        const double delta = static_cast<double>(p.b - p.a);
        if (delta > static_cast<double>(o.minLatencyDeltaNs)
            && delta > o.latencyThreshold * static_cast<double>(p.a)) {
            c.latencyRegression = true;
            c.reasons.append(
                QStringLiteral("%1 %2 -> %3 (+%4)")
                    .arg(QString::fromLatin1(p.name), formatLatency(static_cast<double>(p.a)),
                         formatLatency(static_cast<double>(p.b)),
                         p.a > 0 ? formatPercent(delta / static_cast<double>(p.a)) : formatLatency(delta)));
        }
    }
}

void checkPassRate(StepComparison &c) {
    const Proportion fa =
        wilsonInterval(c.baselinePass.trials - c.baselinePass.successes, c.baselinePass.trials);
    const Proportion fb =
        wilsonInterval(c.candidatePass.trials - c.candidatePass.successes, c.candidatePass.trials);
    if (fa.trials == 0 || fb.trials == 0)
        return;
    const double d = fb.rate - fa.rate;
    c.failureDeltaLow =
        d - std::sqrt((fb.rate - fb.low) * (fb.rate - fb.low) + (fa.high - fa.rate) * (fa.high - fa.rate));
    c.failureDeltaHigh =
        d + std::sqrt((fb.high - fb.rate) * (fb.high - fb.rate) + (fa.rate - fa.low) * (fa.rate - fa.low));
    if (c.failureDeltaLow > 0) {
        c.passRateRegression = true;
        c.reasons.append(QStringLiteral("pass rate %1 -> %2 (failure rate up by %3 to %4, 95 %)")
                             .arg(formatPercent(c.baselinePass.rate), formatPercent(c.candidatePass.rate),
                                  formatPercent(c.failureDeltaLow), formatPercent(c.failureDeltaHigh)));
    }
}

} // namespace

RunComparison compareRuns(const RunStatistics &baseline, const RunStatistics &candidate,
                          const CompareOptions &options) {
    RunComparison out;
    out.baseline = baseline.run;
    out.candidate = candidate.run;
    out.options = options;
    QMap<Key, int> index;
    const auto entry = [&](const StepStatistics &s) -> StepComparison & {
        const Key k{s.phase, s.step, s.device};
        auto it = index.find(k);
        if (it == index.end()) {
            StepComparison c;
            c.phase = s.phase;
            c.step = s.step;
            c.device = s.device;
            out.steps.append(c);
            it = index.insert(k, static_cast<int>(out.steps.size()) - 1);
        }
        return out.steps[*it];
    };
    for (const StepStatistics &s : baseline.steps) {
        StepComparison &c = entry(s);
        c.inBaseline = true;
        c.baseline = s.latency;
        c.baselinePass = wilsonInterval(s.pass, s.pass + s.fail);
    }
    for (const StepStatistics &s : candidate.steps) {
        StepComparison &c = entry(s);
        c.inCandidate = true;
        c.candidate = s.latency;
        c.candidatePass = wilsonInterval(s.pass, s.pass + s.fail);
    }
    for (StepComparison &c : out.steps) {
        if (!c.inBaseline || !c.inCandidate)
            continue;
        checkLatency(c, options);
        checkPassRate(c);
        if (c.regression())
            ++out.regressions;
    }
    return out;
}

} // namespace hil
