#pragma once

#include "core/run/runheader.h"

#include <QList>
#include <QString>
#include <optional>

namespace hil {

// Read-only access to the runs of a results database; opens its own connection per call and never
// writes (so it is safe while a run is recording into the same file).
std::optional<QList<RunHeader>> listRuns(const QString &dbPath, QString *error);

} // namespace hil
