#include "trafficconsole.h"

#include "appstyle.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
#include <QVBoxLayout>

namespace hil::gui {

TrafficConsole::TrafficConsole(QWidget *parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("trafficConsole"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 6);
    layout->setSpacing(4);
    auto *bar = new QHBoxLayout;
    auto *label = new QLabel(tr("D&evice"), this);
    m_device = new QComboBox(this);
    m_device->setObjectName(QStringLiteral("trafficDevice"));
    m_device->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    label->setBuddy(m_device);
    m_follow = new QCheckBox(tr("Fo&llow"), this);
    m_follow->setChecked(true);
    auto *clearButton = new QPushButton(tr("Clear"), this);
    connect(clearButton, &QPushButton::clicked, this, &TrafficConsole::clear);
    m_note = new QLabel(this);
    QPalette np = m_note->palette();
    np.setColor(QPalette::WindowText, appstyle::subtle());
    m_note->setPalette(np);
    bar->addWidget(label);
    bar->addWidget(m_device);
    bar->addSpacing(8);
    bar->addWidget(m_follow);
    bar->addWidget(clearButton);
    bar->addSpacing(8);
    bar->addWidget(m_note, 1);
    layout->addLayout(bar);

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("trafficText"));
    m_text->setReadOnly(true);
    m_text->setMaximumBlockCount(kMaxLines);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_text, 1);
    connect(m_device, &QComboBox::currentIndexChanged, this, &TrafficConsole::clear);
}

void TrafficConsole::setDevices(const QStringList &devices) {
    const QString current = m_device->currentText();
    m_device->clear();
    m_device->addItems(devices);
    const int i = m_device->findText(current);
    m_device->setCurrentIndex(i < 0 ? 0 : i);
}

void TrafficConsole::setDevice(const QString &device) {
    m_device->setCurrentIndex(std::max(0, m_device->findText(device)));
}

QString TrafficConsole::device() const {
    return m_device->currentText();
}

void TrafficConsole::setRecording(bool on) {
    m_note->setText(on ? QString() : tr("This run does not record traffic (Run ▸ Record traffic)."));
}

void TrafficConsole::clear() {
    m_text->clear();
}

int TrafficConsole::lineCount() const {
    return m_text->document()->isEmpty() ? 0 : m_text->blockCount();
}

void TrafficConsole::append(const QList<ExchangeLine> &lines, qint64 dropped) {
    const QString device = m_device->currentText();
    if (device.isEmpty())
        return;
    QTextCharFormat time, tx, rx, note;
    time.setForeground(appstyle::idle());
    tx.setForeground(appstyle::accent());
    rx.setForeground(appstyle::ink());
    note.setForeground(appstyle::error());
    QTextCursor c(m_text->document());
    c.movePosition(QTextCursor::End);
    c.beginEditBlock();
    bool any = false;
    const auto newLine = [&] {
        if (!m_text->document()->isEmpty() || any)
            c.insertBlock();
        any = true;
    };
    if (dropped > 0) {
        newLine();
        c.insertText(
            tr("… %1 lines not shown (the interface fell behind; the database has them)").arg(dropped), note);
    }
    for (const ExchangeLine &l : lines) {
        if (l.device != device)
            continue;
        newLine();
        const bool out = l.direction == Direction::ToDevice;
        c.insertText(formatOffset(l.timeNs) + QStringLiteral("  "), time);
        c.insertText(out ? QStringLiteral("→ ") : QStringLiteral("← "), out ? tx : rx);
        c.insertText(printableBytes(l.data), out ? tx : rx);
    }
    c.endEditBlock();
    if (any && m_follow->isChecked())
        m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
}

} // namespace hil::gui
