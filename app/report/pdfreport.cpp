#include "pdfreport.h"

#include "core/export/atomicfile.h"
#include "reportcharts.h"
#include "reportstyle.h"

#include <QBuffer>
#include <QFile>
#include <QFontMetricsF>
#include <QPageLayout>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <qcustomplot.h>

namespace hil::report {

namespace {

constexpr int kResolution = 96; // logical units are CSS pixels, like the HTML report and the charts
constexpr double kGap = 8;
constexpr double kFooter = 22;

QFont font(double pt, bool bold = false, bool mono = false) {
    QFont f(mono ? style::monoFamily() : style::fontFamily());
    f.setPointSizeF(pt);
    f.setBold(bold);
    f.setHintingPreference(QFont::PreferNoHinting);
    // No ligatures: "fi" stays two letters, so that text copied or extracted from the PDF is what was
    // written.
    f.setStyleStrategy(QFont::PreferNoShaping);
    return f;
}

class PdfRenderer {
public:
    PdfRenderer(const ReportModel &m, const RunStatistics &s, QPdfWriter *writer)
        : m_m(m)
        , m_s(s)
        , m_writer(writer) {
        const QRect r = writer->pageLayout().paintRectPixels(kResolution);
        m_w = r.width();
        m_h = r.height();
    }

    // Lays the report out; with a painter it also draws it. Returns the number of pages.
    int run(QCPPainter *painter, int totalPages) {
        m_p = painter;
        m_total = totalPages;
        m_page = 1;
        m_y = 0;
        header();
        banner();
        whatBroke();
        tiles();
        meta();
        if (m_m.comparison)
            table(*m_m.comparison);
        table(m_m.steps);
        heading(QStringLiteral("Charts"), QString());
        if (m_m.charts.isEmpty())
            paragraph(QStringLiteral("Nothing to plot: no latencies were recorded."), font(8.5),
                      style::subtle());
        for (const Chart &c : m_m.charts)
            chart(c);
        table(m_m.measurements);
        for (const Chart &c : m_m.measurementCharts)
            chart(c);
        if (!m_m.sweeps.isEmpty()) {
            heading(QStringLiteral("Sweeps"), m_m.sweepsNote);
            for (const ReportModel::Sweep &sw : m_m.sweeps) {
                chart(sw.chart);
                table(sw.table, 5, false);
            }
        }
        if (m_m.faults)
            table(*m_m.faults);
        table(m_m.failuresTable, 14);
        table(m_m.events);
        if (!m_m.eventsNote.isEmpty())
            paragraph(m_m.eventsNote, font(7.5), style::subtle());
        footer();
        return m_page;
    }

private:
    // Prose wraps between words; code (device answers, paths) anywhere, since it has no spaces to break at.
    static constexpr int kWrap = Qt::TextWordWrap;
    static constexpr int kWrapCode = Qt::TextWrapAnywhere;

    double textHeight(const QFont &f, double width, const QString &text, int flags = kWrap) const {
        if (text.isEmpty())
            return 0;
        const QFontMetricsF fm(f, m_writer);
        return fm.boundingRect(QRectF(0, 0, width, 1e7), flags, text).height();
    }
    double lineHeight(const QFont &f) const { return QFontMetricsF(f, m_writer).height(); }
    QString elided(const QFont &f, const QString &text, double width) const {
        return QFontMetricsF(f, m_writer).elidedText(text, Qt::ElideRight, width);
    }
    void draw(const QFont &f, const QColor &c, const QRectF &r, int flags, const QString &text) {
        if (!m_p || text.isEmpty())
            return;
        m_p->setFont(f);
        m_p->setPen(c);
        m_p->drawText(r, flags, text);
    }
    void fill(const QRectF &r, const QColor &c, double radius = 0) {
        if (!m_p)
            return;
        m_p->setPen(Qt::NoPen);
        m_p->setBrush(c);
        if (radius > 0)
            m_p->drawRoundedRect(r, radius, radius);
        else
            m_p->drawRect(r);
        m_p->setBrush(Qt::NoBrush);
    }
    void hline(double y, const QColor &c, double width = 0.75) {
        if (!m_p)
            return;
        m_p->setPen(QPen(c, width));
        m_p->drawLine(QPointF(0, y), QPointF(m_w, y));
    }

    double bottom() const { return m_h - kFooter; }
    void newPage() {
        footer();
        if (m_p)
            m_writer->newPage();
        ++m_page;
        m_y = 0;
    }
    // Starts a new page unless h more fits on this one (a block taller than a page starts one and runs on).
    void ensure(double h) {
        if (m_y > 0 && m_y + h > bottom())
            newPage();
    }
    void footer() {
        const QFont f = font(7);
        const double y = m_h - kFooter + 8;
        if (m_p) {
            m_p->setPen(QPen(style::line(), 0.75));
            m_p->drawLine(QPointF(0, y - 3), QPointF(m_w, y - 3));
        }
        const QString left = QStringLiteral("%1 · %2 · %3").arg(m_m.title, m_m.verdict, m_m.subtitle);
        draw(f, style::subtle(), QRectF(0, y, m_w - 90, 12), Qt::AlignLeft | Qt::AlignTop,
             elided(f, left, m_w - 90));
        draw(f, style::subtle(), QRectF(m_w - 90, y, 90, 12), Qt::AlignRight | Qt::AlignTop,
             m_total > 0 ? QStringLiteral("page %1 of %2").arg(m_page).arg(m_total)
                         : QStringLiteral("page %1").arg(m_page));
    }

    void paragraph(const QString &text, const QFont &f, const QColor &c) {
        const double h = textHeight(f, m_w, text);
        ensure(h);
        draw(f, c, QRectF(0, m_y, m_w, h), kWrap, text);
        m_y += h + 4;
    }

    void header() {
        const QFont title = font(16, true);
        const QFont sub = font(8);
        const double th = textHeight(title, m_w - 130, m_m.title);
        draw(title, style::ink(), QRectF(0, 0, m_w - 130, th), kWrap, m_m.title);
        draw(sub, style::subtle(), QRectF(m_w - 130, 4, 130, 14), Qt::AlignRight | Qt::AlignTop,
             QStringLiteral("hil test report"));
        const double sh = textHeight(sub, m_w, m_m.subtitle);
        draw(sub, style::subtle(), QRectF(0, th + 1, m_w, sh), kWrap, m_m.subtitle);
        m_y = th + sh + 6;
        hline(m_y, style::line());
        m_y += 10;
    }

    void banner() {
        const Tone tone = m_m.verdictTone;
        // The verdict fits its column: UNFINISHED is drawn smaller than PASS rather than over the headline.
        QFont verdict = font(22, true);
        const double verdictWidth = QFontMetricsF(verdict, m_writer).horizontalAdvance(m_m.verdict);
        if (verdictWidth > 124)
            verdict.setPointSizeF(22 * 124 / verdictWidth);
        const QFont head = font(11.5, true);
        const QFont detail = font(8.5);
        const QFont item = font(8.5);
        const QFont sev = font(6.5, true);
        const double left = 14 + 130;
        const double tw = m_w - left - 14;
        const double badge = 62;
        double h = 12;
        h += textHeight(head, tw, m_m.headline);
        if (!m_m.headlineDetail.isEmpty())
            h += 2 + textHeight(detail, tw, m_m.headlineDetail);
        QList<double> items;
        for (qsizetype i = 1; i < m_m.findings.size(); ++i) {
            const Finding &f = m_m.findings[i];
            double ih = textHeight(item, tw - badge, f.title);
            if (!f.detail.isEmpty())
                ih += textHeight(font(7.5), tw - badge, f.detail);
            items.append(ih);
            h += 5 + ih;
        }
        h = std::max(h + 12, 62.0);
        ensure(h);
        const QRectF box(0, m_y, m_w, h);
        fill(box, style::toneBackground(tone), 6);
        fill(QRectF(0, m_y, 7, h), style::tone(tone), 0);
        draw(verdict, style::tone(tone), QRectF(16, m_y + 10, 128, 34), Qt::AlignLeft | Qt::AlignTop,
             m_m.verdict);
        double y = m_y + 12;
        double hh = textHeight(head, tw, m_m.headline);
        draw(head, style::ink(), QRectF(left, y, tw, hh), kWrap, m_m.headline);
        y += hh;
        if (!m_m.headlineDetail.isEmpty()) {
            const double dh = textHeight(detail, tw, m_m.headlineDetail);
            draw(detail, QColor(0x3b, 0x43, 0x4b), QRectF(left, y + 2, tw, dh), kWrap, m_m.headlineDetail);
            y += 2 + dh;
        }
        for (qsizetype i = 1; i < m_m.findings.size(); ++i) {
            const Finding &f = m_m.findings[i];
            y += 5;
            const Tone st = style::severityTone(f.severity);
            fill(QRectF(left, y + 1.5, badge - 8, 11), style::tone(st), 2);
            draw(sev, Qt::white, QRectF(left, y + 1.5, badge - 8, 11), Qt::AlignCenter,
                 severityName(f.severity).toUpper());
            const double th = textHeight(item, tw - badge, f.title);
            draw(item, style::ink(), QRectF(left + badge, y, tw - badge, th), kWrap, f.title);
            if (!f.detail.isEmpty())
                draw(font(7.5), style::subtle(), QRectF(left + badge, y + th, tw - badge, items[i - 1] - th),
                     kWrap, f.detail);
            y += items[i - 1];
        }
        m_y += h + 10;
    }

    void tiles() {
        const int perRow = 4;
        const double tw = (m_w - (perRow - 1) * kGap) / perRow;
        const double th = 66;
        for (qsizetype i = 0; i < m_m.tiles.size(); ++i) {
            const int col = static_cast<int>(i % perRow);
            if (col == 0) {
                if (i > 0)
                    m_y += th + kGap;
                ensure(th); // a row of tiles never splits
            }
            const Tile &t = m_m.tiles[i];
            const QRectF r(col * (tw + kGap), m_y, tw, th);
            if (m_p) {
                m_p->setPen(QPen(style::line(), 0.75));
                m_p->setBrush(Qt::white);
                m_p->drawRoundedRect(r, 5, 5);
                m_p->setBrush(Qt::NoBrush);
            }
            fill(QRectF(r.left() + 1, r.top(), r.width() - 2, 3.5), style::tone(t.tone), 1.5);
            const QFont lf = font(6.5);
            const QFont vf = font(14, true);
            draw(lf, style::subtle(), QRectF(r.left() + 9, r.top() + 8, tw - 18, 10),
                 Qt::AlignLeft | Qt::AlignTop, elided(lf, t.label.toUpper(), tw - 18));
            draw(vf, style::tone(t.tone), QRectF(r.left() + 9, r.top() + 19, tw - 18, 22),
                 Qt::AlignLeft | Qt::AlignTop, elided(vf, t.value, tw - 18));
            draw(lf, style::subtle(), QRectF(r.left() + 9, r.top() + 42, tw - 18, th - 44),
                 kWrap | Qt::AlignTop, t.sub);
        }
        if (!m_m.tiles.isEmpty())
            m_y += th + 12;
    }

    void meta() { keyValues(m_m.meta, 2, 64); }

    void whatBroke() {
        if (m_m.whatBroke.isEmpty())
            return;
        heading(m_m.whatBrokeTitle, QString(), 30);
        keyValues(m_m.whatBroke, 1, 130);
    }

    void keyValues(const QList<MetaItem> &list, int cols, double lw) {
        const QFont lf = font(7.5);
        const QFont vf = font(7.5);
        const QFont mf = font(7, false, true);
        const double cw = (m_w - 16) / cols;
        const qsizetype rows = (list.size() + cols - 1) / cols;
        QList<double> heights;
        double total = 10;
        for (qsizetype r = 0; r < rows; ++r) {
            double rh = lineHeight(vf);
            for (int c = 0; c < cols; ++c) {
                const qsizetype i = r * cols + c;
                if (i < list.size())
                    rh = std::max(rh, textHeight(list[i].mono ? mf : vf, cw - lw - 8, list[i].value,
                                                 list[i].mono ? kWrapCode : kWrap));
            }
            heights.append(rh + 2);
            total += rh + 2;
        }
        ensure(total);
        fill(QRectF(0, m_y, m_w, total), style::faint(), 6);
        double y = m_y + 5;
        for (qsizetype r = 0; r < rows; ++r) {
            for (int c = 0; c < cols; ++c) {
                const qsizetype i = r * cols + c;
                if (i >= list.size())
                    continue;
                const MetaItem &item = list[i];
                const double x = 8 + c * cw;
                draw(lf, style::subtle(), QRectF(x, y, lw, heights[r]), Qt::AlignLeft | Qt::AlignTop,
                     item.label);
                draw(item.mono ? mf : vf, style::ink(), QRectF(x + lw, y, cw - lw - 8, heights[r]),
                     (item.mono ? kWrapCode : kWrap) | Qt::AlignTop, item.value);
            }
            y += heights[r];
        }
        m_y += total + 4;
    }

    void heading(const QString &title, const QString &note, double keepWith = 40) {
        const QFont hf = font(11.5, true);
        const QFont nf = font(7.5);
        const double hh = lineHeight(hf);
        const double nh = textHeight(nf, m_w, note);
        ensure(14 + hh + 4 + nh + keepWith);
        m_y += 14;
        draw(hf, style::ink(), QRectF(0, m_y, m_w, hh), Qt::AlignLeft | Qt::AlignTop, title);
        m_y += hh + 1;
        hline(m_y, style::line());
        m_y += 3;
        if (!note.isEmpty()) {
            draw(nf, style::subtle(), QRectF(0, m_y, m_w, nh), kWrap, note);
            m_y += nh;
        }
        m_y += 4;
    }

    // maxLines: a cell taller than this is cut (the HTML and the CSV files have it whole).
    // The face a table cell is drawn in: an index into a table's {plain, strong, mono} fonts.
    static int cellFace(const Cell &c) {
        return c.mono ? 2 : c.strong || c.tone == Tone::Bad || c.tone == Tone::Error ? 1 : 0;
    }

    // Column widths: each column first gets the widest word of its title and cells (a count, with its
    // no-break spaces, is one word, so numbers never break; a text column asks no more than its share), then
    // the rest of the width by share. When the words do not all fit, the text columns give way first (down
    // to kMinTextColumn each; they wrap), and only then are the plain shares used.
    QList<double> columnWidths(const Table &t, double pad, const QFont &hf, const QFont (&faces)[3]) const {
        constexpr double kMinTextColumn = 48;
        static const QRegularExpression space(QStringLiteral("[ \n]"));
        const QFontMetricsF head(hf, m_writer);
        const QFontMetricsF metrics[3] = {{faces[0], m_writer}, {faces[1], m_writer}, {faces[2], m_writer}};
        double shares = 0;
        for (const Column &c : t.columns)
            shares += c.width;
        QList<double> share, need;
        for (const Column &c : t.columns) {
            share.append(m_w * c.width / shares);
            double w = 0;
            for (const QString &word : c.title.split(space))
                w = std::max(w, head.horizontalAdvance(word));
            need.append(w);
        }
        for (const QList<Cell> &row : t.rows)
            for (qsizetype i = 0; i < row.size() && i < need.size(); ++i) {
                const QFontMetricsF &fm = metrics[cellFace(row[i])];
                for (const QString &word : row[i].text.split(space))
                    need[i] = std::max(need[i], fm.horizontalAdvance(word));
            }
        double numbers = 0, words = 0, floors = 0;
        for (qsizetype i = 0; i < need.size(); ++i) {
            need[i] += 2 * pad + 1;
            if (t.columns[i].numeric) {
                numbers += need[i];
            } else {
                need[i] = std::min(need[i], share[i]);
                words += need[i];
                floors += std::min(need[i], kMinTextColumn);
            }
        }
        if (numbers + words <= m_w) {
            for (qsizetype i = 0; i < need.size(); ++i)
                need[i] += (m_w - numbers - words) * t.columns[i].width / shares;
            return need;
        }
        if (numbers + floors > m_w)
            return share;
        const double give = (m_w - numbers - floors) / (words - floors); // of each text column's excess
        for (qsizetype i = 0; i < need.size(); ++i)
            if (!t.columns[i].numeric) {
                const double floor = std::min(need[i], kMinTextColumn);
                need[i] = floor + (need[i] - floor) * give;
            }
        return need;
    }

    void table(const Table &t, int maxLines = 5, bool withHeading = true) {
        if (withHeading)
            heading(t.title, t.note);
        if (t.rows.isEmpty()) {
            paragraph(t.empty, font(8), style::subtle());
            return;
        }
        const QFont hf = font(7, true);
        const QFont cf = font(7.2);
        const QFont faces[3] = {cf, font(7.2, true), font(6.8, false, true)}; // plain, strong, mono
        const double pad = 4;
        const QList<double> ws = columnWidths(t, pad, hf, faces);
        QList<double> xs;
        double x = 0;
        for (const double w : ws) {
            xs.append(x);
            x += w;
        }
        double headH = 0;
        for (qsizetype i = 0; i < t.columns.size(); ++i)
            headH = std::max(headH, textHeight(hf, ws[i] - 2 * pad, t.columns[i].title, Qt::TextWordWrap));
        headH += 6;
        const auto drawHeader = [&] {
            fill(QRectF(0, m_y, m_w, headH), style::faint());
            for (qsizetype i = 0; i < t.columns.size(); ++i)
                draw(hf, style::subtle(), QRectF(xs[i] + pad, m_y + 3, ws[i] - 2 * pad, headH - 6),
                     Qt::TextWordWrap | (t.columns[i].numeric ? Qt::AlignRight : Qt::AlignLeft),
                     t.columns[i].title);
            m_y += headH;
            hline(m_y, style::line());
        };
        const double maxRow = maxLines * lineHeight(cf) + 4;
        ensure(headH + lineHeight(cf) * 2);
        drawHeader();
        int n = 0;
        for (const QList<Cell> &row : t.rows) {
            double rh = lineHeight(cf);
            for (qsizetype i = 0; i < row.size() && i < ws.size(); ++i) {
                const Cell &c = row[i];
                const QFont &f = faces[cellFace(c)];
                rh = std::max(rh, textHeight(f, ws[i] - 2 * pad, c.text, c.mono ? kWrapCode : kWrap));
            }
            rh = std::min(rh, maxRow) + 4;
            if (m_y + rh > bottom()) {
                newPage();
                drawHeader();
            }
            if (n++ % 2 == 1)
                fill(QRectF(0, m_y, m_w, rh), QColor(0xfb, 0xfc, 0xfd));
            for (qsizetype i = 0; i < row.size() && i < ws.size(); ++i) {
                const Cell &c = row[i];
                const QFont &f = faces[cellFace(c)];
                const QColor color = c.tone == Tone::Neutral ? style::ink()
                                     : c.tone == Tone::Muted ? QColor(0x8c, 0x95, 0x9f)
                                                             : style::tone(c.tone);
                if (m_p) {
                    m_p->save();
                    m_p->setClipRect(QRectF(xs[i], m_y, ws[i], rh));
                }
                draw(f, color, QRectF(xs[i] + pad, m_y + 2, ws[i] - 2 * pad, rh - 4),
                     (c.mono ? kWrapCode : kWrap) | Qt::AlignTop
                         | (t.columns[i].numeric ? Qt::AlignRight : Qt::AlignLeft),
                     c.text);
                if (m_p)
                    m_p->restore();
            }
            m_y += rh;
            hline(m_y, QColor(0xea, 0xee, 0xf2), 0.5);
        }
        m_y += 4;
    }

    void chart(const Chart &c) {
        const QFont tf = font(9.5, true);
        const QFont cf = font(7.5);
        const double th = lineHeight(tf);
        const double ch = textHeight(cf, m_w, c.caption);
        const double height = std::round(c.height * 0.78);
        ensure(8 + th + ch + 4 + height);
        m_y += 8;
        draw(tf, style::ink(), QRectF(0, m_y, m_w, th), Qt::AlignLeft | Qt::AlignTop, c.title);
        m_y += th;
        draw(cf, style::subtle(), QRectF(0, m_y, m_w, ch), kWrap, c.caption);
        m_y += ch + 4;
        if (m_p) {
            paintChart(m_p, c, m_s, QRectF(0, m_y, m_w, height));
            m_p->setPen(QPen(style::line(), 0.75));
            m_p->setBrush(Qt::NoBrush);
            m_p->drawRoundedRect(QRectF(0, m_y, m_w, height), 4, 4);
        }
        m_y += height + 6;
    }

    const ReportModel &m_m;
    const RunStatistics &m_s;
    QPdfWriter *m_writer;
    QCPPainter *m_p = nullptr;
    double m_w = 0, m_h = 0;
    double m_y = 0;
    int m_page = 1;
    int m_total = 0;
};

} // namespace

bool writePdfReport(const ReportModel &model, const RunStatistics &stats, const QString &path,
                    QString *error) {
    const auto fail = [&](const QString &why) {
        if (error)
            *error = QStringLiteral("cannot write %1: %2").arg(path, why);
        return false;
    };
    // QPdfWriter writes to a QIODevice: a buffer here, which AtomicFile then puts on disk whole or not at
    // all.
    QByteArray pdf;
    QBuffer buffer(&pdf);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setResolution(kResolution);
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait,
                                     QMarginsF(14, 13, 14, 11), QPageLayout::Millimeter));
    writer.setTitle(QStringLiteral("%1 — %2 — hil report").arg(model.verdict, model.title));
    writer.setCreator(QStringLiteral("hil report"));
    PdfRenderer layout(model, stats, &writer);
    const int pages = layout.run(nullptr, 0);
    {
        QCPPainter painter(&writer);
        if (!painter.isActive())
            return fail(QStringLiteral("cannot paint into the PDF"));
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setMode(QCPPainter::pmVectorized);
        layout.run(&painter, pages);
    }
    return AtomicFile::writeWhole(path, pdf, error);
}

} // namespace hil::report
