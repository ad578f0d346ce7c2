#include "core/config/faultplan.h"

#include <QStringList>

namespace hil {

QString DeviceFaultSpec::startCommand() const {
    QStringList parts{QStringLiteral("FAULT"), kindName()};
    for (auto it = params.cbegin(); it != params.cend(); ++it)
        parts.append(it.key() + u'=' + it.value());
    return parts.join(u' ');
}

QString DeviceFaultSpec::clearCommand() const {
    if (isInstant())
        return {};
    QString cmd = QStringLiteral("CLEAR ") + kindName();
    if (params.contains(QStringLiteral("channel")))
        cmd += QStringLiteral(" channel=") + params.value(QStringLiteral("channel"));
    return cmd;
}

QStringList FaultEntry::devices() const {
    return onProxy ? serves : QStringList{on};
}

QString targetName(FaultEntry::Target t) {
    switch (t) {
    case FaultEntry::Target::Link:
        return QStringLiteral("link");
    case FaultEntry::Target::Device:
        return QStringLiteral("device");
    case FaultEntry::Target::Power:
        return QStringLiteral("power");
    }
    return {};
}

} // namespace hil
