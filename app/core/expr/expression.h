#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QVariant>
#include <optional>

namespace hil {

// The text of one `${...}` expression of the scenario language, read as tokens: enough to know which
// variables it uses, to translate the words and/or/not, and to put known values in place of their names.
// The expression itself is evaluated by JavaScript (ExpressionEngine); nothing here parses its grammar.

// A name the expression reads: an identifier that is not a property (`.x`), a function of the language, a
// literal (true, null) or a keyword. `offset` is its position in the expression text.
struct NameUse {
    QString name;
    int offset = 0;
};

// The functions every expression may call (ExpressionEngine defines them), in the order docs list them.
const QStringList &expressionFunctions();

// The variables `source` reads, in order of first use, or an error (an unterminated string, a `;`, an
// assignment: an expression computes a value and changes nothing) with its offset.
std::optional<QList<NameUse>> expressionNames(const QString &source, QString *error, int *errorOffset);

// `source` as JavaScript: and/or/not become &&/||/!. Assumes expressionNames() accepted it.
QString expressionToJavaScript(const QString &source);

// `source` with the names in `values` replaced by their values as literals ("V * k" with V = 3.3 gives
// "(3.3) * k"): what stays is the names that are only known while the run goes.
QString substituteNames(const QString &source, const QHash<QString, QVariant> &values);

// A value as JavaScript source: a number, true/false, or a quoted string.
QString javaScriptLiteral(const QVariant &value);
// A value as it appears in text: numbers in their shortest exact form (3.3, 42, 1e-07), bools true/false.
QString valueText(const QVariant &value);
// A YAML scalar's text as a value: a number if it reads as one, true/false, else the text.
QVariant scalarValue(const QString &text);
// Whether `name` can be a variable: [A-Za-z_][A-Za-z0-9_]*, not a function or a reserved word.
bool isVariableName(const QString &name, QString *why);

} // namespace hil
