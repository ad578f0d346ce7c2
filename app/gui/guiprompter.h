#pragma once

#include "core/run/prompter.h"

#include <QObject>

namespace hil::gui {

// The desktop app's Prompter: lives on the runner thread (RunWorker owns it) and hands each question to
// the GUI thread as a signal; the answer comes back through RunController, posted to the runner thread,
// and is delivered only if it answers the question still open (a withdrawn or superseded one is dropped).
class GuiPrompter : public QObject, public hil::Prompter {
    Q_OBJECT
public:
    using QObject::QObject;

    void ask(const hil::PromptRequest &request, Answer answer) override;
    void cancel() override;
    // On the runner thread: the GUI's answer to question `id` (nullopt: closed without an answer).
    void deliver(quint64 id, const std::optional<QString> &text);

signals:
    void asked(const hil::PromptRequest &request, quint64 id);
    void withdrawn(quint64 id);

private:
    Answer m_answer;
    quint64 m_open = 0; // the id of the open question; 0: none
    quint64 m_next = 0;
};

} // namespace hil::gui
