#pragma once

#include <QString>
#include <QStringList>
#include <functional>

namespace hil {

class PgConnection;

struct PushResult {
    int pushed = 0;       // runs sent and committed by this push
    int present = 0;      // runs the central store had already (by uuid)
    int stillRunning = 0; // runs being recorded now: pushed by a later push, once they end
    int undecided =
        0; // unfinished rows of a file older than schema 3, whose writer cannot be told: never pushed
    qint64 rows = 0; // rows sent, all tables
};

enum class PushStatus {
    Done,
    BadFile,      // the results file cannot be read (exit 2)
    Failed,       // the server refused or went away: nothing of the run being sent was kept (exit 3)
    NewerCentral, // the central schema is of a later version (exit 3), nothing was written
};

// Sends every run of a results file that the central store lacks (by uuid), finished and interrupted
// ones, with all their rows, one transaction per run through COPY: a run is in the central store whole
// or not at all, and pushing again adds nothing. A run still being recorded is left for a later push.
// The file is only read (a run may be recording into it). `progress` hears one line per run.
PushStatus pushRuns(const QString &dbPath, PgConnection &pg, PushResult *result, QString *error,
                    const std::function<void(const QString &)> &progress = {});

} // namespace hil
