#pragma once

#include <QString>

namespace hil {

struct Finding {
    enum class Severity { Critical, Major, Minor, Info };
    Severity severity = Severity::Info;
    QString title;  // one line a QA lead reads first
    QString detail; // where to look
};
QString severityName(Finding::Severity s);

} // namespace hil
