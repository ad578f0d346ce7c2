#pragma once

#include "core/export/reportpipeline.h"

#include <QString>
#include <optional>

namespace hil {

// A reason not to start: checked before any simulator starts or any run row exists, so that a run of hours
// does not end with reports that cannot be written.
struct PreflightProblem {
    enum class Kind {
        BadInput, // the user named something that cannot work (no such directory, a directory as a file,
                  // no such baseline run): exit 2
        Bench,    // the place exists but refuses a file (read-only, full, no permission): exit 3
    };
    Kind kind;
    QString message; // one sentence naming the option and the path
};

// Every report target of `hil run` / `hil report`: the parent of a file (the CSV directory itself, or the
// parent it would be created in) must exist and be a writable directory, the target must not be a
// directory, and a probe file is created there, written, fsynced and removed. The first problem found.
std::optional<PreflightProblem> checkReportTargets(const ReportTargets &targets);

// What `hil run` is about to run, for --baseline previous: the last finished run of the same scenario on
// the same fixture (by name, as the runs table keeps them).
struct BaselineOf {
    QString scenario;
    QString fixture;
};

// --baseline of `hil run`: a run id or uuid must name a run in databasePath; "previous" needs a finished
// run of run.scenario on run.fixture there. Problems are bad input.
std::optional<PreflightProblem> checkBaseline(const QString &databasePath, const QString &baseline,
                                              const BaselineOf &run);

} // namespace hil
