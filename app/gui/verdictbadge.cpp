#include "verdictbadge.h"

#include "appstyle.h"

#include <QPainter>
#include <QPainterPath>

namespace hil::gui {

VerdictBadge::VerdictBadge(QWidget *parent)
    : QWidget(parent)
    , m_text(QStringLiteral("READY"))
    , m_color(appstyle::idle()) {
    setPointSize(22);
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    setAccessibleName(tr("Verdict"));
}

void VerdictBadge::setVerdict(const QString &text, const QColor &color, Style style) {
    if (text == m_text && color == m_color && style == m_style)
        return;
    m_text = text;
    m_color = color;
    m_style = style;
    setAccessibleDescription(text);
    updateGeometry();
    update();
}

void VerdictBadge::setPointSize(int points) {
    QFont f = font();
    f.setPointSize(points);
    f.setBold(true);
    f.setLetterSpacing(QFont::PercentageSpacing, 106);
    setFont(f);
    updateGeometry();
}

QSize VerdictBadge::sizeHint() const {
    const QFontMetrics fm(font());
    // Wide enough for the longest verdict, so that the badge does not jump as the run goes on.
    const int text = std::max(fm.horizontalAdvance(m_text), fm.horizontalAdvance(QStringLiteral("RUNNING")));
    return {text + fm.height() * 2, fm.height() * 2};
}

QSize VerdictBadge::minimumSizeHint() const {
    return sizeHint();
}

void VerdictBadge::paintEvent(QPaintEvent *) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(1.5, 1.5, -1.5, -1.5);
    const qreal radius = r.height() / 4;
    QPainterPath path;
    path.addRoundedRect(r, radius, radius);
    if (m_style == Style::Solid) {
        p.fillPath(path, m_color);
        p.setPen(Qt::white);
    } else {
        p.fillPath(path, appstyle::tint(m_color, 28));
        p.setPen(QPen(m_color, 2));
        p.drawPath(path);
        p.setPen(m_color.darker(115));
    }
    p.setFont(font());
    p.drawText(r, Qt::AlignCenter, m_text);
}

} // namespace hil::gui
