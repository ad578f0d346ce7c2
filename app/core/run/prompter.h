#pragma once

#include "core/config/promptspec.h"

#include <QString>
#include <functional>
#include <optional>

namespace hil {

// One question to the person at the bench.
struct PromptRequest {
    PromptSpec spec;
    QString step;  // the step asking, for the dialog's title
    QString again; // why it is asked again (the last answer was not valid), empty the first time
};

// Where a run asks its operator: a dialog of the desktop app, the terminal of `hil run`. A run without a
// prompter has nobody to ask: its prompt steps end as ERROR at once (nightly runs never hang on a question;
// they answer with `hil run --answer NAME=VALUE`).
//
// Called only on the runner's thread. ask() returns at once; the answer comes later through `answer`, on
// the runner's thread, at most once per ask: the text as typed (the run checks it against the prompt and
// asks again if it is not valid), or nullopt when the operator closed the question without answering.
// cancel() withdraws the open question (the run was paused or stopped, the prompt timed out): the prompter
// closes it and must not call its `answer` afterwards; with nothing open it does nothing. At most one
// question is open at a time.
class Prompter {
public:
    using Answer = std::function<void(std::optional<QString> text)>;

    virtual ~Prompter() = default;
    virtual void ask(const PromptRequest &request, Answer answer) = 0;
    virtual void cancel() = 0;
};

} // namespace hil
