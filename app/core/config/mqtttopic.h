#pragma once

#include <QString>

namespace hil {

// Why a topic name to publish to is not one ("" if it is): empty, a wildcard (+ #), a NUL, too long.
QString mqttTopicNameProblem(const QString &topic);

// Why a topic filter to subscribe to is not one ("" if it is), and where (*offset, 0-based, in
// characters): empty, `#` not alone in the last level, `+` not alone in its level, a NUL, too long.
QString mqttTopicFilterProblem(const QString &filter, int *offset);

// A regular expression (no anchors) that matches exactly the topics a valid filter selects: `+` one
// level, a final `#` the parent level and any below it. As MQTT says, wildcards at the start of a filter
// do not match topics beginning with `$` ($SYS/...).
QString mqttTopicFilterRegex(const QString &filter);

} // namespace hil
