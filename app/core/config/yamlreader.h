#pragma once

#include "core/base/duration.h"
#include "core/base/sourceerror.h"

#include <QByteArray>
#include <QString>
#include <functional>
#include <initializer_list>
#include <optional>
#include <yaml-cpp/yaml.h>

namespace hil {

// Typed, position-aware access to a YAML document. Every problem is collected as a SourceError at the
// exact line:col of the offending node, so that a loader can report all problems at once instead of the
// first. Not thread-safe.
class YamlReader {
public:
    explicit YamlReader(QString file);

    // Starts the message of internalError(): no valid input should ever produce it.
    static constexpr QLatin1StringView kInternalErrorPrefix{"internal error reading this"};

    // Reads and parses the file. On failure (missing file, syntax error) records an error and returns an
    // undefined node.
    YAML::Node load();
    // Parses `text` as the content of file(), which is then only the name errors carry. Same errors as
    // load().
    YAML::Node loadText(const QByteArray &text);

    const QString &file() const { return m_file; }

    // Where errors are placed while a loader reads nodes of another file (an included one) or reuses nodes
    // in another context (a block used at a step): errors then name `file` and end with `suffix`.
    struct Context {
        QString file;
        QString suffix;
    };
    Context context() const { return {m_file, m_suffix}; }
    void setContext(const Context &c) {
        m_file = c.file;
        m_suffix = c.suffix;
    }

    // Evaluates the ${...} of a scalar for the typed readers below: the text, or nullopt after recording
    // an error. Unset: scalars are taken as written.
    using Expander = std::function<std::optional<QString>(const YAML::Node &node, const QString &what)>;
    void setExpander(Expander expander) { m_expander = std::move(expander); }
    // The text of a scalar node through the expander (nullopt after an error; not a scalar is an error).
    std::optional<QString> scalarText(const YAML::Node &node, const QString &what);
    const SourceErrors &errors() const { return m_errors; }
    bool ok() const { return m_errors.isEmpty(); }

    void error(const YAML::Node &at, const QString &message);
    // Records a yaml-cpp exception that escaped a loader (a case the loader does not handle) as an
    // error at its mark instead of letting it leave the loader's API.
    void internalError(const YAML::Exception &e);
    void errorAt(int line, int column, const QString &message);

    // Reports keys of `map` that are not in `allowed`, and duplicate keys.
    void checkKeys(const YAML::Node &map, std::initializer_list<const char *> allowed);
    // Reports duplicate keys only: for maps whose keys are names chosen by the user.
    void checkDuplicateKeys(const YAML::Node &map);
    bool requireMap(const YAML::Node &node, const QString &what);
    bool requireSequence(const YAML::Node &node, const QString &what);

    // Scalars. Each returns nullopt after recording an error if the node is missing (when required) or
    // of the wrong type. `what` names the field in messages.
    std::optional<QString> string(const YAML::Node &node, const QString &what);
    std::optional<double> number(const YAML::Node &node, const QString &what); // NaN is not a number
    std::optional<qint64> integer(const YAML::Node &node, const QString &what, qint64 min, qint64 max);
    std::optional<bool> boolean(const YAML::Node &node, const QString &what);
    std::optional<Nanoseconds> duration(const YAML::Node &node, const QString &what);

    // 1-based position of a node (the line of the document start if the node has none).
    static int line(const YAML::Node &node);
    static int column(const YAML::Node &node);

private:
    QString m_file;
    QString m_suffix;
    Expander m_expander;
    SourceErrors m_errors;
    YAML::Node m_root;
};

QString toQString(const std::string &s);

} // namespace hil
