#include "core/run/stepresolver.h"

#include "core/base/duration.h"
#include "core/expr/expression.h"

#include <cmath>

namespace hil {

namespace {

constexpr qsizetype kMaxCachedPatterns = 256;

QString boundName(BoundTemplate::Which which) {
    switch (which) {
    case BoundTemplate::Which::LimitLow:
        return QStringLiteral("limits low");
    case BoundTemplate::Which::LimitHigh:
        return QStringLiteral("limits high");
    case BoundTemplate::Which::MarginalLow:
        return QStringLiteral("marginal low");
    case BoundTemplate::Which::MarginalHigh:
        return QStringLiteral("marginal high");
    }
    return {};
}

} // namespace

std::optional<QVariant> StepResolver::evaluateTemplate(const QString &source, QString *error,
                                                       bool regexLiteral) {
    auto it = m_templates.find(source);
    if (it == m_templates.end()) {
        QString why;
        int at = 0;
        const auto t = parseTemplate(source, &why, &at);
        if (!t) {
            *error = why;
            return std::nullopt;
        }
        it = m_templates.insert(source, *t);
    }
    return m_engine.evaluate(*it, m_vars, error, regexLiteral);
}

std::optional<bool> StepResolver::evaluateCondition(const QString &source, QString *error) {
    const auto v = m_engine.evaluate(source, m_vars, error);
    if (!v)
        return std::nullopt;
    if (v->typeId() != QMetaType::Bool) {
        *error = QStringLiteral("gives %1, not true or false").arg(valueText(*v));
        return std::nullopt;
    }
    return v->toBool();
}

std::optional<bool> StepResolver::conditionsHold(const Step &step, QString *error) {
    for (const QString &c : step.templates.conditions) {
        QString why;
        const auto v = evaluateCondition(c, &why);
        if (!v) {
            *error = QStringLiteral("if %1: %2").arg(c, why);
            return std::nullopt;
        }
        if (!*v)
            return false;
    }
    return true;
}

bool StepResolver::resolve(Step &step, QString *error) {
    const StepTemplates &t = step.templates;
    QString why;
    const auto fail = [&](const QString &field, const QString &source) {
        *error = QStringLiteral("%1 '%2': %3").arg(field, source, why);
        return false;
    };
    if (t.sendLine && step.send) {
        const auto v = evaluateTemplate(*t.sendLine, &why);
        if (!v)
            return fail(QStringLiteral("send"), *t.sendLine);
        step.send->line = valueText(*v).toUtf8();
    }
    if (t.promptText && step.prompt) {
        const auto v = evaluateTemplate(*t.promptText, &why);
        if (!v)
            return fail(QStringLiteral("prompt text"), *t.promptText);
        step.prompt->text = valueText(*v);
    }
    if (t.match && step.expect) {
        const auto v = evaluateTemplate(*t.match, &why, true);
        if (!v)
            return fail(QStringLiteral("match"), *t.match);
        const QString pattern = v->toString();
        auto it = m_patterns.find(pattern);
        if (it == m_patterns.end()) {
            QRegularExpression re(pattern);
            if (!re.isValid()) {
                why =
                    QStringLiteral("gives /%1/, not a regular expression: %2").arg(pattern, re.errorString());
                return fail(QStringLiteral("match"), *t.match);
            }
            re.optimize();
            if (m_patterns.size() >= kMaxCachedPatterns)
                m_patterns.clear();
            it = m_patterns.insert(pattern, re);
        }
        step.expect->match = *it;
    }
    const auto duration = [&](const QString &field, const QString &source,
                              bool positive) -> std::optional<Nanoseconds> {
        const auto v = evaluateTemplate(source, &why);
        if (!v) {
            fail(field, source);
            return std::nullopt;
        }
        const auto d = parseDuration(valueText(*v), &why);
        if (!d || (positive ? d->count() <= 0 : d->count() < 0)) {
            if (d)
                why = QStringLiteral("gives %1; it must be %2")
                          .arg(valueText(*v), positive ? QStringLiteral("longer than zero")
                                                       : QStringLiteral("zero or more"));
            fail(field, source);
            return std::nullopt;
        }
        return d;
    };
    if (t.within && step.expect) {
        const auto d = duration(QStringLiteral("within"), *t.within, true);
        if (!d)
            return false;
        step.expect->within = *d;
    }
    if (t.wait) {
        const auto d = duration(QStringLiteral("wait"), *t.wait, false);
        if (!d)
            return false;
        step.wait = *d;
    }
    for (const BoundTemplate &b : t.bounds) {
        const auto v = evaluateTemplate(b.source, &why);
        if (!v)
            return fail(boundName(b.which), b.source);
        if (v->typeId() != QMetaType::Double || !std::isfinite(v->toDouble())) {
            why = QStringLiteral("gives %1, not a finite number").arg(valueText(*v));
            return fail(boundName(b.which), b.source);
        }
        MeasurementSpec &m = step.measure[b.measure];
        const double x = v->toDouble();
        switch (b.which) {
        case BoundTemplate::Which::LimitLow:
            m.limits.low = x;
            break;
        case BoundTemplate::Which::LimitHigh:
            m.limits.high = x;
            break;
        case BoundTemplate::Which::MarginalLow:
            m.marginal.low = x;
            break;
        case BoundTemplate::Which::MarginalHigh:
            m.marginal.high = x;
            break;
        }
    }
    for (const MeasurementSpec &m : std::as_const(step.measure)) {
        if (t.bounds.isEmpty())
            break;
        if ((m.limits.low && m.limits.high && *m.limits.low > *m.limits.high)
            || (m.marginal.low && m.marginal.high && *m.marginal.low > *m.marginal.high)) {
            *error =
                QStringLiteral("measurement '%1': the computed low bound is above the high one").arg(m.name);
            return false;
        }
    }
    return true;
}

void StepResolver::learn(const Step &step, const Captures &captures,
                         const QList<MeasurementResult> &measurements) {
    if (!step.expect)
        return;
    for (const QString &name : captures.names()) {
        const auto measured = std::find_if(measurements.cbegin(), measurements.cend(),
                                           [&](const MeasurementResult &m) { return m.name == name; });
        if (measured != measurements.cend())
            m_vars.set(name, QVariant(measured->value));
        else
            m_vars.set(name, QVariant(captures.value(name)));
    }
}

std::optional<bool> StepResolver::untilHolds(const Step &step, QString *error) {
    if (!step.retry || !step.retry->until)
        return true;
    return evaluateCondition(*step.retry->until, error);
}

} // namespace hil
