#pragma once

#include "core/run/prompter.h"

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;

namespace hil::gui {

// The question of a `prompt:` step, asked of the person at the bench: not modal (the run, its plots and
// its faults go on meanwhile), in large type. A confirm has Yes and No; a choice a list; a number a spin
// box held to its limits; a text a line. Closing it answers nothing (the step records the prompt as
// cancelled by the operator).
class PromptDialog : public QDialog {
    Q_OBJECT
public:
    PromptDialog(const hil::PromptRequest &request, quint64 id, QWidget *parent = nullptr);

    quint64 id() const { return m_id; }

signals:
    void answered(quint64 id, const std::optional<QString> &text);

protected:
    void done(int result) override;

private:
    void answer(const QString &text);

    quint64 m_id;
    hil::PromptKind m_kind;
    QLineEdit *m_text = nullptr;
    QComboBox *m_choice = nullptr;
    QDoubleSpinBox *m_number = nullptr;
    bool m_sent = false;
};

} // namespace hil::gui
