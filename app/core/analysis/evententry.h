#pragma once

#include <QString>

namespace hil {

struct EventEntry {
    qint64 tNs = 0;
    QString kind;
    QString device;
    QString detail;
};

} // namespace hil
