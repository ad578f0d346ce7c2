#include "yamlhighlighter.h"

#include "appstyle.h"

namespace hil::gui {

namespace {

// Keys that structure a fixture or a scenario; the rest (names, parameters) are plain keys.
const char *const kKeywords =
    "name|description|devices|seed|setup|steps|teardown|repeat|faults|send|expect|measure|record|wait|fault|"
    "clear|"
    "to|from|line|match|within|limits|marginal|unit|count|for|every|at|on|link|device|power|sim|serial|tcp|"
    "metadata|proxies|skip_unmatched|recover|count_failures|random|timeout|terminator|"
    // the scenario language: variables, sweeps, blocks, conditions and retries
    "vars|include|blocks|params|use|block|with|for_each|step|if|retry|times|until|fail_fast|"
    // operator prompts and stream checks
    "prompt|text|kind|choices|stream|rate|min|max|max_gap|checksum";

} // namespace

YamlHighlighter::YamlHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document) {
    const auto fmt = [](const QColor &c, bool bold = false, bool italic = false) {
        QTextCharFormat f;
        f.setForeground(c);
        if (bold)
            f.setFontWeight(QFont::DemiBold);
        f.setFontItalic(italic);
        return f;
    };
    m_formats[static_cast<int>(Token::Comment)] = fmt(QColor(0x6e, 0x77, 0x81), false, true);
    m_formats[static_cast<int>(Token::Key)] = fmt(QColor(0x05, 0x50, 0xae));
    m_formats[static_cast<int>(Token::Keyword)] = fmt(QColor(0x82, 0x50, 0xdf), true);
    m_formats[static_cast<int>(Token::String)] = fmt(QColor(0x0a, 0x30, 0x69));
    m_formats[static_cast<int>(Token::Pattern)] = fmt(QColor(0x11, 0x63, 0x29));
    m_formats[static_cast<int>(Token::Number)] = fmt(QColor(0x95, 0x38, 0x00));
    m_formats[static_cast<int>(Token::Constant)] = fmt(QColor(0xcf, 0x22, 0x2e));
    m_formats[static_cast<int>(Token::Punctuation)] = fmt(QColor(0x57, 0x60, 0x6a), true);
    QTextCharFormat expression = fmt(QColor(0xa4, 0x0e, 0x74), true);
    expression.setBackground(QColor(0xfb, 0xee, 0xf7));
    m_formats[static_cast<int>(Token::Expression)] = expression;

    const QString keywords = QString::fromLatin1(kKeywords);
    // Order matters: later rules paint over earlier ones; strings and comments come last.
    m_rules = {
        {QRegularExpression(QStringLiteral(
             "(?:^|[\\s\\[{,:])(-?[0-9][0-9_.]*(?:e[-+]?[0-9]+)?(?:ns|us|ms|s|m|min|h|d)?)(?=$|[\\s,\\]}])")),
         Token::Number, 1},
        {QRegularExpression(QStringLiteral("(?:^|[\\s\\[{,:])(true|false|null|~|yes|no)(?=$|[\\s,\\]}])")),
         Token::Constant, 1},
        {QRegularExpression(QStringLiteral("[\\[\\]{},]|^\\s*-(?=\\s|$)")), Token::Punctuation, 0},
        {QRegularExpression(QStringLiteral("([A-Za-z_][\\w.\\-]*)\\s*:(?=\\s|$)")), Token::Key, 1},
        {QRegularExpression(QStringLiteral("\\b(%1)\\s*:(?=\\s|$)").arg(keywords)), Token::Keyword, 1},
        {QRegularExpression(QStringLiteral("\"(?:[^\"\\\\]|\\\\.)*\"")), Token::String, 0},
        {QRegularExpression(QStringLiteral("'(?:[^']|'')*'")), Token::Pattern, 0},
        // `${...}` inside or outside quotes, up to the first } outside a string (as the loader reads it);
        // `$${` is a literal and stays as the text around it.
        {QRegularExpression(QStringLiteral("(?<!\\$)\\$\\{(?:'[^']*'|\"[^\"]*\"|[^}'\"])*\\}?")),
         Token::Expression, 0},
    };
}

QTextCharFormat YamlHighlighter::format(Token t) const {
    return m_formats[static_cast<int>(t)];
}

void YamlHighlighter::apply(const QString &text, const Rule &rule) {
    QRegularExpressionMatchIterator it = rule.pattern.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        if (m.capturedStart(rule.group) < 0)
            continue;
        setFormat(static_cast<int>(m.capturedStart(rule.group)),
                  static_cast<int>(m.capturedLength(rule.group)), format(rule.token));
    }
}

void YamlHighlighter::highlightBlock(const QString &text) {
    for (const Rule &rule : std::as_const(m_rules))
        apply(text, rule);
    // A comment starts at a '#' at the start of the line or after a space, outside quotes.
    QChar quote;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else if (c == u'\\' && quote == u'"')
                ++i;
        } else if ((c == u'"' || c == u'\'') && (i == 0 || QStringView(u" \t:[{,").contains(text[i - 1]))) {
            quote = c;
        } else if (c == u'#' && (i == 0 || text[i - 1].isSpace())) {
            setFormat(static_cast<int>(i), static_cast<int>(text.size() - i), format(Token::Comment));
            break;
        }
    }
}

} // namespace hil::gui
