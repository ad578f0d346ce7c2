#pragma once

#include <QString>
#include <QStringList>

namespace hil {

// How a fault on a fixture proxy keeps the devices it serves in its record: faults.params is the fault as
// written followed by "; serves: [a, b]", so a reader of the store knows, without the fixture, which
// devices the fault acted on for the verdict rule (docs/schema.md, faults). One writer, one reader.

// The params of a fault on a proxy that serves these devices; `text` unchanged when it serves none.
QString paramsWithServes(const QString &text, const QStringList &serves);
// The devices a stored fault's params say it served; empty when they say none.
QStringList servesFromParams(const QString &params);

} // namespace hil
