#include "promptdialog.h"

#include "core/base/duration.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <limits>

namespace hil::gui {

PromptDialog::PromptDialog(const hil::PromptRequest &request, quint64 id, QWidget *parent)
    : QDialog(parent)
    , m_id(id)
    , m_kind(request.spec.kind) {
    setObjectName(QStringLiteral("promptDialog"));
    setWindowTitle(tr("Operator prompt: %1").arg(request.step));
    setModal(false);
    setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(this);
    auto *question = new QLabel(request.spec.text, this);
    question->setObjectName(QStringLiteral("promptText"));
    question->setWordWrap(true);
    QFont big = question->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    question->setFont(big);
    layout->addWidget(question);
    QStringList notes;
    notes << tr("Answer kept as ${%1}").arg(request.spec.name);
    if (request.spec.timeout)
        notes << tr("the run waits %1 at most").arg(formatDuration(*request.spec.timeout));
    if (!request.again.isEmpty())
        notes.prepend(request.again);
    auto *note = new QLabel(notes.join(QStringLiteral(" · ")), this);
    note->setWordWrap(true);
    layout->addWidget(note);

    auto *buttons = new QDialogButtonBox(this);
    switch (m_kind) {
    case hil::PromptKind::Confirm: {
        QPushButton *yes = buttons->addButton(tr("Yes"), QDialogButtonBox::YesRole);
        QPushButton *no = buttons->addButton(tr("No"), QDialogButtonBox::NoRole);
        yes->setObjectName(QStringLiteral("promptYes"));
        no->setObjectName(QStringLiteral("promptNo"));
        connect(yes, &QPushButton::clicked, this, [this] { answer(QStringLiteral("yes")); });
        connect(no, &QPushButton::clicked, this, [this] { answer(QStringLiteral("no")); });
        break;
    }
    case hil::PromptKind::Choice:
        m_choice = new QComboBox(this);
        m_choice->setObjectName(QStringLiteral("promptChoice"));
        m_choice->addItems(request.spec.choices);
        layout->addWidget(m_choice);
        break;
    case hil::PromptKind::Number:
        m_number = new QDoubleSpinBox(this);
        m_number->setObjectName(QStringLiteral("promptNumber"));
        m_number->setDecimals(6);
        m_number->setRange(request.spec.limits.low.value_or(-1e12), request.spec.limits.high.value_or(1e12));
        layout->addWidget(m_number);
        break;
    case hil::PromptKind::Text:
        m_text = new QLineEdit(this);
        m_text->setObjectName(QStringLiteral("promptLine"));
        layout->addWidget(m_text);
        break;
    }
    if (m_kind != hil::PromptKind::Confirm) {
        QPushButton *ok = buttons->addButton(QDialogButtonBox::Ok);
        ok->setObjectName(QStringLiteral("promptOk"));
        connect(ok, &QPushButton::clicked, this, [this] {
            if (m_choice)
                answer(m_choice->currentText());
            else if (m_number)
                answer(QString::number(m_number->value(), 'g', 15));
            else
                answer(m_text->text());
        });
    }
    QPushButton *cancel = buttons->addButton(tr("Cancel"), QDialogButtonBox::RejectRole);
    cancel->setObjectName(QStringLiteral("promptCancel"));
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);
    layout->addWidget(buttons);
    setMinimumWidth(480);
}

void PromptDialog::answer(const QString &text) {
    if (!m_sent) {
        m_sent = true;
        emit answered(m_id, text);
    }
    accept();
}

void PromptDialog::done(int result) {
    // Closed without an answer (Cancel, Escape, the window's close button): the run learns it at once.
    if (!m_sent) {
        m_sent = true;
        emit answered(m_id, std::nullopt);
    }
    QDialog::done(result);
}

} // namespace hil::gui
