#include "core/run/faultserves.h"

#include <QRegularExpression>

namespace hil {

QString paramsWithServes(const QString &text, const QStringList &serves) {
    if (serves.isEmpty())
        return text;
    return text + QStringLiteral("; serves: [") + serves.join(QStringLiteral(", ")) + u']';
}

QStringList servesFromParams(const QString &params) {
    // The last "; serves: [...]": the fault's own text comes first and may hold anything.
    static const QRegularExpression serves(QStringLiteral(R"(; serves: \[([^\]]*)\]$)"));
    const QRegularExpressionMatch m = serves.match(params);
    if (!m.hasMatch())
        return {};
    QStringList out;
    for (const QString &name : m.captured(1).split(u',', Qt::SkipEmptyParts))
        out.append(name.trimmed());
    return out;
}

} // namespace hil
