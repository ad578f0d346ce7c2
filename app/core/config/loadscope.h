#pragma once

#include "core/config/yamlreader.h"
#include "core/expr/expressionengine.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QVariant>
#include <optional>

namespace hil {

// The variables a scenario's loader knows at a point of the file, and the evaluation of `${...}` there.
// Values known before the run (the bench's and the scenario's vars, --var, the values of a sweep, a block's
// parameters) are static: an expression of only those is evaluated now, and its text replaces it. Names the
// run learns as it goes (captures of earlier answers, measurements, prompt answers) are runtime names: a
// field that may wait for them keeps its expression (with the static values put in), any other field
// refuses them. An unknown name, a syntax error or an expression that fails is an error at file:line:col.
class LoadScope {
public:
    explicit LoadScope(YamlReader &reader);

    void setStatic(const QString &name, const QVariant &value);
    std::optional<QVariant> staticValue(const QString &name) const;
    void declareRuntime(const QString &name);
    bool isRuntime(const QString &name) const { return m_runtime.contains(name); }
    QStringList runtimeNames() const;

    // A frame of static names (sweep values, block parameters) that hides the outer ones until popped.
    void push(const QHash<QString, QVariant> &values);
    void pop();

    struct Expanded {
        QString text;
        bool runtime = false; // text still holds ${...} of runtime names
    };
    // A scalar with its ${...} evaluated (or kept, for runtime names when `allowRuntime`). nullopt after
    // an error.
    std::optional<Expanded> expand(const YAML::Node &node, const QString &what, bool allowRuntime);
    // A condition (`if:`, `until:`): an expression with or without ${ }. Its value when static, else its
    // source with the static values in place.
    struct Condition {
        std::optional<bool> value;
        QString source;
    };
    std::optional<Condition> condition(const YAML::Node &node, const QString &what);
    // `text` (a fault as written, say) with each ${...} of static values replaced by its value; pieces that
    // cannot be evaluated stay as written. For records, not for checking: the fields were checked already.
    QString expandText(const QString &text);
    // The value of a static scalar (vars, for_each lists): typed by scalarValue() after expansion.
    std::optional<QVariant> value(const YAML::Node &node, const QString &what);

private:
    // Checks the names of one expression at `offset` of the node; whether it reads a runtime name.
    std::optional<bool> checkNames(const YAML::Node &node, const QString &source, int offset);
    std::optional<QString> substituteStatic(const QString &source);
    QHash<QString, QVariant> staticValues() const;
    QString knownList() const;
    int columnOf(const YAML::Node &node, int offset) const;

    YamlReader &r;
    ExpressionEngine m_engine;
    QList<QHash<QString, QVariant>> m_frames; // [0]: vars; then sweeps and block parameters, innermost last
    QSet<QString> m_runtime;
    QStringList m_runtimeOrder;
};

} // namespace hil
