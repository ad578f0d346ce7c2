#pragma once

#include "core/config/scenario.h"
#include "core/expr/expressionengine.h"
#include "core/expr/varscope.h"
#include "core/run/captures.h"
#include "core/run/results.h"

#include <QHash>
#include <QRegularExpression>
#include <QRegularExpressionMatch>
#include <optional>

namespace hil {

// The run's side of the scenario language: the variables the run learns as it goes (captures of answers,
// measurements, operators' answers) and the evaluation of the step fields that wait for them
// (Step::templates). Values known before the run were put in by the loader; what is left here reads only
// runtime names. Lives on the runner's thread.
class StepResolver {
public:
    VarScope &variables() { return m_vars; }
    const VarScope &variables() const { return m_vars; }

    // Whether the step's `if:` conditions (its own and its blocks') all hold; nullopt and *error when one
    // cannot be evaluated or is not true/false.
    std::optional<bool> conditionsHold(const Step &step, QString *error);
    // Fills the step's templated fields from the variables: false and *error (naming the field) when one
    // cannot be computed or gives a value the field cannot take.
    bool resolve(Step &step, QString *error);
    // After a matched answer: its named captures and decoded fields become variables (numbers for those
    // the step measures, text otherwise).
    void learn(const Step &step, const Captures &captures, const QList<MeasurementResult> &measurements);
    // The step's `until:` after its answer; nullopt and *error when it cannot be evaluated.
    std::optional<bool> untilHolds(const Step &step, QString *error);

private:
    std::optional<QVariant> evaluateTemplate(const QString &source, QString *error,
                                             bool regexLiteral = false);
    std::optional<bool> evaluateCondition(const QString &source, QString *error);

    ExpressionEngine m_engine;
    VarScope m_vars;
    QHash<QString, Template> m_templates;          // parsed once per source
    QHash<QString, QRegularExpression> m_patterns; // compiled once per resolved pattern (bounded)
};

} // namespace hil
