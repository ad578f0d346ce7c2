#include "core/expr/expression.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>
#include <cmath>

namespace hil {

namespace {

const QSet<QString> &reservedWords() {
    static const QSet<QString> words = {
        QStringLiteral("true"),      QStringLiteral("false"),      QStringLiteral("null"),
        QStringLiteral("undefined"), QStringLiteral("NaN"),        QStringLiteral("Infinity"),
        QStringLiteral("and"),       QStringLiteral("or"),         QStringLiteral("not"),
        QStringLiteral("typeof"),    QStringLiteral("instanceof"), QStringLiteral("in"),
        QStringLiteral("new"),       QStringLiteral("this"),       QStringLiteral("void"),
        QStringLiteral("delete"),    QStringLiteral("function"),   QStringLiteral("return"),
        QStringLiteral("var"),       QStringLiteral("let"),        QStringLiteral("const"),
        QStringLiteral("if"),        QStringLiteral("else"),       QStringLiteral("for"),
        QStringLiteral("while"),     QStringLiteral("do"),         QStringLiteral("class"),
        QStringLiteral("Math"),      QStringLiteral("String"),     QStringLiteral("Number")};
    return words;
}

bool identStart(QChar c) {
    return c.isLetter() || c == u'_' || c == u'$';
}
bool identPart(QChar c) {
    return c.isLetterOrNumber() || c == u'_' || c == u'$';
}

// One pass over the expression's tokens: strings and numbers skipped, each identifier handed to `onIdent`
// with its offset and whether it is a property (after a dot). Returns false with the error at an
// unterminated string.
template<typename OnIdent>
bool scan(const QString &s, OnIdent onIdent, QString *error, int *errorOffset) {
    qsizetype i = 0;
    QChar last; // the last significant character before the current token
    while (i < s.size()) {
        const QChar c = s[i];
        if (c == u'\'' || c == u'"' || c == u'`') {
            const qsizetype start = i++;
            while (i < s.size() && s[i] != c) {
                if (s[i] == u'\\')
                    ++i;
                ++i;
            }
            if (i >= s.size()) {
                if (error)
                    *error = QStringLiteral("a string is not closed (missing %1)").arg(c);
                if (errorOffset)
                    *errorOffset = static_cast<int>(start);
                return false;
            }
            ++i;
            last = c;
            continue;
        }
        if (c.isDigit() || (c == u'.' && i + 1 < s.size() && s[i + 1].isDigit())) {
            while (i < s.size()
                   && (identPart(s[i]) || s[i] == u'.'
                       || ((s[i] == u'+' || s[i] == u'-') && (s[i - 1] == u'e' || s[i - 1] == u'E'))))
                ++i;
            last = u'0';
            continue;
        }
        if (identStart(c)) {
            const qsizetype start = i;
            while (i < s.size() && identPart(s[i]))
                ++i;
            if (!onIdent(s.mid(start, i - start), static_cast<int>(start), last == u'.'))
                return false;
            last = u'a';
            continue;
        }
        if (!c.isSpace())
            last = c;
        ++i;
    }
    return true;
}

} // namespace

const QStringList &expressionFunctions() {
    static const QStringList names = {
        QStringLiteral("abs"),   QStringLiteral("min"),  QStringLiteral("max"),   QStringLiteral("round"),
        QStringLiteral("floor"), QStringLiteral("ceil"), QStringLiteral("sqrt"),  QStringLiteral("pow"),
        QStringLiteral("num"),   QStringLiteral("int"),  QStringLiteral("str"),   QStringLiteral("fmt"),
        QStringLiteral("hex"),   QStringLiteral("len"),  QStringLiteral("upper"), QStringLiteral("lower"),
        QStringLiteral("trim")};
    return names;
}

std::optional<QList<NameUse>> expressionNames(const QString &source, QString *error, int *errorOffset) {
    // What an expression may not hold: statements and assignments.
    QString text = source;
    QList<NameUse> names;
    QSet<QString> seen;
    QString scanError;
    int scanOffset = 0;
    const bool ok = scan(
        text,
        [&](const QString &ident, int offset, bool property) {
            if (property || reservedWords().contains(ident) || expressionFunctions().contains(ident))
                return true;
            if (!seen.contains(ident)) {
                seen.insert(ident);
                names.append({ident, offset});
            }
            return true;
        },
        &scanError, &scanOffset);
    if (!ok) {
        if (error)
            *error = scanError;
        if (errorOffset)
            *errorOffset = scanOffset;
        return std::nullopt;
    }
    if (source.trimmed().isEmpty()) {
        if (error)
            *error = QStringLiteral("${} holds no expression");
        if (errorOffset)
            *errorOffset = 0;
        return std::nullopt;
    }
    // Outside strings: no statement separators, no assignments (=, +=, ++ and the like).
    bool inString = false;
    QChar quote;
    for (qsizetype i = 0; i < source.size(); ++i) {
        const QChar c = source[i];
        if (inString) {
            if (c == u'\\')
                ++i;
            else if (c == quote)
                inString = false;
            continue;
        }
        if (c == u'\'' || c == u'"' || c == u'`') {
            inString = true;
            quote = c;
            continue;
        }
        const QChar prev = i > 0 ? source[i - 1] : QChar();
        const QChar next = i + 1 < source.size() ? source[i + 1] : QChar();
        const bool assignment = c == u'=' && next != u'=' && prev != u'=' && prev != u'!' && prev != u'<'
                                && prev != u'>' && next != u'>';
        const bool compound = c == u'=' && QStringLiteral("+-*/%&|^").contains(prev);
        const bool step = (c == u'+' && next == u'+') || (c == u'-' && next == u'-');
        if (c == u';' || c == u'{' || assignment || compound || step) {
            if (error)
                *error = c == u';' || c == u'{'
                             ? QStringLiteral("'%1' does not belong in an expression: it computes one value")
                                   .arg(c)
                             : QStringLiteral("an expression cannot assign (write == to compare)");
            if (errorOffset)
                *errorOffset = static_cast<int>(i);
            return std::nullopt;
        }
    }
    return names;
}

QString expressionToJavaScript(const QString &source) {
    QString out;
    qsizetype copied = 0;
    scan(
        source,
        [&](const QString &ident, int offset, bool property) {
            if (property)
                return true;
            const QString op = ident == u"and"   ? QStringLiteral("&&")
                               : ident == u"or"  ? QStringLiteral("||")
                               : ident == u"not" ? QStringLiteral("!")
                                                 : QString();
            if (op.isEmpty())
                return true;
            out += source.mid(copied, offset - copied);
            out += u' ' + op + u' ';
            copied = offset + ident.size();
            return true;
        },
        nullptr, nullptr);
    out += source.mid(copied);
    return out;
}

QString substituteNames(const QString &source, const QHash<QString, QVariant> &values) {
    QString out;
    qsizetype copied = 0;
    scan(
        source,
        [&](const QString &ident, int offset, bool property) {
            if (property || !values.contains(ident))
                return true;
            out += source.mid(copied, offset - copied);
            out += u'(' + javaScriptLiteral(values.value(ident)) + u')';
            copied = offset + ident.size();
            return true;
        },
        nullptr, nullptr);
    out += source.mid(copied);
    return out;
}

QString javaScriptLiteral(const QVariant &value) {
    switch (value.typeId()) {
    case QMetaType::Bool:
    case QMetaType::Double:
    case QMetaType::Int:
    case QMetaType::LongLong: {
        const double v = value.toDouble();
        if (value.typeId() != QMetaType::Bool && !std::isfinite(v))
            return std::isnan(v) ? QStringLiteral("NaN")
                   : v > 0       ? QStringLiteral("Infinity")
                                 : QStringLiteral("-Infinity");
        return valueText(value);
    }
    default:
        return QString::fromUtf8(QJsonDocument(QJsonArray{value.toString()}).toJson(QJsonDocument::Compact))
            .mid(1)
            .chopped(1);
    }
}

QString valueText(const QVariant &value) {
    switch (value.typeId()) {
    case QMetaType::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QMetaType::Double:
    case QMetaType::Int:
    case QMetaType::LongLong: {
        const double v = value.toDouble();
        if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e15)
            return QString::number(static_cast<qint64>(v));
        return QString::number(v, 'g', QLocale::FloatingPointShortest);
    }
    default:
        return value.toString();
    }
}

QVariant scalarValue(const QString &text) {
    if (text == u"true" || text == u"false")
        return QVariant(text == u"true");
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    // Leading zeros are kept as text: 007 is a serial, not the number 7.
    const QString t = text.trimmed();
    const bool leadingZero = t.size() > 1 && t.startsWith(u'0') && t[1].isDigit();
    if (ok && std::isfinite(v) && !leadingZero && t == text)
        return QVariant(v);
    return QVariant(text);
}

bool isVariableName(const QString &name, QString *why) {
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    if (!re.match(name).hasMatch()) {
        if (why)
            *why = QStringLiteral(
                       "'%1' is not a variable name (letters, digits and _, not starting with a digit)")
                       .arg(name);
        return false;
    }
    if (reservedWords().contains(name) || expressionFunctions().contains(name)) {
        if (why)
            *why = QStringLiteral("'%1' is a word of the expression language, not a variable name").arg(name);
        return false;
    }
    return true;
}

} // namespace hil
