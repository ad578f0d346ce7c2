#pragma once

#include "core/config/fixture.h"
#include "core/config/scenario.h"
#include "core/export/reportpipeline.h"
#include "core/run/results.h"
#include "core/run/runner.h"

#include <QObject>
#include <QStringList>
#include <memory>

namespace hil {

class Prompter;
class Recorder;
class ResultListener;

// Everything one run needs: what to run, on which bench, where to record it and which reports to write
// at its end.
struct RunSessionConfig {
    Scenario scenario;
    Fixture fixture;
    RunOptions options;
    QString databasePath;
    ReportTargets reports;                    // written from the store once the run is recorded
    QString baseline;                         // compared with in the reports: a run id, uuid or "previous"
    double threshold = 0.20;                  // latency regression threshold of that comparison, as a share
    const ReportRenderer *renderer = nullptr; // HTML and PDF (app/report); not owned, must outlive the run
    Prompter *prompter = nullptr; // asks the operator (run/prompter.h); none: nobody is at the bench
};

// How a run ended, once everything of it is on disk.
struct RunOutcome {
    Verdict verdict = Verdict::Error; // the runner's, made ERROR by a failed recording or report
    QString endReason;                // why the run ended early, empty if it ran to its end
    QStringList reasons;              // why the verdict is not PASS (the runner's verdict rule)
    qint64 runId = 0;                 // 0 if no run row was written
    RunHeader info;
    RunCounts counts;
    QStringList problems;  // the recording failed: one sentence each, for the user
    ReportOutcome reports; // what was written, and the reports that could not be (errors)
};

// The one assembly of a run, which `hil run` and the desktop app both use: it opens the store, builds the
// runner (which builds the bench and the fault injector when it starts), wires the recorder and the
// listeners, turns a recording failure into an ERROR end, and at the end closes the store and writes the
// reports from it. Neither front end wires the engine itself.
//
// Lives on the thread whose event loop drives the run; call everything from that thread. finished() is
// emitted once, queued, after the recorder has committed everything and the reports are written; the
// runner, its bench and simulators are gone by then.
class RunSession : public QObject {
    Q_OBJECT
public:
    // Opens (or creates) the results database (Recorder::open: not a file, damaged, read-only, locked).
    // nullptr with *error (naming the file and the cause) if it cannot be written; nothing has started
    // then. A file deleted or replaced later, during the run, ends it as ERROR (StoreGuard).
    static std::unique_ptr<RunSession> prepare(RunSessionConfig config, QString *error);
    ~RunSession() override;

    // Before start(): listeners get every result after the recorder (not owned; must outlive the run).
    void addListener(ResultListener *listener);
    void start();
    void pause();
    void resume();
    void abort(const QString &reason, Verdict verdict = Verdict::Abort);
    // Aborts the run and ends it before returning, finished() included, without waiting for the event loop
    // (a window that is closing). Nothing happens if the run has already ended.
    void finishNow(const QString &reason);
    // See Runner::injectFault and Runner::clearFaults.
    int injectFault(const FaultEntry &fault);
    void clearFaults(const QString &target);

    // The run as it goes: counts by the engine's own rule (the one the verdict follows), its header, its
    // bench. Valid until finished() has been emitted.
    const RunCounts &counts() const;
    const RunHeader &info() const;
    Bench *bench() const;
    bool isPaused() const;
    qint64 runId() const;
    const QString &databasePath() const { return m_config.databasePath; }

signals:
    // The recorder could not write (the run then ends as ERROR): for the operator to see at once.
    void problem(const QString &message);
    void finished(const hil::RunOutcome &outcome);

private:
    explicit RunSession(RunSessionConfig config);
    void onRunnerFinished(Verdict verdict);
    void finish();

    RunSessionConfig m_config;
    std::unique_ptr<Recorder> m_recorder;
    std::unique_ptr<Runner> m_runner;
    RunOutcome m_outcome;
    bool m_finishing = false;
};

} // namespace hil
