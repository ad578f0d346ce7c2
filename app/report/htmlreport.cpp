#include "htmlreport.h"

#include "core/export/atomicfile.h"
#include "reportcharts.h"
#include "reportstyle.h"

namespace hil::report {

namespace {

constexpr int kChartWidth = 1136;

const char *const kCss = R"css(
:root{--good:#1a7f37;--bad:#cf222e;--error:#bc4c00;--warn:#9a6700;--muted:#6e7781;--ink:#1f2328;--subtle:#59636e;
--line:#d0d7de;--faint:#f6f8fa}
*{box-sizing:border-box}
html{background:#eef1f4}
body{margin:0;color:var(--ink);font:14px/1.45 "DejaVu Sans",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1200px;margin:0 auto;padding:22px 32px 40px;background:#fff;min-height:100vh}
a{color:#0969da;text-decoration:none}
a:hover{text-decoration:underline}
.top{display:flex;justify-content:space-between;align-items:flex-end;gap:16px;border-bottom:1px solid var(--line);padding-bottom:10px}
.top h1{font-size:25px;margin:0;line-height:1.2;word-break:break-word}
.top .sub{color:var(--subtle);font-size:12.5px;margin-top:2px;word-break:break-all}
.brand{color:var(--subtle);font-size:12px;text-align:right;white-space:nowrap}
.banner{display:flex;gap:22px;align-items:flex-start;margin:16px 0 14px;border-radius:8px;padding:16px 20px;border:1px solid;border-left-width:10px}
.banner .v{font-size:38px;font-weight:800;letter-spacing:.02em;line-height:1;padding-top:2px;min-width:150px}
.banner .h{font-size:19px;font-weight:700;line-height:1.3}
.banner .d{color:#3b434b;margin-top:3px}
.banner ul{list-style:none;margin:10px 0 0;padding:0}
.banner li{margin:5px 0;line-height:1.35}
.banner li .fd{color:var(--subtle);font-size:12.5px;display:block;margin-left:84px}
.b-good{background:#dafbe1;border-color:#4ac26b}.b-good .v{color:var(--good)}
.b-bad{background:#ffebe9;border-color:#ff8182}.b-bad .v{color:var(--bad)}
.b-error{background:#fff1e5;border-color:#fb8f44}.b-error .v{color:var(--error)}
.b-warn{background:#fff8c5;border-color:#d4a72c}.b-warn .v{color:var(--warn)}
.b-muted,.b-neutral{background:#f6f8fa;border-color:#afb8c1}.b-muted .v,.b-neutral .v{color:var(--muted)}
.sev{display:inline-block;width:76px;text-align:center;font-size:10.5px;font-weight:700;letter-spacing:.05em;text-transform:uppercase;
border-radius:4px;padding:1px 0;margin-right:8px;color:#fff;vertical-align:1px}
.s-error{background:var(--error)}.s-bad{background:var(--bad)}.s-warn{background:#bf8700}.s-muted,.s-neutral{background:var(--muted)}
.s-good{background:var(--good)}
nav{margin:4px 0 6px;font-size:13px;color:var(--subtle)}
nav a{margin-right:14px}
.tiles{display:grid;grid-template-columns:repeat(4,1fr);gap:12px;margin:14px 0 6px}
.tile{border:1px solid var(--line);border-top:4px solid var(--c);border-radius:8px;padding:10px 14px 11px;min-width:0}
.tile .l{font-size:11.5px;color:var(--subtle);text-transform:uppercase;letter-spacing:.05em}
.tile .x{font-size:25px;font-weight:700;color:var(--c);margin:1px 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.tile .s{font-size:12px;color:var(--subtle);overflow-wrap:anywhere}
.c-good{--c:var(--good)}.c-bad{--c:var(--bad)}.c-error{--c:var(--error)}.c-warn{--c:#bf8700}.c-muted{--c:var(--muted)}.c-neutral{--c:var(--ink)}
dl.meta{display:grid;grid-template-columns:max-content minmax(0,1fr) max-content minmax(0,1fr) max-content minmax(0,1fr);gap:3px 14px;font-size:13px;
margin:12px 0 4px;padding:10px 14px;background:var(--faint);border-radius:8px}
dl.meta dt{color:var(--subtle)}
dl.meta.wb{grid-template-columns:max-content minmax(0,1fr)}
dl.meta dd{margin:0;overflow-wrap:anywhere}
h2{font-size:18px;margin:30px 0 6px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:20px 0 4px}
p.note{color:var(--subtle);font-size:12.5px;margin:2px 0 8px}
.mono,pre,code{font-family:"DejaVu Sans Mono",ui-monospace,SFMono-Regular,Menlo,monospace}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;background:var(--faint);border-bottom:1px solid var(--line);padding:6px 8px;font-weight:600;white-space:nowrap}
td{border-bottom:1px solid #eaeef2;padding:5px 8px;vertical-align:top;overflow-wrap:anywhere}
tbody tr:nth-child(even) td{background:#fbfcfd}
th.n,td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.strong{font-weight:600}
.t-good{color:var(--good)}.t-bad{color:var(--bad);font-weight:600}.t-error{color:var(--error);font-weight:600}
.t-warn{color:var(--warn);font-weight:600}.t-muted{color:#8c959f}
.chart{margin:6px 0 14px}
.chart img{display:block;width:100%;height:auto;border:1px solid var(--line);border-radius:6px}
table.failures td{font-size:12.5px}
.ctx{color:var(--subtle);font-size:11.5px}
code.ans{font-size:12px;background:var(--faint);border:1px solid #eaeef2;border-radius:3px;padding:1px 5px;white-space:pre-wrap;
word-break:break-all;display:inline-block;max-width:100%}
.lbl{color:var(--subtle);font-size:12px;margin-top:6px}
pre{font-size:12.5px;background:var(--faint);border:1px solid #eaeef2;padding:7px 10px;border-radius:4px;white-space:pre-wrap;word-break:break-all;margin:3px 0}
.esc{background:#ffd8b5;color:#762c00;border-radius:2px}
.dir{display:inline-block;width:22px;color:var(--subtle)}
details summary{cursor:pointer;color:#0969da;font-size:12.5px;margin-top:4px}
.empty{color:var(--subtle);font-style:italic}
footer{margin-top:34px;color:var(--subtle);font-size:12px;border-top:1px solid var(--line);padding-top:8px;overflow-wrap:anywhere}
@media (max-width:900px){.tiles{grid-template-columns:repeat(2,1fr)}dl.meta{grid-template-columns:max-content minmax(0,1fr)}}
@media print{html{background:#fff}main{padding:0;max-width:none}.chart,.failure,.tile{break-inside:avoid}}
)css";

QString toneName(Tone t) {
    switch (t) {
    case Tone::Good:
        return QStringLiteral("good");
    case Tone::Bad:
        return QStringLiteral("bad");
    case Tone::Error:
        return QStringLiteral("error");
    case Tone::Warn:
        return QStringLiteral("warn");
    case Tone::Muted:
        return QStringLiteral("muted");
    case Tone::Neutral:
        break;
    }
    return QStringLiteral("neutral");
}

// Escaped text with the escape sequences made by printableBytes() highlighted.
QString withEscapes(const QString &text, const QList<std::pair<qsizetype, qsizetype>> &escapes) {
    QString out;
    qsizetype at = 0;
    for (const auto &[start, end] : escapes) {
        out += htmlEscape(text.mid(at, start - at));
        out += QStringLiteral("<span class=\"esc\">") + htmlEscape(text.mid(start, end - start))
               + QStringLiteral("</span>");
        at = end;
    }
    out += htmlEscape(text.mid(at));
    return out;
}

void table(QString &h, const Table &t, bool heading = true) {
    if (heading) {
        h += QStringLiteral("<h2 id=\"%1\">%2</h2>\n").arg(htmlEscape(t.id), htmlEscape(t.title));
        if (!t.note.isEmpty())
            h += QStringLiteral("<p class=\"note\">%1</p>\n").arg(htmlEscape(t.note));
    }
    if (t.rows.isEmpty()) {
        h += QStringLiteral("<p class=\"empty\">%1</p>\n").arg(htmlEscape(t.empty));
        return;
    }
    h += QStringLiteral("<table><thead><tr>");
    for (const Column &c : t.columns)
        h += QStringLiteral("<th%1>%2</th>")
                 .arg(c.numeric ? QStringLiteral(" class=\"n\"") : QString(), htmlEscape(c.title));
    h += QStringLiteral("</tr></thead>\n<tbody>\n");
    for (const QList<Cell> &row : t.rows) {
        h += QStringLiteral("<tr>");
        for (qsizetype i = 0; i < row.size(); ++i) {
            const Cell &c = row[i];
            QStringList classes;
            if (i < t.columns.size() && t.columns[i].numeric)
                classes << QStringLiteral("n");
            if (c.tone != Tone::Neutral)
                classes << QStringLiteral("t-") + toneName(c.tone);
            if (c.strong)
                classes << QStringLiteral("strong");
            if (c.mono)
                classes << QStringLiteral("mono");
            h += QStringLiteral("<td");
            if (!classes.isEmpty())
                h += QStringLiteral(" class=\"%1\"").arg(classes.join(u' '));
            if (!c.hint.isEmpty())
                h += QStringLiteral(" title=\"%1\"").arg(htmlEscape(c.hint));
            h += QLatin1Char('>') + htmlEscape(c.text) + QStringLiteral("</td>");
        }
        h += QStringLiteral("</tr>\n");
    }
    h += QStringLiteral("</tbody></table>\n");
}

void chart(QString &h, const Chart &c, const RunStatistics &s) {
    const QByteArray png = chartPng(c, s, kChartWidth, c.height, 2.0);
    h += QStringLiteral("<div class=\"chart\" id=\"%1\"><h3>%2</h3><p class=\"note\">%3</p>")
             .arg(htmlEscape(c.id), htmlEscape(c.title), htmlEscape(c.caption));
    h += QStringLiteral("<img width=\"%1\" height=\"%2\" alt=\"%3\" src=\"data:image/png;base64,")
             .arg(kChartWidth)
             .arg(c.height)
             .arg(htmlEscape(c.title));
    h += QString::fromLatin1(png.toBase64());
    h += QStringLiteral("\"></div>\n");
}

} // namespace

QString htmlEscape(const QString &text) {
    QString out;
    out.reserve(text.size() + text.size() / 8);
    for (QChar c : text) {
        switch (c.unicode()) {
        case u'&':
            out += QStringLiteral("&amp;");
            break;
        case u'<':
            out += QStringLiteral("&lt;");
            break;
        case u'>':
            out += QStringLiteral("&gt;");
            break;
        case u'"':
            out += QStringLiteral("&quot;");
            break;
        case u'\'':
            out += QStringLiteral("&#39;");
            break;
        default:
            out += c;
        }
    }
    return out;
}

QString renderHtmlReport(const ReportModel &m, const RunStatistics &s) {
    QString h;
    h.reserve(1 << 20);
    h += QStringLiteral(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h += QStringLiteral("<title>%1 — %2 — hil report</title>\n")
             .arg(htmlEscape(m.verdict), htmlEscape(m.title));
    h += QStringLiteral("<style>") + QString::fromLatin1(kCss)
         + QStringLiteral("</style>\n</head>\n<body>\n<main>\n");

    h += QStringLiteral("<div class=\"top\"><div><h1>%1</h1><div class=\"sub\">%2</div></div>"
                        "<div class=\"brand\">hil test report</div></div>\n")
             .arg(htmlEscape(m.title), htmlEscape(m.subtitle));

    // The verdict and the worst problem: what a reader sees first.
    const QString tone = toneName(m.verdictTone);
    h += QStringLiteral("<section class=\"banner b-%1\" id=\"verdict\"><div class=\"v\">%2</div><div>")
             .arg(tone, htmlEscape(m.verdict));
    h += QStringLiteral("<div class=\"h\">%1</div>").arg(htmlEscape(m.headline));
    if (!m.headlineDetail.isEmpty())
        h += QStringLiteral("<div class=\"d\">%1</div>").arg(htmlEscape(m.headlineDetail));
    if (m.findings.size() > 1) {
        h += QStringLiteral("<ul>");
        for (qsizetype i = 1; i < m.findings.size(); ++i) {
            const Finding &f = m.findings[i];
            h += QStringLiteral("<li><span class=\"sev s-%1\">%2</span>%3")
                     .arg(toneName(style::severityTone(f.severity)), severityName(f.severity),
                          htmlEscape(f.title));
            if (!f.detail.isEmpty())
                h += QStringLiteral("<span class=\"fd\">%1</span>").arg(htmlEscape(f.detail));
            h += QStringLiteral("</li>");
        }
        if (m.moreFindings > 0)
            h += QStringLiteral("<li class=\"fd\">and %1 more</li>").arg(m.moreFindings);
        h += QStringLiteral("</ul>");
    }
    h += QStringLiteral("</div></section>\n");

    if (!m.whatBroke.isEmpty()) {
        h += QStringLiteral("<section id=\"what-broke\"><h2>%1</h2><dl class=\"meta wb\">")
                 .arg(htmlEscape(m.whatBrokeTitle));
        for (const MetaItem &i : m.whatBroke)
            h += QStringLiteral("<dt>%1</dt><dd>%2</dd>").arg(htmlEscape(i.label), htmlEscape(i.value));
        h += QStringLiteral("</dl></section>\n");
    }

    h += QStringLiteral("<nav><a href=\"#steps\">Steps</a>");
    if (m.comparison)
        h += QStringLiteral("<a href=\"#baseline\">Baseline</a>");
    h += QStringLiteral("<a href=\"#charts\">Charts</a><a href=\"#measurements\">Measurements</a>");
    if (!m.sweeps.isEmpty())
        h += QStringLiteral("<a href=\"#sweeps\">Sweeps</a>");
    if (m.faults)
        h += QStringLiteral("<a href=\"#faults\">Faults</a>");
    h += QStringLiteral("<a href=\"#failures\">Failures (%1)</a><a href=\"#events\">Events</a></nav>\n")
             .arg(m.failures.size());

    h += QStringLiteral("<section class=\"tiles\">");
    for (const Tile &t : m.tiles)
        h += QStringLiteral(
                 "<div class=\"tile c-%1\"><div class=\"l\">%2</div><div class=\"x\" title=\"%3\">%3</div>"
                 "<div class=\"s\">%4</div></div>")
                 .arg(toneName(t.tone), htmlEscape(t.label), htmlEscape(t.value), htmlEscape(t.sub));
    h += QStringLiteral("</section>\n");

    h += QStringLiteral("<dl class=\"meta\">");
    for (const MetaItem &i : m.meta)
        h += QStringLiteral("<dt>%1</dt><dd%2>%3</dd>")
                 .arg(htmlEscape(i.label), i.mono ? QStringLiteral(" class=\"mono\"") : QString(),
                      htmlEscape(i.value));
    h += QStringLiteral("</dl>\n");

    if (m.comparison)
        table(h, *m.comparison);
    table(h, m.steps);

    h += QStringLiteral("<h2 id=\"charts\">Charts</h2>\n");
    if (m.charts.isEmpty())
        h += QStringLiteral("<p class=\"empty\">Nothing to plot: no latencies were recorded.</p>\n");
    for (const Chart &c : m.charts)
        chart(h, c, s);

    table(h, m.measurements);
    for (const Chart &c : m.measurementCharts)
        chart(h, c, s);

    if (!m.sweeps.isEmpty()) {
        h += QStringLiteral("<h2 id=\"sweeps\">Sweeps</h2>\n<p class=\"note\">%1</p>\n")
                 .arg(htmlEscape(m.sweepsNote));
        for (const ReportModel::Sweep &sw : m.sweeps) {
            chart(h, sw.chart, s);
            table(h, sw.table, false);
        }
    }

    if (m.faults)
        table(h, *m.faults);

    h += QStringLiteral("<h2 id=\"failures\">Failures</h2>\n");
    if (m.failures.isEmpty())
        h += QStringLiteral("<p class=\"empty\">%1</p>\n").arg(htmlEscape(m.failuresTable.empty));
    else
        h += QStringLiteral(
                 "<p class=\"note\">In time order, with the device's answer exactly as received: bytes that "
                 "are not printable UTF-8 show as <span class=\"esc\">\\xNN</span>. %1</p>\n"
                 "<table class=\"failures\"><thead><tr><th class=\"n\">Time</th><th>Step</th><th>Verdict</th>"
                 "<th>Why</th><th>Device answered</th></tr></thead>\n<tbody>\n")
                 .arg(htmlEscape(m.failuresNote));
    for (qsizetype i = 0; i < m.failures.size(); ++i) {
        const FailureItem &f = m.failures[i];
        h += QStringLiteral("<tr><td class=\"n\">%1</td><td><b>%2</b> · %3<div class=\"ctx\">%4</div></td>"
                            "<td class=\"t-%5\">%6</td><td>%7</td><td>")
                 .arg(htmlEscape(f.time), htmlEscape(f.step), htmlEscape(f.device), htmlEscape(f.context),
                      toneName(f.tone), htmlEscape(f.verdict), htmlEscape(f.message));
        if (!f.answer.isEmpty())
            h += QStringLiteral("<code class=\"ans\">%1</code>").arg(withEscapes(f.answer, f.answerEscapes));
        if (!f.answerNote.isEmpty())
            h += QStringLiteral(" <span class=\"ctx\">%1</span>").arg(htmlEscape(f.answerNote));
        if (!f.exchanges.isEmpty()) {
            h += QStringLiteral("<details%1><summary>%2 lines before and during the step</summary><pre>")
                     .arg(i < 3 ? QStringLiteral(" open") : QString(), QString::number(f.exchanges.size()));
            for (const ExchangeItem &x : f.exchanges)
                h += QStringLiteral("%1 <span class=\"dir\">%2</span>%3\n")
                         .arg(htmlEscape(x.time), x.toDevice ? QStringLiteral("→") : QStringLiteral("←"),
                              withEscapes(x.text, x.escapes));
            h += QStringLiteral("</pre></details>");
        }
        h += QStringLiteral("</td></tr>\n");
    }
    if (!m.failures.isEmpty())
        h += QStringLiteral("</tbody></table>\n");

    table(h, m.events);
    if (!m.eventsNote.isEmpty())
        h += QStringLiteral("<p class=\"note\">%1</p>\n").arg(htmlEscape(m.eventsNote));

    h += QStringLiteral("<footer>%1</footer>\n</main>\n</body>\n</html>\n").arg(htmlEscape(m.footer));
    return h;
}

bool writeHtmlReport(const ReportModel &model, const RunStatistics &stats, const QString &path,
                     QString *error) {
    const QByteArray data = renderHtmlReport(model, stats).toUtf8();
    return AtomicFile::writeWhole(path, data, error);
}

} // namespace hil::report
