#pragma once

#include "core/run/resultlistener.h"

#include <QElapsedTimer>
#include <cstdio>

// The live progress line of `hil run` on a terminal: elapsed, iterations, pass/fail/error counts and the
// ETA of timed loops, redrawn in place at most five times a second. Prints nothing when stdout is not a
// terminal (CI logs stay clean).
class ConsoleProgress : public hil::ResultListener {
public:
    explicit ConsoleProgress(FILE *out = stdout);

    bool enabled() const { return m_enabled; }

    void runStarted(const hil::RunHeader &info) override;
    void stepFinished(const hil::StepResult &result) override;
    void countsChanged(const hil::RunCounts &counts) override;
    void progress(qint64 iterationsDone, qint64 elapsedNs, qint64 plannedNs) override;
    void runFinished(const hil::RunSummary &summary) override;

private:
    void draw(bool force);

    FILE *m_out;
    bool m_enabled;
    QElapsedTimer m_clock;
    qint64 m_lastDrawMs = -1000;
    hil::RunCounts m_counts;
    qint64 m_iterations = 0;
    qint64 m_plannedNs = -1;
    QString m_step;
};
