#include "core/run/runledger.h"

namespace hil {

RunLedger::RunLedger(const Scenario &scenario) {
    for (Phase p : {Phase::Setup, Phase::Steps, Phase::Teardown}) {
        const QList<Step> &steps = scenario.phase(p);
        for (qsizetype i = 0; i < steps.size(); ++i) {
            if (steps[i].expect || steps[i].stream || steps[i].prompt) // an operator's answer is a check too
                m_checks.insert({static_cast<int>(p), static_cast<int>(i)});
        }
    }
}

void RunLedger::stepFinished(const StepResult &r) {
    const Key key{static_cast<int>(r.phase), r.stepIndex, r.step, r.device};
    auto it = m_index.constFind(key);
    if (it == m_index.cend()) {
        StepTally t;
        t.phase = r.phase;
        t.stepIndex = r.stepIndex;
        t.step = r.step;
        t.device = r.device;
        t.exchange = m_checks.contains({static_cast<int>(r.phase), r.stepIndex});
        it = m_index.insert(key, m_tallies.size());
        m_tallies.append(t);
    }
    StepTally &t = m_tallies[*it];
    // A try that another try followed: only the last try of an exchange counts (verdictrule.h).
    if (r.retried) {
        ++t.retried;
        return;
    }
    const bool failed = r.verdict == Verdict::Fail || r.verdict == Verdict::Error;
    if (r.expected && failed) {
        StepTally::Excused &e = t.excused[r.faultId];
        (r.verdict == Verdict::Fail ? e.fail : e.error) += 1;
        return;
    }
    switch (r.verdict) {
    case Verdict::Pass:
        ++t.pass;
        // Only an answer proves a device alive: a step that only sends passes on a dead device too.
        if (t.exchange)
            m_recovery.passed(r.device, r.startNs, r.endNs);
        break;
    case Verdict::Fail:
        ++t.fail;
        break;
    case Verdict::Error:
        ++t.error;
        break;
    case Verdict::Abort:
        ++t.abort;
        break;
    }
    if (r.marginal)
        ++t.marginal;
}

void RunLedger::faultStarted(const FaultRecord &fault) {
    FaultFacts f;
    f.id = fault.id;
    f.number = ++m_faultsStarted;
    f.device = fault.device;
    f.served = fault.serves;
    f.what = QStringLiteral("%1 %2").arg(fault.target, fault.kind);
    f.startNs = fault.startNs;
    f.recoveryBoundNs = fault.recoveryBoundNs;
    m_recovery.faultStarted(f);
}

void RunLedger::faultEnded(const FaultRecord &fault) {
    m_recovery.faultEnded(fault.id, fault.endNs);
}

VerdictInputs RunLedger::inputs() const {
    VerdictInputs in;
    in.tallies = m_tallies;
    in.faults = m_recovery.facts();
    return in;
}

} // namespace hil
