#include "core/config/binding.h"

#include <QStringList>

namespace hil {

QString bindingsText(const Bindings &bindings) {
    QStringList parts;
    for (const Binding &b : bindings) {
        const QString value = b.value.typeId() == QMetaType::Double
                                  ? QString::number(b.value.toDouble(), 'g', 15)
                                  : b.value.toString();
        parts.append(QStringLiteral("%1=%2").arg(b.name, value));
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace hil
