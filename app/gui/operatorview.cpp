#include "operatorview.h"

#include "appstyle.h"
#include "runstatuspanel.h"

#include <QPainter>

namespace hil::gui {

OperatorView::OperatorView(const RunStatusPanel *status, QWidget *parent)
    : QWidget(parent)
    , m_status(status) {
    setObjectName(QStringLiteral("operatorView"));
    setAutoFillBackground(true);
    QPalette pal = palette();
    pal.setColor(QPalette::Window, Qt::white);
    setPalette(pal);
    connect(status, &RunStatusPanel::changed, this, qOverload<>(&QWidget::update));
}

namespace {

// The largest point size at which text fits the rectangle (at most maxPt).
QFont fitted(QFont f, const QString &text, const QRectF &box, double maxPt) {
    double pt = maxPt;
    f.setPointSizeF(pt);
    while (pt > 6) {
        f.setPointSizeF(pt);
        const QFontMetricsF fm(f);
        if (fm.horizontalAdvance(text) <= box.width() && fm.height() <= box.height())
            break;
        pt *= 0.9;
    }
    return f;
}

void drawFitted(QPainter &p, const QRectF &box, const QString &text, bool bold, const QColor &color,
                Qt::Alignment align = Qt::AlignCenter) {
    QFont f = p.font();
    f.setBold(bold);
    p.setFont(fitted(f, text, box, box.height()));
    p.setPen(color);
    p.drawText(box, align, text);
}

} // namespace

void OperatorView::paintEvent(QPaintEvent *) {
    const RunStatusPanel::Glance g = m_status->glance();
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    const QRectF r = rect();
    const double h = r.height(), w = r.width();
    const double pad = std::max(8.0, w * 0.02);

    // The verdict band: a solid colour for a final verdict, the colour as a frame while it runs.
    const QRectF band(pad, pad, w - 2 * pad, h * 0.36);
    if (g.final) {
        p.setBrush(g.color);
        p.setPen(Qt::NoPen);
    } else {
        p.setBrush(Qt::white);
        p.setPen(QPen(g.color, std::max(4.0, h * 0.012)));
    }
    p.drawRoundedRect(band, 12, 12);
    drawFitted(p, band.adjusted(pad, pad / 2, -pad, -pad / 2), g.verdict, true,
               g.final ? Qt::white : g.color);

    // What runs, and on which bench.
    const QRectF title(pad, band.bottom() + pad, w - 2 * pad, h * 0.09);
    drawFitted(p, title, g.title, true, appstyle::ink());
    const QRectF sub(pad, title.bottom(), w - 2 * pad, h * 0.05);
    drawFitted(p, sub, g.subtitle, false, appstyle::subtle());

    // Progress: a thick bar, with elapsed on the left and what remains on the right.
    const QRectF bar(pad, sub.bottom() + pad, w - 2 * pad, std::max(12.0, h * 0.05));
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0xea, 0xee, 0xf2));
    p.drawRoundedRect(bar, bar.height() / 2, bar.height() / 2);
    if (g.progress > 0) {
        p.setBrush(g.final ? g.color : QColor(0x09, 0x69, 0xda));
        p.drawRoundedRect(
            QRectF(bar.left(), bar.top(), bar.width() * std::clamp(g.progress, 0.0, 1.0), bar.height()),
            bar.height() / 2, bar.height() / 2);
    }
    const QRectF times(pad, bar.bottom() + pad / 2, w - 2 * pad, h * 0.06);
    drawFitted(
        p, times,
        tr("elapsed %1   ·   iterations %2   ·   remaining %3").arg(g.elapsed, g.iterations, g.remaining),
        false, appstyle::ink());

    // The counts, each in its own column.
    const struct {
        QString name;
        QString value;
        QColor color;
    } counts[] = {{tr("PASS"), g.pass, appstyle::pass()},
                  {tr("FAIL"), g.fail, appstyle::fail()},
                  {tr("ERROR"), g.error, appstyle::error()},
                  {tr("IN FAULTS"), g.expected, appstyle::subtle()}};
    const double top = times.bottom() + pad;
    const double cw = (w - 2 * pad) / 4;
    const double rest = std::max(20.0, h - top - pad);
    for (int i = 0; i < 4; ++i) {
        const QRectF col(pad + i * cw, top, cw, rest);
        drawFitted(
            p,
            QRectF(col.left(), col.top(), col.width(), col.height() * 0.7).adjusted(pad / 2, 0, -pad / 2, 0),
            counts[i].value.isEmpty() ? QStringLiteral("0") : counts[i].value, true, counts[i].color);
        drawFitted(p, QRectF(col.left(), col.top() + col.height() * 0.7, col.width(), col.height() * 0.25),
                   counts[i].name, false, appstyle::subtle());
    }
}

} // namespace hil::gui
