#include "core/store/bindingsjson.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>
#include <algorithm>

namespace hil {

namespace {

// A JSON object's members in their text order (QJsonObject sorts its keys; a sweep's order matters).
QStringList keysInTextOrder(QByteArrayView json, const QJsonObject &object) {
    QList<std::pair<qsizetype, QString>> found;
    const QString text = QString::fromUtf8(json);
    for (const QString &key : object.keys()) {
        const QString quoted =
            QString::fromUtf8(QJsonDocument(QJsonObject{{key, 0}}).toJson(QJsonDocument::Compact))
                .mid(1)
                .section(u':', 0, 0);
        found.append({text.indexOf(quoted + u':'), key});
    }
    std::sort(found.begin(), found.end());
    QStringList keys;
    for (const auto &k : found)
        keys.append(k.second);
    return keys;
}

} // namespace

QString bindingsToJson(const Bindings &bindings) {
    if (bindings.isEmpty())
        return {};
    // Written by hand rather than through QJsonObject, which would sort the names.
    QByteArray out = "{";
    for (qsizetype i = 0; i < bindings.size(); ++i) {
        const Binding &b = bindings[i];
        QJsonValue v;
        switch (b.value.typeId()) {
        case QMetaType::Bool:
            v = b.value.toBool();
            break;
        case QMetaType::Double:
        case QMetaType::Float:
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::ULongLong:
            v = b.value.toDouble();
            break;
        default:
            v = b.value.toString();
        }
        // A one-member object gives the name and value in JSON's own quoting.
        const QByteArray member = QJsonDocument(QJsonObject{{b.name, v}}).toJson(QJsonDocument::Compact);
        if (i > 0)
            out += ',';
        out += member.mid(1, member.size() - 2);
    }
    out += '}';
    return QString::fromUtf8(out);
}

Bindings bindingsFromJson(QByteArrayView json) {
    if (json.isEmpty())
        return {};
    const QJsonDocument doc = QJsonDocument::fromJson(json.toByteArray());
    if (!doc.isObject())
        return {};
    const QJsonObject object = doc.object();
    Bindings out;
    for (const QString &key : keysInTextOrder(json, object)) {
        const QJsonValue v = object.value(key);
        if (v.isDouble())
            out.append({key, QVariant(v.toDouble())});
        else if (v.isBool())
            out.append({key, QVariant(v.toBool())});
        else
            out.append({key, QVariant(v.toVariant().toString())});
    }
    return out;
}

} // namespace hil
