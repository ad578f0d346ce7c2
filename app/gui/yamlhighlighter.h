#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace hil::gui {

// YAML as fixtures and scenarios use it: comments, keys (the scenario's own keywords in bold), quoted
// strings (regular expressions in single quotes stand out), numbers and durations, booleans and null,
// list dashes and flow brackets, and the `${...}` expressions of the scenario language in a colour of their
// own. Line by line; YAML's block scalars are rare here and shown as text.
class YamlHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
public:
    enum class Token { Comment, Key, Keyword, String, Pattern, Number, Constant, Punctuation, Expression };

    explicit YamlHighlighter(QTextDocument *document);

    QTextCharFormat format(Token t) const;

protected:
    void highlightBlock(const QString &text) override;

private:
    struct Rule {
        QRegularExpression pattern;
        Token token;
        int group = 0;
    };
    void apply(const QString &text, const Rule &rule);

    QList<Rule> m_rules;
    QTextCharFormat m_formats[9];
};

} // namespace hil::gui
