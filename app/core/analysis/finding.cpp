#include "core/analysis/finding.h"

namespace hil {

QString severityName(Finding::Severity s) {
    switch (s) {
    case Finding::Severity::Critical:
        return QStringLiteral("critical");
    case Finding::Severity::Major:
        return QStringLiteral("major");
    case Finding::Severity::Minor:
        return QStringLiteral("minor");
    case Finding::Severity::Info:
        return QStringLiteral("info");
    }
    return QStringLiteral("info");
}

} // namespace hil
