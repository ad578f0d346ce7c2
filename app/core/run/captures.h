#pragma once

#include <QMap>
#include <QRegularExpressionMatch>
#include <QString>
#include <QStringList>

namespace hil {

// What an answer gave the step by name: the named groups of its pattern's match, and the fields decoded
// from a binary frame (run/fielddecode.h). `measure:`, `record:` and the run's variables read them alike;
// a field wins over a group of the same name.
struct Captures {
    QRegularExpressionMatch match;
    QMap<QString, QString> fields;

    bool has(const QString &name) const { return fields.contains(name) || match.hasCaptured(name); }
    QString value(const QString &name) const {
        const auto it = fields.constFind(name);
        return it != fields.cend() ? *it : match.captured(name);
    }
    // Every name with a value: the fields, then the pattern's named groups that captured.
    QStringList names() const {
        QStringList out = fields.keys();
        for (const QString &group : match.regularExpression().namedCaptureGroups())
            if (!group.isEmpty() && !fields.contains(group) && match.hasCaptured(group))
                out.append(group);
        return out;
    }
};

} // namespace hil
