#include "core/expr/template.h"

namespace hil {

bool Template::isLiteral() const {
    for (const TemplatePart &p : parts) {
        if (p.isExpression)
            return false;
    }
    return true;
}

bool Template::isWholeExpression() const {
    return parts.size() == 1 && parts.front().isExpression;
}

QString Template::literalText() const {
    QString out;
    for (const TemplatePart &p : parts)
        out += p.text;
    return out;
}

bool hasTemplate(const QString &text) {
    return text.contains(QLatin1StringView("${"));
}

std::optional<Template> parseTemplate(const QString &text, QString *error, int *errorOffset) {
    Template t;
    t.source = text;
    QString literal;
    int literalStart = 0;
    qsizetype i = 0;
    const auto flush = [&] {
        if (!literal.isEmpty())
            t.parts.append({false, literal, literalStart});
        literal.clear();
    };
    while (i < text.size()) {
        if (text[i] == u'$' && text.mid(i, 3) == QLatin1StringView("$${")) {
            if (literal.isEmpty())
                literalStart = static_cast<int>(i);
            literal += QStringLiteral("${");
            i += 3;
            continue;
        }
        if (text[i] == u'$' && i + 1 < text.size() && text[i + 1] == u'{') {
            // The expression ends at the first } outside a string.
            qsizetype j = i + 2;
            QChar quote;
            while (j < text.size()) {
                const QChar c = text[j];
                if (!quote.isNull()) {
                    if (c == u'\\')
                        ++j;
                    else if (c == quote)
                        quote = QChar();
                } else if (c == u'\'' || c == u'"' || c == u'`') {
                    quote = c;
                } else if (c == u'}') {
                    break;
                }
                ++j;
            }
            if (j >= text.size()) {
                if (error)
                    *error = QStringLiteral("${ is not closed by }");
                if (errorOffset)
                    *errorOffset = static_cast<int>(i);
                return std::nullopt;
            }
            flush();
            t.parts.append({true, text.mid(i + 2, j - i - 2), static_cast<int>(i + 2)});
            i = j + 1;
            continue;
        }
        if (literal.isEmpty())
            literalStart = static_cast<int>(i);
        literal += text[i];
        ++i;
    }
    flush();
    return t;
}

} // namespace hil
