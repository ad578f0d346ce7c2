#pragma once

#include <QFrame>
#include <QStringList>

class QLabel;
class QToolButton;

namespace hil::gui {

// Problems shown inside the window, never in a modal box: the newest message with how many came before
// it, until dismissed. A run goes on while messages pile up here (the event log keeps every one).
class MessageBar : public QFrame {
    Q_OBJECT
public:
    enum class Level { Info, Warning, Error };

    explicit MessageBar(QWidget *parent = nullptr);

    void post(Level level, const QString &text);
    void dismiss();
    const QStringList &messages() const { return m_messages; }
    QString text() const;

private:
    QLabel *m_icon;
    QLabel *m_text;
    QToolButton *m_close;
    QStringList m_messages;
};

} // namespace hil::gui
