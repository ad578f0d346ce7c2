#pragma once

#include <QList>
#include <QString>
#include <optional>

namespace hil {

// A string of the scenario language: literal text and `${expression}` pieces. `$${` is a literal `${`.
struct TemplatePart {
    bool isExpression = false;
    QString text;   // the literal, or the expression between ${ and }
    int offset = 0; // where the text starts in the source string
};

struct Template {
    QString source;
    QList<TemplatePart> parts;

    // No expression at all: the source is the value (with $${ unescaped).
    bool isLiteral() const;
    // Exactly one expression and nothing around it: the value keeps the expression's type (a number).
    bool isWholeExpression() const;
    QString literalText() const;
};

// Whether `text` holds a `${` (and so needs parseTemplate).
bool hasTemplate(const QString &text);
// Splits `text`; an unclosed ${ is an error at its offset.
std::optional<Template> parseTemplate(const QString &text, QString *error, int *errorOffset);

} // namespace hil
