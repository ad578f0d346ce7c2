#pragma once

#include <QList>
#include <QString>
#include <optional>

namespace hil {

struct RunRow {
    qint64 id = 0;
    QString uuid;
    QString scenario;
    QString fixture;
    QString station;
    QString dutSerial;
    QString firmware;
    quint64 seed = 0;
    qint64 startedAtNs = 0;
    std::optional<qint64> durationNs;
    QString verdict;
    QString reason;
    qint64 iterations = 0;
    qint64 pass = 0, fail = 0, error = 0, abort = 0, marginal = 0;
    // A run whose recording process died without closing it: verdict ERROR, reason "interrupted: ...",
    // the counts of what was recorded; computed on read until a writer marks it (runliveness.h).
    bool interrupted = false;
    // A run still being recorded by a live process (false for a row too old to tell, schema < 3).
    bool live = false;
};

// Read-only access to the runs of a results database; opens its own connection per call and never
// writes (so it is safe while a run is recording into the same file).
std::optional<QList<RunRow>> listRuns(const QString &dbPath, QString *error);

} // namespace hil
