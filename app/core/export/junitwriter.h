#pragma once

#include "core/run/resultlistener.h"

#include <QMap>

namespace hil {

// Writes a JUnit XML file at the end of a run, in the form Jenkins' and GitLab's JUnit readers take: one
// <testsuite> per phase, one <testcase> per scenario step (its repetitions and iterations aggregated, so a
// day-long soak gives a file of bounded size). A step that failed carries <failure> with the first failing
// exchanges and the device's actual answers; an errored one <error>; an aborted one <skipped>.
// Measurements and their limits go in <properties>. Memory is bounded by the number of steps.
class JUnitWriter : public ResultListener {
public:
    explicit JUnitWriter(QString path);

    // Empty after runFinished() unless writing the file failed.
    QString error() const { return m_error; }

    void runStarted(const RunInfo &info) override;
    void runInfoChanged(const RunInfo &info) override { m_info = info; }
    void stepFinished(const StepResult &result) override;
    void runFinished(const RunSummary &summary) override;

    static constexpr int kMaxDetails = 10;

private:
    struct MeasurementStats {
        QString unit;
        Range limits;
        Range marginal;
        qint64 n = 0;
        double min = 0, max = 0, sum = 0;
    };
    struct Case {
        QString name;
        QString device;
        qint64 runs = 0, fails = 0, errors = 0, aborts = 0, marginal = 0;
        qint64 totalNs = 0;
        qint64 latencyN = 0;
        qint64 latencyMax = 0;
        double latencySum = 0;
        QStringList details; // the first failures, with the device's answers
        QString firstMessage;
        QMap<QString, MeasurementStats> measurements;
    };

    QString m_path;
    RunInfo m_info;
    QMap<std::pair<int, int>, Case> m_cases; // (phase, step index)
    QString m_error;
};

} // namespace hil
