#pragma once

#include <QColor>
#include <QWidget>

namespace hil::gui {

// The verdict as a large coloured badge: solid colour and white text for a final verdict (PASS green,
// FAIL red, ERROR orange, ABORT slate), an outline for a run still going (RUNNING blue, PAUSED amber),
// grey when nothing runs. Sized from its font, so it scales with the screen.
class VerdictBadge : public QWidget {
    Q_OBJECT
public:
    enum class Style { Solid, Outline };

    explicit VerdictBadge(QWidget *parent = nullptr);

    void setVerdict(const QString &text, const QColor &color, Style style);
    const QString &text() const { return m_text; }
    QColor color() const { return m_color; }
    // Points of the badge's text (the default is large: it is read from across a bench).
    void setPointSize(int points);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_text;
    QColor m_color;
    Style m_style = Style::Outline;
};

} // namespace hil::gui
