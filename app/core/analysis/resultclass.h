#pragma once

#include <QByteArrayView>

namespace hil {

// How a step result counts: Expected is a FAIL or ERROR while a fault acted on its device.
enum class ResultClass { Pass, Fail, Error, Abort, Other, Expected };

inline ResultClass resultClassOf(QByteArrayView b) {
    if (b == "PASS")
        return ResultClass::Pass;
    if (b == "FAIL")
        return ResultClass::Fail;
    if (b == "ERROR")
        return ResultClass::Error;
    if (b == "ABORT")
        return ResultClass::Abort;
    return ResultClass::Other;
}

} // namespace hil
