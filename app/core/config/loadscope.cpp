#include "core/config/loadscope.h"

#include "core/expr/expression.h"
#include "core/expr/template.h"

#include <algorithm>

namespace hil {

namespace {

VarScope scopeOf(const QHash<QString, QVariant> &values) {
    VarScope scope;
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        scope.set(it.key(), it.value());
    return scope;
}

} // namespace

LoadScope::LoadScope(YamlReader &reader)
    : r(reader) {
    m_frames.append(QHash<QString, QVariant>());
}

void LoadScope::setStatic(const QString &name, const QVariant &value) {
    m_frames.front().insert(name, value);
}

std::optional<QVariant> LoadScope::staticValue(const QString &name) const {
    for (auto it = m_frames.crbegin(); it != m_frames.crend(); ++it) {
        if (const auto v = it->constFind(name); v != it->cend())
            return *v;
    }
    return std::nullopt;
}

void LoadScope::declareRuntime(const QString &name) {
    if (m_runtime.contains(name))
        return;
    m_runtime.insert(name);
    m_runtimeOrder.append(name);
}

QStringList LoadScope::runtimeNames() const {
    return m_runtimeOrder;
}

void LoadScope::push(const QHash<QString, QVariant> &values) {
    m_frames.append(values);
}

void LoadScope::pop() {
    if (m_frames.size() > 1)
        m_frames.removeLast();
}

QHash<QString, QVariant> LoadScope::staticValues() const {
    QHash<QString, QVariant> all;
    for (const auto &frame : m_frames) {
        for (auto it = frame.cbegin(); it != frame.cend(); ++it)
            all.insert(it.key(), it.value());
    }
    // A name an earlier step captures is the capture from there on: its value comes from the run.
    for (const QString &name : m_runtime)
        all.remove(name);
    return all;
}

QString LoadScope::knownList() const {
    QStringList names = staticValues().keys();
    names.append(m_runtimeOrder);
    std::sort(names.begin(), names.end());
    names.removeDuplicates();
    return names.isEmpty() ? QStringLiteral("none: declare it in vars:") : names.join(u", ");
}

int LoadScope::columnOf(const YAML::Node &node, int offset) const {
    // A quoted scalar's mark is its opening quote.
    const int quote = node.Tag() == "!" ? 1 : 0;
    return YamlReader::column(node) + quote + offset;
}

std::optional<bool> LoadScope::checkNames(const YAML::Node &node, const QString &source, int offset) {
    QString why;
    int at = 0;
    const auto uses = expressionNames(source, &why, &at);
    if (!uses) {
        r.errorAt(YamlReader::line(node), columnOf(node, offset + at), why);
        return std::nullopt;
    }
    const QHash<QString, QVariant> known = staticValues();
    bool runtime = false;
    bool ok = true;
    for (const NameUse &u : *uses) {
        if (m_runtime.contains(u.name)) {
            runtime = true;
        } else if (!known.contains(u.name)) {
            r.errorAt(YamlReader::line(node), columnOf(node, offset + u.offset),
                      QStringLiteral("unknown variable '%1' (known here: %2)").arg(u.name, knownList()));
            ok = false;
        }
    }
    if (!ok)
        return std::nullopt;
    return runtime;
}

std::optional<QString> LoadScope::substituteStatic(const QString &source) {
    return substituteNames(source, staticValues());
}

std::optional<LoadScope::Expanded> LoadScope::expand(const YAML::Node &node, const QString &what,
                                                     bool allowRuntime) {
    if (!node.IsScalar()) {
        r.error(node, QStringLiteral("%1 must be a text value").arg(what));
        return std::nullopt;
    }
    const QString text = toQString(node.Scalar());
    if (!hasTemplate(text))
        return Expanded{text, false};
    QString why;
    int at = 0;
    const auto t = parseTemplate(text, &why, &at);
    if (!t) {
        r.errorAt(YamlReader::line(node), columnOf(node, at), why);
        return std::nullopt;
    }
    bool runtime = false;
    for (const TemplatePart &p : t->parts) {
        if (!p.isExpression)
            continue;
        const auto usesRuntime = checkNames(node, p.text, p.offset);
        if (!usesRuntime)
            return std::nullopt;
        runtime = runtime || *usesRuntime;
    }
    if (runtime && !allowRuntime) {
        r.error(node, QStringLiteral("%1 is fixed before the run starts: it can use vars and sweep values, "
                                     "not values the run learns as it goes (%2)")
                          .arg(what, m_runtimeOrder.join(u", ")));
        return std::nullopt;
    }
    const QHash<QString, QVariant> known = staticValues();
    const VarScope scope = scopeOf(known);
    if (!runtime) {
        QString error;
        const auto v = m_engine.evaluate(*t, scope, &error);
        if (!v) {
            r.error(node, QStringLiteral("%1: %2").arg(what, error));
            return std::nullopt;
        }
        return Expanded{valueText(*v), false};
    }
    // Runtime names stay; the static ones become literals, and the expression must at least compile.
    QString out;
    for (const TemplatePart &p : t->parts) {
        if (!p.isExpression) {
            QString literal = p.text;
            out += literal.replace(QStringLiteral("${"), QStringLiteral("$${"));
            continue;
        }
        const QString source = substituteNames(p.text, known);
        QString error;
        if (m_engine.compile(source, &error) < 0) {
            r.errorAt(YamlReader::line(node), columnOf(node, p.offset), error);
            return std::nullopt;
        }
        out += QStringLiteral("${") + source + u'}';
    }
    return Expanded{out, true};
}

std::optional<LoadScope::Condition> LoadScope::condition(const YAML::Node &node, const QString &what) {
    if (!node.IsScalar()) {
        r.error(node, QStringLiteral("%1 must be an expression such as \"${mode == 'fast'}\"").arg(what));
        return std::nullopt;
    }
    QString text = toQString(node.Scalar()).trimmed();
    int offset = 0;
    if (text.startsWith(QStringLiteral("${")) && text.endsWith(u'}')) {
        QString why;
        int at = 0;
        const auto t = parseTemplate(text, &why, &at);
        if (t && t->isWholeExpression()) {
            offset = t->parts.front().offset;
            text = t->parts.front().text;
        }
    }
    const auto usesRuntime = checkNames(node, text, offset);
    if (!usesRuntime)
        return std::nullopt;
    const QString source = substituteNames(text, staticValues());
    QString error;
    if (m_engine.compile(source, &error) < 0) {
        r.errorAt(YamlReader::line(node), columnOf(node, offset), QStringLiteral("%1: %2").arg(what, error));
        return std::nullopt;
    }
    if (*usesRuntime)
        return Condition{std::nullopt, source};
    const auto v = m_engine.evaluate(source, VarScope(), &error);
    if (!v) {
        r.error(node, QStringLiteral("%1: %2").arg(what, error));
        return std::nullopt;
    }
    if (v->typeId() != QMetaType::Bool) {
        r.error(node, QStringLiteral("%1 must be true or false; it gives %2").arg(what, valueText(*v)));
        return std::nullopt;
    }
    return Condition{v->toBool(), source};
}

QString LoadScope::expandText(const QString &text) {
    if (!hasTemplate(text))
        return text;
    QString why;
    int at = 0;
    const auto t = parseTemplate(text, &why, &at);
    if (!t)
        return text;
    const QHash<QString, QVariant> known = staticValues();
    const VarScope scope = scopeOf(known);
    QString out;
    for (const TemplatePart &p : t->parts) {
        if (!p.isExpression) {
            out += p.text;
            continue;
        }
        const auto v = m_engine.evaluate(p.text, scope, &why);
        out += v ? valueText(*v) : QStringLiteral("${") + p.text + u'}';
    }
    return out;
}

std::optional<QVariant> LoadScope::value(const YAML::Node &node, const QString &what) {
    if (!node.IsScalar()) {
        r.error(node, QStringLiteral("%1 must be a single value (a number, true/false or a text)").arg(what));
        return std::nullopt;
    }
    const QString raw = toQString(node.Scalar());
    if (hasTemplate(raw)) {
        // A whole ${...} keeps its type.
        QString why;
        int at = 0;
        const auto t = parseTemplate(raw, &why, &at);
        if (t && t->isWholeExpression()) {
            const auto usesRuntime = checkNames(node, t->parts.front().text, t->parts.front().offset);
            if (!usesRuntime)
                return std::nullopt;
            if (*usesRuntime) {
                r.error(node, QStringLiteral("%1 is fixed before the run starts: it cannot use values the "
                                             "run learns as it goes")
                                  .arg(what));
                return std::nullopt;
            }
            const VarScope scope = scopeOf(staticValues());
            QString error;
            const auto v = m_engine.evaluate(*t, scope, &error);
            if (!v)
                r.error(node, QStringLiteral("%1: %2").arg(what, error));
            return v;
        }
        const auto e = expand(node, what, false);
        if (!e)
            return std::nullopt;
        return QVariant(e->text);
    }
    // Quoted scalars are text as written ('007' stays a text); plain ones are typed.
    if (node.Tag() == "!")
        return QVariant(raw);
    return scalarValue(raw);
}

} // namespace hil
