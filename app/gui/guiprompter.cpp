#include "guiprompter.h"

namespace hil::gui {

void GuiPrompter::ask(const hil::PromptRequest &request, Answer answer) {
    m_answer = std::move(answer);
    m_open = ++m_next;
    emit asked(request, m_open);
}

void GuiPrompter::cancel() {
    if (m_open == 0)
        return;
    const quint64 id = m_open;
    m_open = 0;
    m_answer = nullptr;
    emit withdrawn(id);
}

void GuiPrompter::deliver(quint64 id, const std::optional<QString> &text) {
    if (id == 0 || id != m_open)
        return; // withdrawn, or an answer to an earlier question
    m_open = 0;
    Answer answer = std::move(m_answer);
    m_answer = nullptr;
    if (answer)
        answer(text);
}

} // namespace hil::gui
