#include "core/config/mqtttopic.h"

#include <QRegularExpression>
#include <QStringList>

namespace hil {

QString mqttTopicNameProblem(const QString &topic) {
    if (topic.isEmpty())
        return QStringLiteral("an empty topic");
    if (topic.contains(u'+') || topic.contains(u'#'))
        return QStringLiteral("topic '%1' has a wildcard (+ or #): a message is published to one topic")
            .arg(topic);
    if (topic.contains(QChar(0)))
        return QStringLiteral("topic '%1' has a NUL character").arg(topic);
    if (topic.toUtf8().size() > 65535)
        return QStringLiteral("topic is longer than 65535 bytes");
    return {};
}

QString mqttTopicFilterProblem(const QString &filter, int *offset) {
    *offset = 0;
    if (filter.isEmpty())
        return QStringLiteral("an empty topic filter");
    if (filter.toUtf8().size() > 65535)
        return QStringLiteral("topic filter is longer than 65535 bytes");
    int at = 0;
    const QStringList levels = filter.split(u'/');
    for (qsizetype i = 0; i < levels.size(); ++i) {
        const QString &level = levels[i];
        for (int c = 0; c < level.size(); ++c) {
            *offset = at + c;
            if (level[c] == QChar(0))
                return QStringLiteral("topic filter '%1' has a NUL character").arg(filter);
            if (level[c] == u'#' && (level.size() != 1 || i != levels.size() - 1))
                return QStringLiteral("bad topic filter '%1': # must be the last level, alone in it "
                                      "(like a/b/#)")
                    .arg(filter);
            if (level[c] == u'+' && level.size() != 1)
                return QStringLiteral("bad topic filter '%1': + must be alone in its level (like a/+/c)")
                    .arg(filter);
        }
        at += static_cast<int>(level.size()) + 1;
    }
    *offset = 0;
    return {};
}

QString mqttTopicFilterRegex(const QString &filter) {
    const QStringList levels = filter.split(u'/');
    QString re;
    for (qsizetype i = 0; i < levels.size(); ++i) {
        const QString &level = levels[i];
        const QString sep = i == 0 ? QString() : QStringLiteral("/");
        if (level == u"#") {
            // "a/#" matches "a" too; "#" alone matches everything but $-topics.
            re += i == 0 ? QStringLiteral("(?!\\$)[^\\n]*") : QStringLiteral("(?:/[^\\n]*)?");
        } else if (level == u"+") {
            re += sep + (i == 0 ? QStringLiteral("(?!\\$)[^/\\n]*") : QStringLiteral("[^/\\n]*"));
        } else {
            re += sep + QRegularExpression::escape(level);
        }
    }
    return re;
}

} // namespace hil
