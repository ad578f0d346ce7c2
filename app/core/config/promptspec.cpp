#include "core/config/promptspec.h"

#include "core/base/reportformat.h"
#include "core/config/yamlreader.h"

#include <QRegularExpression>
#include <QSet>
#include <cmath>
#include <yaml-cpp/yaml.h>

namespace hil {

namespace {

struct KindName {
    PromptKind kind;
    const char *name;
};
constexpr KindName kKinds[] = {{PromptKind::Confirm, "confirm"},
                               {PromptKind::Choice, "choice"},
                               {PromptKind::Text, "text"},
                               {PromptKind::Number, "number"}};

// The keys a prompt step may have beside `prompt`: anything else would make it an exchange or a wait.
const QStringList kStepKeys = {QStringLiteral("prompt"), QStringLiteral("name"), QStringLiteral("if"),
                               QStringLiteral("for_each")};

QStringList kindNames() {
    QStringList names;
    for (const KindName &k : kKinds)
        names.append(QString::fromLatin1(k.name));
    return names;
}

// One bound of `limits: [low, high]`: a finite number, or ~ for none.
std::optional<double> readBound(YamlReader &r, const YAML::Node &b, const QString &side, bool *ok) {
    if (!b || b.IsNull())
        return std::nullopt;
    const auto v = r.number(b, QStringLiteral("limits %1").arg(side));
    if (!v) {
        *ok = false;
        return std::nullopt;
    }
    if (!std::isfinite(*v)) {
        r.error(b, QStringLiteral("limits %1 must be a finite number (use ~ for no bound)").arg(side));
        *ok = false;
        return std::nullopt;
    }
    return v;
}

std::optional<Range> readLimits(YamlReader &r, const YAML::Node &n) {
    if (!n.IsSequence() || n.size() != 2) {
        r.error(n, QStringLiteral("limits must be [low, high] (use ~ for no bound on one side)"));
        return std::nullopt;
    }
    bool ok = true;
    Range range;
    range.low = readBound(r, n[0], QStringLiteral("low"), &ok);
    range.high = readBound(r, n[1], QStringLiteral("high"), &ok);
    if (!ok)
        return std::nullopt;
    if (!range.isSet()) {
        r.error(n, QStringLiteral(
                       "limits [~, ~] limit nothing: give a low or a high bound, or leave limits out"));
        return std::nullopt;
    }
    if (range.low && range.high && *range.low > *range.high) {
        r.error(n, QStringLiteral("limits: low (%1) is greater than high (%2)")
                       .arg(formatValue(*range.low), formatValue(*range.high)));
        return std::nullopt;
    }
    return range;
}

QStringList readChoices(YamlReader &r, const YAML::Node &n) {
    QStringList choices;
    if (!r.requireSequence(n, QStringLiteral("choices")))
        return choices;
    if (n.size() == 0) {
        r.error(n, QStringLiteral("choices is empty: a choice needs at least one answer to choose"));
        return choices;
    }
    for (const YAML::Node &c : n) {
        const auto text = r.string(c, QStringLiteral("a choice"));
        if (!text)
            continue;
        if (text->trimmed().isEmpty())
            r.error(c, QStringLiteral("a choice must not be empty"));
        else if (choices.contains(*text))
            r.error(c, QStringLiteral("choice '%1' is listed twice").arg(*text));
        else
            choices.append(*text);
    }
    return choices;
}

std::optional<PromptKind> readKind(YamlReader &r, const YAML::Node &n) {
    const auto text = r.string(n, QStringLiteral("kind"));
    if (!text)
        return std::nullopt;
    for (const KindName &k : kKinds) {
        if (*text == QLatin1StringView(k.name))
            return k.kind;
    }
    r.error(
        n,
        QStringLiteral("unknown prompt kind '%1' (expected one of: %2)").arg(*text, kindNames().join(u", ")));
    return std::nullopt;
}

std::optional<QString> readName(YamlReader &r, const YAML::Node &n, const QString &what) {
    const auto name = r.string(n, what);
    if (!name)
        return std::nullopt;
    if (!isPromptName(*name)) {
        r.error(n,
                QStringLiteral("prompt name '%1' is not a name: it is what --answer %1=VALUE and ${...} call "
                               "the answer, so letters, digits and _ only, not starting with a digit")
                    .arg(*name));
        return std::nullopt;
    }
    return name;
}

} // namespace

QString promptKindName(PromptKind kind) {
    for (const KindName &k : kKinds) {
        if (k.kind == kind)
            return QString::fromLatin1(k.name);
    }
    return QString();
}

bool isPromptName(const QString &name) {
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return re.match(name).hasMatch();
}

std::optional<PromptSpec>
readPromptSpec(YamlReader &r, const YAML::Node &step,
               const std::function<std::optional<QString>(const YAML::Node &)> &readText) {
    const YAML::Node n = step["prompt"];
    PromptSpec spec;
    spec.line = YamlReader::line(n);
    spec.column = YamlReader::column(n);
    bool ok = true;
    for (auto it = step.begin(); it != step.end(); ++it) {
        const QString key = it->first.IsScalar() ? toQString(it->first.Scalar()) : QString();
        if (!key.isEmpty() && !kStepKeys.contains(key)) {
            r.error(it->first, QStringLiteral("a prompt is a step of its own: it takes name, if and for_each "
                                              "beside prompt, not '%1'")
                                   .arg(key));
            ok = false;
        }
    }
    if (n.IsScalar()) {
        // `prompt: "Connect the DUT"`: a confirm, answered under the step's name.
        spec.text = (readText ? readText(n) : r.string(n, QStringLiteral("prompt"))).value_or(QString());
        if (spec.text.trimmed().isEmpty())
            r.error(n, QStringLiteral("prompt text is empty: say what the operator is asked"));
        if (!step["name"]) {
            r.error(n,
                    QStringLiteral("a prompt needs a name to be answered by (--answer NAME=VALUE): give the "
                                   "step a name: or write prompt: {text: ..., name: NAME}"));
            return std::nullopt;
        }
        const auto name = readName(r, step["name"], QStringLiteral("name"));
        if (!name)
            return std::nullopt;
        spec.name = *name;
    } else {
        if (!r.requireMap(n, QStringLiteral("prompt (a text, or {text:, kind:, name:, ...})")))
            return std::nullopt;
        r.checkKeys(n, {"text", "kind", "choices", "limits", "timeout", "name"});
        if (n["text"])
            spec.text = (readText ? readText(n["text"]) : r.string(n["text"], QStringLiteral("text")))
                            .value_or(QString());
        else
            r.error(n, QStringLiteral("prompt needs text: (what the operator is asked)"));
        if (n["name"]) {
            const auto name = readName(r, n["name"], QStringLiteral("prompt name"));
            ok = ok && name.has_value();
            spec.name = name.value_or(QString());
        } else {
            r.error(n, QStringLiteral("prompt needs name: (an identifier: the answer is kept under it, and "
                                      "--answer NAME=VALUE answers it without a person)"));
            ok = false;
        }
        if (n["kind"]) {
            const auto kind = readKind(r, n["kind"]);
            ok = ok && kind.has_value();
            spec.kind = kind.value_or(PromptKind::Confirm);
        }
        if (const YAML::Node c = n["choices"]) {
            if (spec.kind != PromptKind::Choice)
                r.error(
                    c, QStringLiteral("choices go with kind: choice, not %1").arg(promptKindName(spec.kind)));
            spec.choices = readChoices(r, c);
        } else if (spec.kind == PromptKind::Choice) {
            r.error(n, QStringLiteral("kind: choice needs choices: [..] (the answers to choose from)"));
        }
        if (const YAML::Node l = n["limits"]) {
            if (spec.kind != PromptKind::Number)
                r.error(l,
                        QStringLiteral("limits go with kind: number, not %1").arg(promptKindName(spec.kind)));
            if (const auto range = readLimits(r, l))
                spec.limits = *range;
        }
        if (const YAML::Node t = n["timeout"]) {
            spec.timeout = r.duration(t, QStringLiteral("timeout"));
            if (spec.timeout && spec.timeout->count() <= 0)
                r.error(t, QStringLiteral("timeout must be longer than zero (leave it out to wait for the "
                                          "operator as long as it takes)"));
        }
        if (spec.text.trimmed().isEmpty() && n["text"])
            r.error(n["text"], QStringLiteral("prompt text is empty: say what the operator is asked"));
    }
    if (!ok)
        return std::nullopt;
    return spec;
}

QString promptAnswerHint(const PromptSpec &spec) {
    switch (spec.kind) {
    case PromptKind::Confirm:
        return QStringLiteral("yes or no");
    case PromptKind::Choice:
        return QStringLiteral("one of: %1").arg(spec.choices.join(u", "));
    case PromptKind::Text:
        return QStringLiteral("a text");
    case PromptKind::Number:
        return spec.limits.isSet()
                   ? QStringLiteral("a number in %1").arg(formatRange(spec.limits.low, spec.limits.high))
                   : QStringLiteral("a number");
    }
    return QString();
}

PromptAnswer checkPromptAnswer(const PromptSpec &spec, const QString &text) {
    PromptAnswer a;
    const QString t = text.trimmed();
    switch (spec.kind) {
    case PromptKind::Confirm: {
        const QString l = t.toLower();
        if (l == u"yes" || l == u"y" || l == u"true")
            a.value = true;
        else if (l == u"no" || l == u"n" || l == u"false")
            a.value = false;
        break;
    }
    case PromptKind::Choice:
        if (spec.choices.contains(t))
            a.value = t;
        break;
    case PromptKind::Text:
        if (!t.isEmpty())
            a.value = t;
        break;
    case PromptKind::Number: {
        bool ok = false;
        const double v = t.toDouble(&ok);
        if (ok && std::isfinite(v)) {
            a.value = v;
            if (!spec.limits.contains(v)) {
                a.outOfLimits = true;
                a.error = QStringLiteral("%1 is outside the limits %2")
                              .arg(t, formatRange(spec.limits.low, spec.limits.high));
            }
        }
        break;
    }
    }
    if (!a.value)
        a.error = t.isEmpty() ? QStringLiteral("the answer is empty: expected %1").arg(promptAnswerHint(spec))
                              : QStringLiteral("'%1' is not %2").arg(t, promptAnswerHint(spec));
    return a;
}

} // namespace hil
