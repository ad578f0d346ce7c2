#pragma once

#include "core/config/binding.h"

#include <QString>
#include <optional>

namespace hil {

// The one run header: who ran what, on which bench, with which seed, and (once known) how it ended. The
// runner fills the first part and hands it to every listener at the start (and again when the device's
// answers fill in the DUT serial or firmware); the store writes it as a row of `runs` and reads it back
// for `hil runs`, reports, comparisons and the desktop app's history. Times: startedAtNs and endedAtNs
// are wall clock (ns since the Unix epoch), durationNs is monotonic.
struct RunHeader {
    qint64 id = 0; // the row's id in its database; 0 until recorded
    QString uuid;
    QString scenario;
    QString scenarioPath;
    QString fixture;
    QString fixturePath;
    QString station;
    QString dutSerial;
    QString firmware;
    QString host;
    quint64 seed = 0;
    qint64 startedAtNs = 0;
    // The variables known before the run (the fixture's and the scenario's vars after --var), as it used
    // them (schema 5).
    Bindings vars;

    // How it ended: empty while the run goes on.
    std::optional<qint64> endedAtNs;
    std::optional<qint64> durationNs;
    QString verdict; // RUNNING, PASS, FAIL, ERROR, ABORT
    QString reason;
    qint64 iterations = 0;
    qint64 pass = 0, fail = 0, error = 0, abort = 0, marginal = 0;
    qint64 expected = 0; // failures during fault windows, not in fail or error (schema 2)
    qint64 retried = 0;  // tries a later try of the same exchange followed, in no other count (schema 5)

    // A run whose recording process died without closing it reads as ended: verdict ERROR, reason
    // "interrupted: ...", ended at the writer's last sign of life, the counts of what was recorded;
    // computed on read until a writer marks it (store/runliveness.h).
    bool interrupted = false;
    // Still being recorded by a live process (false for a row too old to tell, schema < 3).
    bool live = false;

    // A row still RUNNING: the run is going on, or (schema < 3) its process may have died.
    bool unfinished() const { return !endedAtNs.has_value(); }
};

} // namespace hil
