#pragma once

#include "core/base/duration.h"
#include "core/config/limits.h"

#include <QString>
#include <QStringList>
#include <QVariant>
#include <functional>
#include <optional>

namespace YAML {
class Node;
}

namespace hil {

class YamlReader;

// What an operator is asked: to confirm (yes/no), to pick one of `choices`, to type a text, or a number
// (within `limits`, if given).
enum class PromptKind { Confirm, Choice, Text, Number };

// The one table of kind names (promptspec.cpp), as written in scenarios.
QString promptKindName(PromptKind kind);

// A `prompt:` step: a question to the person at the bench, answered there (a dialog in hil-bench, the
// terminal of `hil run`) or beforehand with `hil run --answer NAME=VALUE`. The answer is recorded with the
// step and becomes the variable `name` of the steps after it.
struct PromptSpec {
    QString name; // an identifier, unique in the scenario: what --answer and ${...} call it
    QString text;
    PromptKind kind = PromptKind::Confirm;
    QStringList choices;                // Choice only: non-empty, no repeats
    Range limits;                       // Number only: an answer outside FAILs (or is asked again)
    std::optional<Nanoseconds> timeout; // unset: the operator takes as long as needed
    int line = 0;                       // of the prompt in its file, for messages
    int column = 0;
};

// Reads the `prompt:` of the step `step` (a map holding a `prompt` key). The scalar form
// `prompt: "Connect the DUT"` is a confirm whose name is the step's `name:`. A prompt is a step of its own:
// the step may have only name, if and for_each beside it. nullopt after an error (at file:line:col).
// `readText` reads the prompt's text (the loader's: it may keep ${...} of values the run learns); unset:
// the reader's string().
std::optional<PromptSpec>
readPromptSpec(YamlReader &r, const YAML::Node &step,
               const std::function<std::optional<QString>(const YAML::Node &)> &readText = {});

// An answer read against its prompt. `value` is the typed answer (bool for confirm, double for number, the
// text otherwise) when it is one; `error` says why not. A number outside the limits is an answer, with
// `outOfLimits` set and `error` saying so: asked again where a person types it, a FAIL otherwise.
struct PromptAnswer {
    std::optional<QVariant> value;
    bool outOfLimits = false;
    QString error;

    bool valid() const { return value.has_value() && !outOfLimits; }
};
PromptAnswer checkPromptAnswer(const PromptSpec &spec, const QString &text);

// How an answer of this kind is typed, for help and error messages: "yes or no", "one of: a, b", ...
QString promptAnswerHint(const PromptSpec &spec);

// Whether `name` may name a prompt (and so a variable): [A-Za-z_][A-Za-z0-9_]*.
bool isPromptName(const QString &name);

} // namespace hil
