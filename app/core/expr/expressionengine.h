#pragma once

#include "core/expr/template.h"
#include "core/expr/varscope.h"

#include <QHash>
#include <QJSValue>
#include <QList>
#include <QStringList>
#include <memory>
#include <optional>

class QJSEngine;

namespace hil {

// Evaluates expressions of the scenario language with JavaScript (QJSEngine): arithmetic, comparisons,
// and/or/not, ?:, strings, and the functions of expressionFunctions() (abs, min, max, round, fmt, ...).
// Each distinct expression is compiled once into a function of the variables it reads; evaluating it then
// costs one call (well under a microsecond for arithmetic). Lives on one thread, created on first use.
class ExpressionEngine {
public:
    ExpressionEngine();
    ~ExpressionEngine();
    ExpressionEngine(const ExpressionEngine &) = delete;
    ExpressionEngine &operator=(const ExpressionEngine &) = delete;

    // Compiles `source` (the text between ${ and }); -1 and *error on a syntax error. Cached by source.
    int compile(const QString &source, QString *error);
    // The variables a compiled expression reads.
    const QStringList &names(int handle) const;
    // The value (double, bool or string) of a compiled expression with the variables of `scope`. An
    // expression that reads a variable `scope` lacks, throws, or gives no number/bool/string (undefined, an
    // object, NaN) is an error.
    std::optional<QVariant> evaluate(int handle, const VarScope &scope, QString *error);
    std::optional<QVariant> evaluate(const QString &source, const VarScope &scope, QString *error);

    // A template's value: a whole `${...}` keeps its type; anything else is text. In a regular expression
    // (`regexLiteral`) the values are inserted as literal text (escaped), the template's own text is kept.
    std::optional<QVariant> evaluate(const Template &t, const VarScope &scope, QString *error,
                                     bool regexLiteral = false);

private:
    struct Compiled {
        QJSValue function;
        QStringList names;
    };
    bool ensureEngine(QString *error);

    std::unique_ptr<QJSEngine> m_engine;
    QList<Compiled> m_compiled;
    QHash<QString, int> m_bySource;
    QJSValueList m_args; // reused between calls
};

} // namespace hil
