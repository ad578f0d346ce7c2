#include "core/config/yamlreader.h"

#include <QFile>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace hil {

QString toQString(const std::string &s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

YamlReader::YamlReader(QString file)
    : m_file(std::move(file)) {}

YAML::Node YamlReader::load() {
    QFile f(m_file);
    if (!f.open(QIODevice::ReadOnly)) {
        errorAt(1, 1, QStringLiteral("cannot read file: %1").arg(f.errorString()));
        return {};
    }
    return loadText(f.readAll());
}

namespace {

// The line of the "---" that starts the second document: the last marker line at or before the document's
// first node (or the second marker in the file, for an empty document).
int secondDocumentLine(const QByteArray &text, const YAML::Node &second) {
    const int nodeLine = second.Mark().line >= 0 ? second.Mark().line + 1 : 0;
    const QList<QByteArray> lines = text.split('\n');
    int found = 0;
    bool content = false; // a node of the first document has been seen
    for (int i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const bool marker = line.startsWith("---") && (line.size() == 3 || line[3] == ' ' || line[3] == '\t');
        if (nodeLine > 0 && i + 1 > nodeLine)
            break;
        if (marker && content) {
            found = i + 1;
            if (nodeLine == 0)
                break;
        }
        if (!line.isEmpty() && !line.startsWith('#') && !marker)
            content = true;
    }
    return found > 0 ? found : std::max(1, nodeLine);
}

} // namespace

YAML::Node YamlReader::loadText(const QByteArray &text) {
    try {
        // Every document is parsed: a second one (after ---) would otherwise be ignored without a word.
        const std::vector<YAML::Node> documents = YAML::LoadAll(text.toStdString());
        if (documents.size() > 1) {
            const int at = secondDocumentLine(text, documents[1]);
            errorAt(
                at, 1,
                QStringLiteral("a second YAML document starts here (after ---); a file holds one document: "
                               "merge them or split them into two files"));
            return {};
        }
        m_root = documents.empty() ? YAML::Node() : documents.front();
    } catch (const YAML::ParserException &e) {
        errorAt(e.mark.line + 1, e.mark.column + 1, toQString(e.msg));
        return {};
    } catch (const YAML::Exception &e) {
        errorAt(1, 1, toQString(e.what()));
        return {};
    }
    if (!m_root.IsDefined() || m_root.IsNull()) {
        errorAt(1, 1, QStringLiteral("the file is empty"));
        return {};
    }
    return m_root;
}

int YamlReader::line(const YAML::Node &node) {
    const YAML::Mark m = node.Mark();
    return m.line >= 0 ? m.line + 1 : 1;
}

int YamlReader::column(const YAML::Node &node) {
    const YAML::Mark m = node.Mark();
    return m.column >= 0 ? m.column + 1 : 1;
}

void YamlReader::error(const YAML::Node &at, const QString &message) {
    errorAt(line(at), column(at), message);
}

void YamlReader::internalError(const YAML::Exception &e) {
    errorAt(std::max(1, e.mark.line + 1), std::max(1, e.mark.column + 1),
            QStringLiteral("%1: %2").arg(kInternalErrorPrefix, toQString(e.msg)));
}

void YamlReader::errorAt(int lineNo, int col, const QString &message) {
    const SourceError e{m_file, lineNo, col, message + m_suffix};
    // A node read more than once (a step of a sweep, a block used twice) reports its problem once.
    for (const SourceError &known : std::as_const(m_errors)) {
        if (known.file == e.file && known.line == e.line && known.column == e.column
            && known.message == e.message)
            return;
    }
    m_errors.append(e);
}

std::optional<QString> YamlReader::scalarText(const YAML::Node &node, const QString &what) {
    if (!node.IsScalar()) {
        error(node, QStringLiteral("%1 must be a text value").arg(what));
        return std::nullopt;
    }
    if (m_expander)
        return m_expander(node, what);
    return toQString(node.Scalar());
}

bool YamlReader::requireMap(const YAML::Node &node, const QString &what) {
    if (node.IsMap())
        return true;
    error(node, QStringLiteral("%1 must be a mapping (key: value)").arg(what));
    return false;
}

bool YamlReader::requireSequence(const YAML::Node &node, const QString &what) {
    if (node.IsSequence())
        return true;
    error(node, QStringLiteral("%1 must be a list").arg(what));
    return false;
}

void YamlReader::checkDuplicateKeys(const YAML::Node &map) {
    if (!map.IsMap())
        return;
    QSet<QString> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;
        if (!key.IsScalar()) {
            error(key, QStringLiteral("keys must be plain names"));
            continue;
        }
        const QString name = toQString(key.Scalar());
        if (seen.contains(name))
            error(key, QStringLiteral("duplicate key '%1'").arg(name));
        seen.insert(name);
    }
}

void YamlReader::checkKeys(const YAML::Node &map, std::initializer_list<const char *> allowed) {
    if (!map.IsMap())
        return;
    checkDuplicateKeys(map);
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;
        if (!key.IsScalar())
            continue;
        const QString name = toQString(key.Scalar());
        bool known = false;
        QStringList names;
        for (const char *a : allowed) {
            names.append(QString::fromLatin1(a));
            known = known || name == QLatin1StringView(a);
        }
        if (!known)
            error(key, QStringLiteral("unknown key '%1' (expected one of: %2)").arg(name, names.join(u", ")));
    }
}

std::optional<QString> YamlReader::string(const YAML::Node &node, const QString &what) {
    return scalarText(node, what);
}

std::optional<double> YamlReader::number(const YAML::Node &node, const QString &what) {
    if (node.IsScalar()) {
        const auto text = scalarText(node, what);
        if (!text)
            return std::nullopt;
        bool ok = false;
        const double v = text->trimmed().toDouble(&ok);
        if (ok && !std::isnan(v)) // "nan" reads as a double, but no limit or rate can be NaN
            return v;
    }
    error(node, QStringLiteral("%1 must be a number").arg(what));
    return std::nullopt;
}

std::optional<qint64> YamlReader::integer(const YAML::Node &node, const QString &what, qint64 min,
                                          qint64 max) {
    if (node.IsScalar()) {
        const auto text = scalarText(node, what);
        if (!text)
            return std::nullopt;
        bool ok = false;
        const qint64 v = text->trimmed().toLongLong(&ok);
        if (ok && v >= min && v <= max)
            return v;
        if (ok) {
            error(node, QStringLiteral("%1 must be between %2 and %3").arg(what).arg(min).arg(max));
            return std::nullopt;
        }
    }
    error(node, QStringLiteral("%1 must be a whole number").arg(what));
    return std::nullopt;
}

std::optional<bool> YamlReader::boolean(const YAML::Node &node, const QString &what) {
    if (node.IsScalar()) {
        const auto text = scalarText(node, what);
        if (!text)
            return std::nullopt;
        const QString s = text->toLower();
        if (s == u"true" || s == u"yes" || s == u"on")
            return true;
        if (s == u"false" || s == u"no" || s == u"off")
            return false;
    }
    error(node, QStringLiteral("%1 must be true or false").arg(what));
    return std::nullopt;
}

std::optional<Nanoseconds> YamlReader::duration(const YAML::Node &node, const QString &what) {
    if (!node.IsScalar()) {
        error(node, QStringLiteral("%1 must be a duration such as 250ms, 30s or 8h").arg(what));
        return std::nullopt;
    }
    const auto text = scalarText(node, what);
    if (!text)
        return std::nullopt;
    QString why;
    const auto d = parseDuration(*text, &why);
    if (!d) {
        error(node, QStringLiteral("%1: %2").arg(what, why));
        return std::nullopt;
    }
    return d;
}

} // namespace hil
