#pragma once

#include <QString>
#include <QStringList>

class QTextStream;

// `hil push --db FILE --to URL`: sends the runs a central store lacks.
int pushCommand(const QStringList &args);
// The push at the end of `hil run --push URL`: never changes the run's exit code; says what happened on
// err. Returns true if every ended run of the file is in the store.
bool pushAfterRun(const QString &dbPath, const QString &url, QTextStream &err);
