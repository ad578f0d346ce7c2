#include "messagebar.h"

#include "appstyle.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>

namespace hil::gui {

MessageBar::MessageBar(QWidget *parent)
    : QFrame(parent) {
    setObjectName(QStringLiteral("messageBar"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    m_icon = new QLabel(this);
    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("messageText"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close = new QToolButton(this);
    m_close->setAutoRaise(true);
    m_close->setText(QStringLiteral("✕"));
    m_close->setToolTip(tr("Dismiss (Esc)"));
    m_close->setShortcut(Qt::Key_Escape);
    connect(m_close, &QToolButton::clicked, this, &MessageBar::dismiss);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close);
    QFrame::hide();
}

void MessageBar::post(Level level, const QString &text) {
    m_messages.append(text);
    const QColor c = level == Level::Error     ? appstyle::fail()
                     : level == Level::Warning ? appstyle::paused()
                                               : appstyle::accent();
    setStyleSheet(
        QStringLiteral("QFrame#messageBar { background: %1; border-bottom: 1px solid %2; }")
            .arg(appstyle::tint(c, 30).name(QColor::HexArgb), appstyle::tint(c, 110).name(QColor::HexArgb)));
    const QStyle::StandardPixmap icon = level == Level::Error     ? QStyle::SP_MessageBoxCritical
                                        : level == Level::Warning ? QStyle::SP_MessageBoxWarning
                                                                  : QStyle::SP_MessageBoxInformation;
    const int size = fontMetrics().height();
    m_icon->setPixmap(style()->standardIcon(icon).pixmap(size, size));
    QString shown = text;
    if (m_messages.size() > 1)
        shown += tr("  (%n earlier message(s))", nullptr, static_cast<int>(m_messages.size() - 1));
    m_text->setText(shown);
    m_text->setToolTip(m_messages.join(u'\n'));
    QFrame::show();
}

void MessageBar::dismiss() {
    m_messages.clear();
    QFrame::hide();
}

QString MessageBar::text() const {
    return isVisible() || !m_messages.isEmpty() ? m_messages.value(m_messages.size() - 1) : QString();
}

} // namespace hil::gui
