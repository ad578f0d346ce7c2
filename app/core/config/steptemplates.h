#pragma once

#include "core/base/duration.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace hil {

// The fields of a step that hold `${...}` of values only known while the run goes (a capture of an earlier
// answer, a measurement, an operator's answer). Each is the field's text with the values known before the
// run (vars, --var, sweep values, block parameters) already in place; the runner evaluates the rest just
// before the step runs (run/stepresolver.h) and the step's plain fields are placeholders until then.
struct BoundTemplate {
    enum class Which { LimitLow, LimitHigh, MarginalLow, MarginalHigh };
    int measure = 0; // index into Step::measure
    Which which = Which::LimitLow;
    QString source;
};

struct StepTemplates {
    std::optional<QString> sendLine;
    std::optional<QString> match; // the values are inserted as literal text (escaped)
    std::optional<QString> within;
    std::optional<QString> wait;
    std::optional<QString> promptText;
    QList<BoundTemplate> bounds;
    // `if:` expressions of the step and of the blocks it is in: the step runs only when all are true.
    QStringList conditions;

    bool hasFields() const { return sendLine || match || within || wait || promptText || !bounds.isEmpty(); }
};

// `retry:` and `until:`: an exchange tried again, every `every`, until it passes (and its `until` holds),
// at most `times` tries and, with `within`, no new try after that long from the first.
struct RetrySpec {
    std::optional<qint64> times;
    std::optional<Nanoseconds> within;
    Nanoseconds every{0};
    std::optional<QString> until; // an expression (static values in place) that must be true
};

} // namespace hil
