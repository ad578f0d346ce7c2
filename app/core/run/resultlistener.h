#pragma once

#include "core/run/results.h"

namespace hil {

// The one interface for everything that consumes results: the SQLite recorder, the console progress
// line, the live GUI model. Called on the runner's thread, in order, once per item:
// implementations must return quickly (queue work for another thread rather than doing I/O inline).
class ResultListener {
public:
    virtual ~ResultListener() = default;

    virtual void runStarted(const RunHeader &info) { (void)info; }
    // Metadata filled in from the device's answers during the run (DUT serial, firmware).
    virtual void runInfoChanged(const RunHeader &info) { (void)info; }
    virtual void stepFinished(const StepResult &result) { (void)result; }
    // The run's counts after each step result, by the engine's own rule (the one its verdict follows):
    // what a display shows, so that none recounts results, and none is wrong when it drops some it had no
    // time to draw.
    virtual void countsChanged(const RunCounts &counts) { (void)counts; }
    virtual void eventRecorded(const Event &event) { (void)event; }
    // A raw line to or from a device; only delivered when the run records exchanges.
    virtual void exchange(qint64 timeNs, const QString &device, Direction dir, const QByteArray &data) {
        (void)timeNs;
        (void)device;
        (void)dir;
        (void)data;
    }
    // Progress of the scenario's loop, for progress displays: iteration done, and the planned end if timed.
    virtual void progress(qint64 iterationsDone, qint64 elapsedNs, qint64 plannedNs) {
        (void)iterationsDone;
        (void)elapsedNs;
        (void)plannedNs;
    }
    // A fault began, ended (with its link counters), or the device answered correctly again after it.
    virtual void faultStarted(const FaultRecord &fault) { (void)fault; }
    virtual void faultEnded(const FaultRecord &fault) { (void)fault; }
    virtual void faultRecovered(const FaultRecord &fault) { (void)fault; }
    virtual void runFinished(const RunSummary &summary) { (void)summary; }
};

} // namespace hil
