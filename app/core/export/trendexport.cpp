#include "core/export/trendexport.h"

#include <QDateTime>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <functional>

namespace hil {

namespace {

QString csvField(const QString &s) {
    if (!s.contains(u',') && !s.contains(u'"') && !s.contains(u'\n'))
        return s;
    return u'"' + QString(s).replace(u'"', QStringLiteral("\"\"")) + u'"';
}

QString num(std::optional<double> v, int decimals) {
    return v ? QString::number(*v, 'f', decimals) : QString();
}

QString esc(const QString &s) {
    return s.toHtmlEscaped();
}

const char *const kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd",
                                "#8c564b", "#e377c2", "#17becf", "#7f7f7f"};

struct Series {
    QString name;
    QString color;
    QList<QPair<int, double>> points; // night index, value
    QList<bool> flagged;
};

// A line chart over the nights: one polyline per series, points ringed red where their row regressed.
QString svgChart(const QString &title, const QString &unit, const QList<QDate> &nights,
                 const QList<Series> &series) {
    const int w = 860, h = 240, left = 64, right = 16, top = 28, bottom = 40;
    double lo = 0, hi = 0;
    bool any = false;
    for (const Series &s : series)
        for (const auto &p : s.points) {
            if (!any)
                lo = hi = p.second;
            lo = std::min(lo, p.second);
            hi = std::max(hi, p.second);
            any = true;
        }
    QString svg =
        QStringLiteral("<figure><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" height=\"%2\" "
                       "viewBox=\"0 0 %1 %2\" role=\"img\" aria-label=\"%3\">")
            .arg(w)
            .arg(h)
            .arg(esc(title));
    svg += QStringLiteral("<text x=\"%1\" y=\"18\" class=\"t\">%2 (%3)</text>")
               .arg(left)
               .arg(esc(title), esc(unit));
    if (!any) {
        svg += QStringLiteral("<text x=\"%1\" y=\"%2\">no data</text></svg></figure>").arg(left).arg(h / 2);
        return svg;
    }
    if (lo > 0 && lo < hi * 0.5)
        lo = 0;
    if (hi == lo) {
        hi += std::max(1e-9, std::abs(hi) * 0.1);
        lo -= std::max(1e-9, std::abs(lo) * 0.1);
    }
    const double span = hi - lo;
    const auto x = [&](int i) {
        return nights.size() <= 1 ? left + (w - left - right) / 2.0
                                  : left + (w - left - right) * static_cast<double>(i) / (nights.size() - 1);
    };
    const auto y = [&](double v) { return top + (h - top - bottom) * (1 - (v - lo) / span); };
    for (int k = 0; k <= 4; ++k) {
        const double v = lo + span * k / 4;
        svg += QStringLiteral("<line x1=\"%1\" x2=\"%2\" y1=\"%3\" y2=\"%3\" class=\"g\"/>"
                              "<text x=\"%4\" y=\"%5\" class=\"a\" text-anchor=\"end\">%6</text>")
                   .arg(left)
                   .arg(w - right)
                   .arg(y(v), 0, 'f', 1)
                   .arg(left - 6)
                   .arg(y(v) + 4, 0, 'f', 1)
                   .arg(QString::number(v, 'g', 3));
    }
    const int labelEvery = std::max<int>(1, static_cast<int>(nights.size() / 10));
    for (int i = 0; i < nights.size(); i += labelEvery)
        svg += QStringLiteral("<text x=\"%1\" y=\"%2\" class=\"a\" text-anchor=\"middle\">%3</text>")
                   .arg(x(i), 0, 'f', 1)
                   .arg(h - bottom + 16)
                   .arg(nights[i].toString(QStringLiteral("MM-dd")));
    for (const Series &s : series) {
        QString path;
        for (const auto &p : s.points)
            path += QStringLiteral("%1,%2 ").arg(x(p.first), 0, 'f', 1).arg(y(p.second), 0, 'f', 1);
        svg += QStringLiteral("<polyline points=\"%1\" fill=\"none\" stroke=\"%2\" stroke-width=\"2\"/>")
                   .arg(path.trimmed(), s.color);
        for (qsizetype i = 0; i < s.points.size(); ++i) {
            const auto &p = s.points[i];
            svg += QStringLiteral(
                       "<circle cx=\"%1\" cy=\"%2\" r=\"3.5\" fill=\"%3\"><title>%4 %5: %6</title></circle>")
                       .arg(x(p.first), 0, 'f', 1)
                       .arg(y(p.second), 0, 'f', 1)
                       .arg(s.color, esc(nights[p.first].toString(Qt::ISODate)), esc(s.name))
                       .arg(QString::number(p.second, 'g', 5));
            if (s.flagged.value(i))
                svg += QStringLiteral("<circle cx=\"%1\" cy=\"%2\" r=\"8\" class=\"reg\"/>")
                           .arg(x(p.first), 0, 'f', 1)
                           .arg(y(p.second), 0, 'f', 1);
        }
    }
    QString legend;
    for (const Series &s : series)
        legend +=
            QStringLiteral("<span style=\"color:%1\">&#9632;</span> %2 &nbsp; ").arg(s.color, esc(s.name));
    svg += QStringLiteral("</svg><figcaption>%1</figcaption></figure>").arg(legend);
    return svg;
}

} // namespace

QByteArray trendCsv(const QList<TrendRow> &rows) {
    const QStringList kinds = trendFaultKinds(rows);
    QString out =
        QStringLiteral("night,firmware,runs,passed,finished,pass_rate,step_results,step_failure_rate,"
                       "latency_p50_ms,latency_p99_ms,availability");
    for (const QString &k : kinds)
        out += QStringLiteral(",mttr_%1_ms").arg(csvField(k));
    out += QStringLiteral(",regression\n");
    for (const TrendRow &r : rows) {
        const auto p50 = r.latencyPercentileNs(0.5), p99 = r.latencyPercentileNs(0.99);
        out += QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9,%10,%11")
                   .arg(r.night.toString(Qt::ISODate), csvField(r.firmware))
                   .arg(r.runs)
                   .arg(r.passed)
                   .arg(r.finished)
                   .arg(num(r.passRate(), 4))
                   .arg(r.stepResults)
                   .arg(num(r.stepFailureRate(), 6))
                   .arg(num(p50 ? std::optional<double>(*p50 / 1e6) : std::nullopt, 3),
                        num(p99 ? std::optional<double>(*p99 / 1e6) : std::nullopt, 3),
                        num(r.availability(), 6));
        for (const QString &k : kinds) {
            const auto m = r.meanRecoveryNs(k);
            out += u',' + num(m ? std::optional<double>(*m / 1e6) : std::nullopt, 1);
        }
        out += u',' + csvField(r.regressions.join(QStringLiteral("; "))) + u'\n';
    }
    return out.toUtf8();
}

QByteArray trendHtml(const QList<TrendRow> &rows, const QString &title) {
    QList<QDate> nights;
    QStringList firmwares;
    for (const TrendRow &r : rows) {
        if (!nights.contains(r.night))
            nights.append(r.night);
        if (!firmwares.contains(r.firmware))
            firmwares.append(r.firmware);
    }
    std::sort(nights.begin(), nights.end());
    // flagKey: the start of the regression sentences that concern this chart's figure.
    const auto seriesOf = [&](const QString &flagKey,
                              const std::function<std::optional<double>(const TrendRow &)> &value,
                              const QString &suffix = QString(), int colorOffset = 0) {
        QList<Series> out;
        for (qsizetype f = 0; f < firmwares.size(); ++f) {
            Series s;
            s.name = (firmwares[f].isEmpty() ? QStringLiteral("(no firmware)") : firmwares[f]) + suffix;
            s.color = QString::fromLatin1(kPalette[(f + colorOffset) % 8]);
            for (const TrendRow &r : rows)
                if (r.firmware == firmwares[f])
                    if (const auto v = value(r)) {
                        s.points.append({static_cast<int>(nights.indexOf(r.night)), *v});
                        s.flagged.append(
                            std::any_of(r.regressions.cbegin(), r.regressions.cend(),
                                        [&](const QString &why) { return why.startsWith(flagKey); }));
                    }
            out.append(s);
        }
        return out;
    };
    QString body;
    int flagged = 0;
    QString list;
    for (const TrendRow &r : rows)
        for (const QString &why : r.regressions) {
            ++flagged;
            list += QStringLiteral("<li><b>%1 %2</b>: %3</li>")
                        .arg(r.night.toString(Qt::ISODate), esc(r.firmware), esc(why));
        }
    body += flagged
                ? QStringLiteral("<h2 class=\"bad\">%1 regression(s)</h2><ul>%2</ul>").arg(flagged).arg(list)
                : QStringLiteral("<h2 class=\"good\">No regression flagged</h2>");
    body += svgChart(QStringLiteral("Pass rate"), QStringLiteral("%"), nights,
                     seriesOf(QStringLiteral("pass rate"), [](const TrendRow &r) {
                         return r.passRate() ? std::optional<double>(*r.passRate() * 100) : std::nullopt;
                     }));
    QList<Series> latency = seriesOf(
        QStringLiteral("p50 latency"),
        [](const TrendRow &r) {
            const auto v = r.latencyPercentileNs(0.5);
            return v ? std::optional<double>(*v / 1e6) : std::nullopt;
        },
        QStringLiteral(" p50"));
    latency += seriesOf(
        QStringLiteral("p99 latency"),
        [](const TrendRow &r) {
            const auto v = r.latencyPercentileNs(0.99);
            return v ? std::optional<double>(*v / 1e6) : std::nullopt;
        },
        QStringLiteral(" p99"), 4);
    body += svgChart(QStringLiteral("Latency p50 and p99"), QStringLiteral("ms"), nights, latency);
    body +=
        svgChart(QStringLiteral("Availability"), QStringLiteral("%"), nights,
                 seriesOf(QStringLiteral("availability"), [](const TrendRow &r) {
                     return r.availability() ? std::optional<double>(*r.availability() * 100) : std::nullopt;
                 }));
    QList<Series> mttr;
    const QStringList kinds = trendFaultKinds(rows);
    for (qsizetype k = 0; k < kinds.size(); ++k)
        mttr += seriesOf(
            QStringLiteral("mean time to recover from ") + kinds[k],
            [&](const TrendRow &r) {
                const auto v = r.meanRecoveryNs(kinds[k]);
                return v ? std::optional<double>(*v / 1e6) : std::nullopt;
            },
            u' ' + kinds[k], static_cast<int>(k) * 2);
    body +=
        svgChart(QStringLiteral("Mean time to recover, by fault kind"), QStringLiteral("ms"), nights, mttr);

    QString table =
        QStringLiteral("<table><tr><th>night</th><th>firmware</th><th>runs</th><th>pass</th><th>step "
                       "failures</th><th>p50 ms</th><th>p99 ms</th><th>availability</th>");
    for (const QString &k : kinds)
        table += QStringLiteral("<th>MTTR %1 ms</th>").arg(esc(k));
    table += QStringLiteral("<th>regression</th></tr>");
    for (const TrendRow &r : rows) {
        const auto p50 = r.latencyPercentileNs(0.5), p99 = r.latencyPercentileNs(0.99);
        table +=
            QStringLiteral("<tr%1><td>%2</td><td>%3</td><td>%4</td><td>%5/%6</td><td>%7</td><td>%8</"
                           "td><td>%9</td><td>%10</td>")
                .arg(r.regressions.isEmpty() ? QString() : QStringLiteral(" class=\"bad\""),
                     r.night.toString(Qt::ISODate), esc(r.firmware))
                .arg(r.runs)
                .arg(r.passed)
                .arg(r.finished)
                .arg(r.stepFailureRate() ? QString::number(*r.stepFailureRate() * 100, 'f', 3) + u'%'
                                         : QString(),
                     p50 ? QString::number(*p50 / 1e6, 'f', 3) : QString(),
                     p99 ? QString::number(*p99 / 1e6, 'f', 3) : QString(),
                     r.availability() ? QString::number(*r.availability() * 100, 'f', 3) + u'%' : QString());
        for (const QString &k : kinds) {
            const auto m = r.meanRecoveryNs(k);
            table += QStringLiteral("<td>%1</td>").arg(m ? QString::number(*m / 1e6, 'f', 1) : QString());
        }
        table += QStringLiteral("<td>%1</td></tr>")
                     .arg(r.regressions.isEmpty()
                              ? (r.enoughHistory ? QString() : QStringLiteral("not enough history"))
                              : esc(r.regressions.join(QStringLiteral("; "))));
    }
    table += QStringLiteral("</table>");
    const QString html =
        QStringLiteral(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%1</title><style>"
            "body{font-family:'DejaVu Sans',sans-serif;margin:24px;color:#222}h1{font-size:20px}"
            "h2{font-size:16px}.bad{color:#b00020}.good{color:#1b7a1b}figure{margin:8px 0 18px}"
            "svg .g{stroke:#ddd}svg .a{font-size:11px;fill:#555}svg .t{font-size:13px;font-weight:bold}"
            "svg .reg{fill:none;stroke:#d00;stroke-width:2}table{border-collapse:collapse;font-size:12px}"
            "td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f3f3f3}"
            "tr.bad td{background:#fde8ea;color:#222}figcaption{font-size:12px}"
            "</style></head><body><h1>%1</h1><p>%2 night(s), %3 firmware version(s); made %4 UTC. "
            "Latency percentiles come from merged histograms (within 3.1 %); a night is compared "
            "with the nights before it (docs/reports.md, Trends).</p>%5%6</body></html>\n")
            .arg(esc(title))
            .arg(nights.size())
            .arg(firmwares.size())
            .arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd HH:mm")), body, table);
    return html.toUtf8();
}

} // namespace hil
