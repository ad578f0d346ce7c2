#include "core/base/verdict.h"

namespace hil {

QString verdictName(Verdict v) {
    switch (v) {
    case Verdict::Pass:
        return QStringLiteral("PASS");
    case Verdict::Fail:
        return QStringLiteral("FAIL");
    case Verdict::Error:
        return QStringLiteral("ERROR");
    case Verdict::Abort:
        return QStringLiteral("ABORT");
    }
    return QStringLiteral("ERROR");
}

std::optional<Verdict> verdictFromName(QStringView name) {
    for (Verdict v : {Verdict::Pass, Verdict::Fail, Verdict::Error, Verdict::Abort}) {
        if (name.compare(verdictName(v), Qt::CaseInsensitive) == 0)
            return v;
    }
    return std::nullopt;
}

Verdict combine(Verdict a, Verdict b) {
    return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

int exitCodeFor(Verdict v) {
    switch (v) {
    case Verdict::Pass:
        return ExitPass;
    case Verdict::Fail:
        return ExitFail;
    case Verdict::Error:
        return ExitError;
    case Verdict::Abort:
        return ExitAbort;
    }
    return ExitError;
}

} // namespace hil
