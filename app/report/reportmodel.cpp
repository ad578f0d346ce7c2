#include "reportmodel.h"

#include "chartselection.h"
#include "core/analysis/runcomparison.h"
#include "core/analysis/whatbroke.h"
#include "core/base/duration.h"
#include "core/base/printable.h"
#include "core/base/reportformat.h"

#include <QCoreApplication>
#include <QDateTime>
#include <algorithm>
#include <cmath>

namespace hil::report {

namespace {

QString pt(const QString &s) {
    return printableText(s);
}

QString orDash(const QString &s) {
    return s.isEmpty() ? QStringLiteral("—") : pt(s);
}

QString count(qint64 n) {
    // Narrow no-break spaces between thousands keep large counts readable in every format, and one count
    // is never broken over two lines.
    QString s = QString::number(n < 0 ? -n : n);
    for (qsizetype i = s.size() - 3; i > 0; i -= 3)
        s.insert(i, QChar(0x202F));
    return n < 0 ? QLatin1Char('-') + s : s;
}

QString duration(double ns) {
    return formatDuration(Nanoseconds(static_cast<qint64>(ns)));
}

Cell num(const QString &text, Tone tone = Tone::Neutral) {
    return {text, tone, false, false, {}};
}

Cell txt(const QString &text, Tone tone = Tone::Neutral, bool strong = false) {
    return {text, tone, strong, false, {}};
}

QString latencyCell(qint64 count, qint64 ns) {
    return count > 0 ? formatMs(static_cast<double>(ns)) : QStringLiteral("—");
}

void buildHeader(ReportModel &m, const RunStatistics &s, const QString &dbPath) {
    const RunHeader &h = s.run;
    m.title = orDash(h.scenario);
    m.subtitle = QStringLiteral("Run %1 · %2").arg(QString::number(h.id), pt(h.uuid));
    m.verdict = h.unfinished() ? QStringLiteral("UNFINISHED") : pt(h.verdict);
    m.verdictTone = h.unfinished() ? Tone::Error : verdictTone(h.verdict);

    const qint64 total = s.stepResultCount();
    if (!s.findings.isEmpty()) {
        m.headline = pt(s.findings.first().title);
        m.headlineDetail = pt(s.findings.first().detail);
    } else if (total > 0) {
        m.headline = QStringLiteral("All %1 step results passed").arg(count(total));
        m.headlineDetail =
            QStringLiteral("No failures, bench errors, outages or measurements near their limits.");
    } else {
        m.headline = QStringLiteral("The run recorded no step results");
    }
    for (qsizetype i = 0; i < s.findings.size() && i < 8; ++i) {
        Finding f = s.findings[i];
        f.title = pt(f.title);
        f.detail = pt(f.detail);
        m.findings.append(f);
    }
    m.moreFindings = static_cast<int>(std::max<qsizetype>(0, s.findings.size() - 8));
    const bool passed = h.verdict == u"PASS" && !h.unfinished();
    m.whatBrokeTitle = passed ? QStringLiteral("What the PASS rests on") : QStringLiteral("What broke");
    for (const WhatBrokeItem &i : whatBroke(s))
        m.whatBroke.append({pt(i.label), pt(i.text), false});

    const auto path = [](const QString &name, const QString &file) {
        return file.isEmpty() ? orDash(name) : QStringLiteral("%1 (%2)").arg(pt(name), pt(file));
    };
    m.meta = {
        {QStringLiteral("Scenario"), path(h.scenario, h.scenarioPath), false},
        {QStringLiteral("Fixture"), path(h.fixture, h.fixturePath), false},
        {QStringLiteral("Station"), orDash(h.station), false},
        {QStringLiteral("DUT serial"), orDash(h.dutSerial), true},
        {QStringLiteral("Firmware"), orDash(h.firmware), true},
        {QStringLiteral("Seed"), QString::number(h.seed), true},
        {QStringLiteral("Started"), formatWallClock(h.startedAtNs), false},
        {QStringLiteral("Ended"),
         h.endedAtNs ? formatWallClock(*h.endedAtNs) : QStringLiteral("— (did not finish)"), false},
        {QStringLiteral("Duration"),
         h.durationNs ? duration(static_cast<double>(*h.durationNs))
                      : QStringLiteral("%1 recorded").arg(duration(static_cast<double>(s.spanNs))),
         false},
        {QStringLiteral("Iterations"), count(h.iterations), false},
        {QStringLiteral("Host"), orDash(h.host), false},
        {QStringLiteral("Database"), pt(dbPath), true},
    };
    if (!h.reason.isEmpty())
        m.meta.append({QStringLiteral("Ended early"), pt(h.reason), false});
}

void buildTiles(ReportModel &m, const RunStatistics &s) {
    qint64 pass = 0, fail = 0, error = 0, abort = 0, marginal = 0;
    for (const StepStatistics &st : s.steps) {
        pass += st.pass;
        fail += st.fail;
        error += st.error;
        abort += st.abort;
        marginal += st.marginal;
    }
    qint64 expected = 0;
    for (const StepStatistics &st : s.steps)
        expected += st.expected;
    QString sub = QStringLiteral("%1 pass · %2 fail · %3 error").arg(count(pass), count(fail), count(error));
    if (expected)
        sub += QStringLiteral(" · %1 expected in faults").arg(count(expected));
    if (abort)
        sub += QStringLiteral(" · %1 aborted").arg(count(abort));
    if (marginal)
        sub += QStringLiteral(" · %1 marginal").arg(count(marginal));
    if (s.retriedCount)
        sub += QStringLiteral(" · %1 retried %2")
                   .arg(count(s.retriedCount),
                        s.retriedCount == 1 ? QStringLiteral("try") : QStringLiteral("tries"));
    m.tiles.append({QStringLiteral("Step results"), count(pass + fail + error + abort + expected), sub,
                    error  ? Tone::Error
                    : fail ? Tone::Bad
                    : pass ? Tone::Good
                           : Tone::Muted});

    const Proportion &fr = s.failureRate;
    m.tiles.append({QStringLiteral("Failure rate"), fr.trials ? formatPercent(fr.rate) : QStringLiteral("—"),
                    fr.trials
                        ? QStringLiteral("95 % CI %1 – %2").arg(formatPercent(fr.low), formatPercent(fr.high))
                        : QStringLiteral("no checks"),
                    fr.successes ? Tone::Bad
                    : fr.trials  ? Tone::Good
                                 : Tone::Muted});

    const DeviceAvailability *worst = nullptr;
    for (const DeviceAvailability &d : s.devices) {
        if (d.availability && (!worst || *d.availability < *worst->availability))
            worst = &d;
    }
    QString availSub = QStringLiteral("no outage");
    if (s.failureEpisodes > 0 && worst)
        availSub = QStringLiteral("%1 outages · longest %2")
                       .arg(count(s.failureEpisodes), duration(static_cast<double>(worst->longestOutageNs)));
    if (s.devices.size() > 1 && worst)
        availSub +=
            QStringLiteral(" · worst %1 %2").arg(pt(worst->device), formatPercent(*worst->availability));
    m.tiles.append({QStringLiteral("Availability"),
                    s.availability ? formatPercent(*s.availability) : QStringLiteral("—"), availSub,
                    !s.availability            ? Tone::Muted
                    : *s.availability >= 0.999 ? Tone::Good
                    : *s.availability >= 0.99  ? Tone::Warn
                                               : Tone::Bad});

    m.tiles.append(
        {QStringLiteral("Mean time between failures"), s.mtbfNs ? duration(*s.mtbfNs) : QStringLiteral("—"),
         s.mtbfNs ? QStringLiteral("%1 failure episodes").arg(count(s.failureEpisodes))
                  : QStringLiteral("no failure in %1 up").arg(duration(static_cast<double>(s.upNs))),
         s.mtbfNs ? Tone::Warn : Tone::Good});

    const LatencySummary &l = s.latency;
    m.tiles.append({QStringLiteral("Latency p95"),
                    l.count ? formatLatency(static_cast<double>(l.p95Ns)) : QStringLiteral("—"),
                    l.count ? QStringLiteral("p50 %1 · p99 %2 · max %3")
                                  .arg(formatLatency(static_cast<double>(l.p50Ns)),
                                       formatLatency(static_cast<double>(l.p99Ns)),
                                       formatLatency(static_cast<double>(l.maxNs)))
                            : QStringLiteral("no answers"),
                    Tone::Neutral});

    QList<qint64> rec;
    int unrecovered = 0;
    for (const FaultStatistics &f : s.faults) {
        if (f.recoveryNs)
            rec.append(*f.recoveryNs);
        else if (f.endNs && f.recoveryTracked())
            ++unrecovered;
    }
    std::sort(rec.begin(), rec.end());
    QString faultValue = s.faults.isEmpty() ? QStringLiteral("—")
                         : rec.isEmpty()    ? QStringLiteral("none")
                                            : duration(static_cast<double>(rec.last()));
    QString faultSub = s.faults.isEmpty() ? QStringLiteral("no faults injected")
                                          : QStringLiteral("slowest of %1 faults").arg(s.faults.size());
    if (!rec.isEmpty())
        faultSub +=
            QStringLiteral(" · median %1").arg(duration(static_cast<double>(rec[(rec.size() - 1) / 2])));
    if (unrecovered)
        faultSub += QStringLiteral(" · %1 never recovered").arg(unrecovered);
    m.tiles.append({QStringLiteral("Recovery after faults"), faultValue, faultSub,
                    unrecovered          ? Tone::Bad
                    : s.faults.isEmpty() ? Tone::Muted
                                         : Tone::Neutral});

    m.tiles.append({QStringLiteral("Longest failure streak"), count(s.longestFailStreak),
                    s.longestFailStreak
                        ? QStringLiteral("%1 from %2")
                              .arg(pt(s.longestFailStreakStep), formatOffset(s.longestFailStreakStartNs))
                        : QStringLiteral("no failures in a row"),
                    s.longestFailStreak > 1 ? Tone::Bad
                    : s.longestFailStreak   ? Tone::Warn
                                            : Tone::Good});

    const MeasurementStatistics *lowest = nullptr;
    for (const MeasurementStatistics &ms : s.measurements) {
        if (ms.cpk && (!lowest || *ms.cpk < *lowest->cpk))
            lowest = &ms;
    }
    const auto flaky = s.flakySteps();
    QString cpkSub =
        lowest ? QStringLiteral("%1 · %2 flaky steps").arg(pt(lowest->name), QString::number(flaky.size()))
               : QStringLiteral("%1 flaky steps").arg(flaky.size());
    m.tiles.append({QStringLiteral("Lowest Cpk"),
                    lowest ? QString::number(*lowest->cpk, 'f', 2) : QStringLiteral("—"), cpkSub,
                    !lowest                ? Tone::Muted
                    : *lowest->cpk >= 1.33 ? Tone::Good
                    : *lowest->cpk >= 1.0  ? Tone::Warn
                                           : Tone::Bad});
}

void buildComparison(ReportModel &m, const RunComparison &c) {
    Table t;
    t.id = QStringLiteral("baseline");
    t.title = QStringLiteral("Against baseline run %1").arg(c.baseline.id);
    t.note = QStringLiteral(
                 "Baseline: %1, firmware %2, started %3. A latency percentile regresses past +%4 and +%5; "
                 "the pass rate regresses when the 95 % interval of the change in failure rate lies above 0.")
                 .arg(pt(c.baseline.scenario), orDash(c.baseline.firmware),
                      formatWallClock(c.baseline.startedAtNs), formatPercent(c.options.latencyThreshold),
                      formatLatency(static_cast<double>(c.options.minLatencyDeltaNs)));
    t.columns = {{QStringLiteral("Step"), false, 2.2},   {QStringLiteral("Device"), false, 1.0},
                 {QStringLiteral("p50 ms"), true, 1.3},  {QStringLiteral("p95 ms"), true, 1.3},
                 {QStringLiteral("p99 ms"), true, 1.3},  {QStringLiteral("Pass rate"), true, 1.6},
                 {QStringLiteral("Verdict"), false, 2.6}};
    const auto change = [](const LatencySummary &a, const LatencySummary &b, qint64 LatencySummary::*p) {
        if (a.count == 0 || b.count == 0)
            return QStringLiteral("—");
        return QStringLiteral("%1 → %2").arg(formatMs(static_cast<double>(a.*p)),
                                             formatMs(static_cast<double>(b.*p)));
    };
    for (const StepComparison &s : c.steps) {
        QList<Cell> row;
        row.append(txt(pt(s.step)));
        row.append(txt(pt(s.device)));
        if (!s.inBaseline || !s.inCandidate) {
            for (int i = 0; i < 4; ++i)
                row.append(num(QStringLiteral("—"), Tone::Muted));
            row.append(
                txt(s.inBaseline ? QStringLiteral("only in the baseline") : QStringLiteral("new in this run"),
                    Tone::Muted));
        } else {
            const bool lat = s.latencyRegression;
            row.append(num(change(s.baseline, s.candidate, &LatencySummary::p50Ns),
                           lat ? Tone::Bad : Tone::Neutral));
            row.append(num(change(s.baseline, s.candidate, &LatencySummary::p95Ns),
                           lat ? Tone::Bad : Tone::Neutral));
            row.append(num(change(s.baseline, s.candidate, &LatencySummary::p99Ns),
                           lat ? Tone::Bad : Tone::Neutral));
            row.append(num(QStringLiteral("%1 → %2").arg(formatPercent(s.baselinePass.rate),
                                                         formatPercent(s.candidatePass.rate)),
                           s.passRateRegression ? Tone::Bad : Tone::Neutral));
            Cell v = txt(s.regression() ? QStringLiteral("REGRESSION") : QStringLiteral("ok"),
                         s.regression() ? Tone::Bad : Tone::Good, s.regression());
            v.hint = s.reasons.join(QStringLiteral("; "));
            if (s.regression())
                v.text += QStringLiteral(": ") + s.reasons.join(QStringLiteral("; "));
            row.append(v);
        }
        t.rows.append(row);
    }
    m.comparison = t;
}

void buildSteps(ReportModel &m, const RunStatistics &s) {
    Table &t = m.steps;
    t.id = QStringLiteral("steps");
    t.title = QStringLiteral("Steps");
    t.note = QStringLiteral(
        "Latency in ms, send to answer, nearest-rank percentiles. Failure rate: FAIL among PASS + FAIL, "
        "with its 95 % Wilson interval.");
    t.columns = {{QStringLiteral("Step"), false, 2.6},     {QStringLiteral("Device"), false, 1.2},
                 {QStringLiteral("Runs"), true, 1.0},      {QStringLiteral("Pass"), true, 1.0},
                 {QStringLiteral("Fail"), true, 0.8},      {QStringLiteral("Error"), true, 0.8},
                 {QStringLiteral("Fail rate"), true, 1.3}, {QStringLiteral("p50"), true, 0.9},
                 {QStringLiteral("p90"), true, 0.9},       {QStringLiteral("p95"), true, 0.9},
                 {QStringLiteral("p99"), true, 0.9},       {QStringLiteral("p99.9"), true, 0.9},
                 {QStringLiteral("Max"), true, 0.9}};
    t.empty = QStringLiteral("No step results were recorded.");
    // Failures during injected faults get their own column when there are any.
    const bool expectedColumn = s.expectedCount > 0;
    if (expectedColumn) {
        t.columns.insert(6, {QStringLiteral("In faults"), true, 0.9});
        t.note += QStringLiteral(" In faults: FAIL or ERROR while a fault acted (expected, not counted).");
    }
    // Tries of retry/until steps that a later try followed: shown, counted in neither Runs nor Fail.
    const bool retriedColumn = s.retriedCount > 0;
    if (retriedColumn) {
        t.columns.insert(expectedColumn ? 7 : 6, {QStringLiteral("Retried"), true, 1.2});
        t.note += QStringLiteral(" Retried: tries that a later try of the same exchange followed (retry or "
                                 "until); only the last try counts, so they are in neither Runs nor Fail.");
    }
    for (const StepStatistics &st : s.steps) {
        QList<Cell> row;
        QString name = pt(st.step);
        if (st.phase != u"steps")
            name = QStringLiteral("%1 (%2)").arg(name, st.phase);
        Cell c = txt(name, Tone::Neutral, true);
        if (st.flaky())
            c.text += QStringLiteral(" · flaky");
        c.hint = QStringLiteral("%1 changes between pass and fail; longest failure streak %2")
                     .arg(st.flips)
                     .arg(st.longestFailStreak);
        row.append(c);
        row.append(txt(pt(st.device)));
        row.append(num(count(st.results)));
        row.append(num(count(st.pass), st.pass ? Tone::Good : Tone::Neutral));
        row.append(num(count(st.fail), st.fail ? Tone::Bad : Tone::Muted));
        row.append(num(count(st.error), st.error ? Tone::Error : Tone::Muted));
        if (expectedColumn)
            row.append(num(count(st.expected), Tone::Muted));
        if (retriedColumn) {
            // "2 of 3 tries": two tries retried before the one that counted.
            Cell tries = num(
                st.retried
                    ? QStringLiteral("%1 of %2 tries").arg(count(st.retried), count(st.retried + st.results))
                    : QStringLiteral("—"),
                st.retried ? Tone::Warn : Tone::Muted);
            if (st.retried)
                tries.hint = QStringLiteral("%1 tries retried, %2 counted (the last try of each exchange)")
                                 .arg(st.retried)
                                 .arg(st.results);
            row.append(tries);
        }
        Cell rate = num(st.failureRate.trials ? formatPercent(st.failureRate.rate) : QStringLiteral("—"),
                        st.fail ? Tone::Bad : Tone::Neutral);
        if (st.failureRate.trials)
            rate.hint = QStringLiteral("95 % CI %1 – %2")
                            .arg(formatPercent(st.failureRate.low), formatPercent(st.failureRate.high));
        row.append(rate);
        const LatencySummary &l = st.latency;
        for (qint64 v : {l.p50Ns, l.p90Ns, l.p95Ns, l.p99Ns, l.p999Ns, l.maxNs})
            row.append(num(latencyCell(l.count, v), l.count ? Tone::Neutral : Tone::Muted));
        t.rows.append(row);
    }
}

void buildCharts(ReportModel &m, const RunStatistics &s) {
    const int withLatency = stepsWithLatency(s);
    const QString faultsNote =
        s.faults.isEmpty() ? QString() : QStringLiteral(" Shaded: fault windows (%1).").arg(s.faults.size());
    const QString stepsNote =
        withLatency > kMaxStepSeries
            ? QStringLiteral(
                  " Shown: the %1 of %2 steps with the highest p99 (every step is in the Steps table).")
                  .arg(kMaxStepSeries)
                  .arg(withLatency)
            : QString();
    if (withLatency > 0) {
        m.charts.append(
            {ChartKind::LatencyOverTime, 0, QStringLiteral("latency-time"),
             QStringLiteral("Latency over time"),
             QStringLiteral("Each step's latency against the run's clock%1. Red marks at the bottom: "
                            "failures.%2%3")
                 .arg(std::none_of(s.steps.cbegin(), s.steps.cend(),
                                   [](const StepStatistics &st) { return st.latencyOverTime.binned; })
                          ? QString()
                          : QStringLiteral("; a step with many results per %1 interval: line p50, band p50 "
                                           "to p99, dotted the interval's max")
                                .arg(duration(static_cast<double>(s.binNs))),
                      faultsNote, stepsNote),
             300});
        m.charts.append({ChartKind::LatencyHistogram, 0, QStringLiteral("latency-histogram"),
                         QStringLiteral("Latency distribution"),
                         QStringLiteral("Results per latency bin, log-spaced bins on a log axis; dashed "
                                        "lines mark each step's p99.%1")
                             .arg(stepsNote),
                         260});
    }
    if (!s.devices.isEmpty()) {
        const QList<int> rows = availabilityDevicesShown(s);
        QString devicesNote;
        if (rows.size() < s.devices.size()) {
            // The best availability among the devices drawn: every device left out did at least as well.
            double floor = 1;
            for (const int i : rows)
                floor = std::min(floor, s.devices[i].availability.value_or(1.0));
            double best = 0;
            for (const int i : rows)
                best = std::max(best, s.devices[i].availability.value_or(0.0));
            devicesNote =
                QStringLiteral(" Shown: the %1 of %2 devices with the lowest availability (%3 to %4); "
                               "the other %5 are at %4 or better.")
                    .arg(rows.size())
                    .arg(s.devices.size())
                    .arg(formatPercent(floor), formatPercent(best))
                    .arg(s.devices.size() - rows.size());
        }
        m.charts.append(
            {ChartKind::Availability, 0, QStringLiteral("availability"), QStringLiteral("Availability"),
             QStringLiteral("Per device and interval: green answered within limits, amber failed part of the "
                            "interval, red failed all of it, grey bench error or no data.%1%2")
                 .arg(faultsNote, devicesNote),
             static_cast<int>(rows.size()) * 34 + 70});
    }
}

void buildMeasurements(ReportModel &m, const RunStatistics &s) {
    Table &t = m.measurements;
    t.id = QStringLiteral("measurements");
    t.title = QStringLiteral("Measurements");
    t.note = QStringLiteral("σ is the sample standard deviation. Cpk = min(high − mean, mean − low) / 3σ; "
                            "1.33 or more is a capable process.");
    t.columns = {{QStringLiteral("Measurement"), false, 1.6},
                 {QStringLiteral("Step"), false, 2.0},
                 {QStringLiteral("Samples"), true, 1.1},
                 {QStringLiteral("Mean"), true, 1.0},
                 {QStringLiteral("σ"), true, 0.9},
                 {QStringLiteral("Min"), true, 0.9},
                 {QStringLiteral("Max"), true, 0.9},
                 {QStringLiteral("Limits"), true, 1.3},
                 {QStringLiteral("Cpk"), true, 0.8},
                 {QStringLiteral("Fail"), true, 0.8},
                 {QStringLiteral("Marginal"), true, 1.0}};
    t.empty = QStringLiteral("No measurements were recorded.");
    const auto sweptStep = [&s](const MeasurementStatistics &ms) {
        bool swept = false;
        for (const StepStatistics &st : s.steps)
            swept = swept
                    || (st.swept && st.phase == ms.phase && st.stepIndex == ms.stepIndex
                        && st.device == ms.device);
        bool charted = false;
        for (const SweepStatistics &sw : s.sweeps)
            charted = charted || sw.measurement == ms.name;
        return swept && charted;
    };
    int sweptCharts = 0;
    for (int i = 0; i < s.measurements.size(); ++i) {
        const MeasurementStatistics &ms = s.measurements[i];
        QList<Cell> row;
        const QString unit = ms.unit.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(pt(ms.unit));
        row.append(txt(pt(ms.name) + unit, Tone::Neutral, true));
        row.append(txt(pt(ms.step)));
        QString samples = count(ms.samples);
        if (ms.nonNumeric)
            samples += QStringLiteral(" (%1 not numbers)").arg(count(ms.nonNumeric));
        row.append(num(samples));
        const bool any = ms.count > 0;
        for (double v : {ms.mean, ms.min, ms.max}) {
            // Beside limits and a marginal band, as many digits as it takes to place it against them.
            const QString shown = formatValueAgainst(v, {ms.low, ms.high, ms.marginalLow, ms.marginalHigh});
            row.append(num(any ? shown : QStringLiteral("—"), any ? Tone::Neutral : Tone::Muted));
            if (v == ms.mean) // sigma after the mean, as the columns say
                row.append(num(any ? formatValue(ms.stddev) : QStringLiteral("—"),
                               any ? Tone::Neutral : Tone::Muted));
        }
        row.append(num(formatRange(ms.low, ms.high).isEmpty() ? QStringLiteral("none")
                                                              : formatRange(ms.low, ms.high)));
        row.append(num(ms.cpk ? QString::number(*ms.cpk, 'f', 2) : QStringLiteral("—"),
                       !ms.cpk           ? Tone::Muted
                       : *ms.cpk >= 1.33 ? Tone::Good
                       : *ms.cpk >= 1.0  ? Tone::Warn
                                         : Tone::Bad));
        row.append(num(count(ms.fail), ms.fail ? Tone::Bad : Tone::Muted));
        row.append(num(count(ms.marginal), ms.marginal ? Tone::Warn : Tone::Muted));
        t.rows.append(row);
        // A swept step's measurement is a point of a sweep, charted under Sweeps against the swept values;
        // a chart over time per point would repeat it as many times as the sweep has points.
        if (sweptStep(ms)) {
            ++sweptCharts;
            continue;
        }
        m.measurementCharts.append(
            {ChartKind::Measurement, i, QStringLiteral("measurement-%1").arg(i),
             QStringLiteral("%1%2 over time").arg(pt(ms.name), unit),
             QStringLiteral(
                 "Step %1 on %2. Red zones: outside the limits %3; amber: outside the marginal band %4.%5")
                 .arg(pt(ms.step), pt(ms.device),
                      formatRange(ms.low, ms.high).isEmpty() ? QStringLiteral("(none)")
                                                             : formatRange(ms.low, ms.high),
                      formatRange(ms.marginalLow, ms.marginalHigh).isEmpty()
                          ? QStringLiteral("(none)")
                          : formatRange(ms.marginalLow, ms.marginalHigh),
                      ms.series.binned ? QStringLiteral(" Per %1 bin: line the mean, band min to max.")
                                             .arg(duration(static_cast<double>(ms.series.binNs)))
                                       : QString()),
             230});
    }
    if (sweptCharts > 0)
        t.note += QStringLiteral(" The measurements of swept steps are charted under Sweeps, against the "
                                 "swept values, not over time.");
}

void buildSweeps(ReportModel &m, const RunStatistics &s) {
    if (s.sweeps.isEmpty())
        return;
    m.sweepsNote = QStringLiteral(
        "Measurements of swept steps (for_each) against the swept values: per point the mean of its samples, "
        "min to max as error bars; a red ring marks a point with a failing sample. Retried tries are left "
        "out.");
    for (int i = 0; i < s.sweeps.size(); ++i) {
        const SweepStatistics &sw = s.sweeps[i];
        const QString unit = sw.unit.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(pt(sw.unit));
        ReportModel::Sweep section;
        QStringList curves;
        for (const SweepPoint &p : sw.points) {
            if (!curves.contains(sw.curveOf(p)))
                curves.append(sw.curveOf(p));
        }
        QString caption = QStringLiteral("%1 points over %2").arg(sw.points.size()).arg(pt(sw.xVariable));
        if (!sw.curveVariables.isEmpty())
            caption += QStringLiteral(", one curve per value of %1 (%2)")
                           .arg(pt(sw.curveVariables.join(QStringLiteral(", "))))
                           .arg(curves.size());
        if (!sw.numericX)
            caption += QStringLiteral("; %1 takes text values, shown as categories in sweep order")
                           .arg(pt(sw.xVariable));
        const QString limits = formatRange(sw.low, sw.high);
        caption += sw.limitsVary
                       ? QStringLiteral(". Dashed: each point's limits (they differ between points).")
                   : limits.isEmpty() ? QStringLiteral(". No limits.")
                                      : QStringLiteral(". Dashed: the limits %1.").arg(limits);
        if (curves.size() > 8)
            caption += QStringLiteral(" The first 8 curves are drawn; the table has them all.");
        section.chart = {ChartKind::Sweep,
                         i,
                         QStringLiteral("sweep-%1").arg(i),
                         QStringLiteral("%1%2 against %3").arg(pt(sw.measurement), unit, pt(sw.xVariable)),
                         caption,
                         260};
        Table &t = section.table;
        t.id = QStringLiteral("sweep-table-%1").arg(i);
        t.title = section.chart.title;
        for (const QString &v : sw.curveVariables)
            t.columns.append({pt(v), false, 1.1});
        t.columns.append({pt(sw.xVariable), sw.numericX, 1.1});
        t.columns.append({QStringLiteral("Samples"), true, 0.9});
        t.columns.append({QStringLiteral("Mean"), true, 1.0});
        t.columns.append({QStringLiteral("Min"), true, 1.0});
        t.columns.append({QStringLiteral("Max"), true, 1.0});
        if (sw.limitsVary)
            t.columns.append({QStringLiteral("Limits"), true, 1.3});
        t.columns.append({QStringLiteral("Pass"), true, 0.8});
        t.columns.append({QStringLiteral("Fail"), true, 0.8});
        t.columns.append({QStringLiteral("Marginal"), true, 0.9});
        for (const SweepPoint &p : sw.points) {
            QList<Cell> row;
            for (const QString &v : sw.curveVariables) {
                QVariant value;
                for (const Binding &b : p.values) {
                    if (b.name == v)
                        value = b.value;
                }
                row.append(txt(pt(sweepValueText(value))));
            }
            row.append(num(pt(sweepValueText(sw.xOf(p))), Tone::Neutral));
            row.last().strong = true;
            QString samples = count(p.samples);
            if (p.nonNumeric)
                samples += QStringLiteral(" (%1 not numbers)").arg(count(p.nonNumeric));
            row.append(num(samples));
            const bool any = p.samples > 0;
            for (double v : {p.mean, p.min, p.max})
                row.append(num(any ? formatValueAgainst(v, {p.low, p.high}) : QStringLiteral("—"),
                               any ? Tone::Neutral : Tone::Muted));
            if (sw.limitsVary)
                row.append(num(formatRange(p.low, p.high).isEmpty() ? QStringLiteral("none")
                                                                    : formatRange(p.low, p.high)));
            row.append(num(count(p.pass), p.pass ? Tone::Good : Tone::Muted));
            row.append(num(count(p.fail), p.fail ? Tone::Bad : Tone::Muted));
            row.append(num(count(p.marginal), p.marginal ? Tone::Warn : Tone::Muted));
            t.rows.append(row);
        }
        m.sweeps.append(section);
    }
}

void buildFaults(ReportModel &m, const RunStatistics &s) {
    if (s.faults.isEmpty())
        return;
    Table t;
    t.id = QStringLiteral("faults");
    t.title = QStringLiteral("Faults");
    t.note =
        s.faultsFromEvents
            ? QStringLiteral("From fault-start and fault-end events (the faults table holds none).")
            : QStringLiteral("Recovery: from the end of the fault to the device's first passing result.");
    t.columns = {{QStringLiteral("Start"), true, 1.3},     {QStringLiteral("Device"), false, 1.0},
                 {QStringLiteral("Fault"), false, 1.9},    {QStringLiteral("Duration"), true, 1.0},
                 {QStringLiteral("Recovery"), true, 1.0},  {QStringLiteral("Failed results"), true, 1.0},
                 {QStringLiteral("Link bytes"), true, 1.5}};
    for (const FaultStatistics &f : s.faults) {
        QList<Cell> row;
        row.append(num(formatOffset(f.startNs)));
        QString on = f.device.isEmpty() ? QStringLiteral("(all)") : pt(f.device);
        if (!f.serves.isEmpty())
            on += QStringLiteral(" → ") + pt(f.serves.join(QStringLiteral(", ")));
        row.append(txt(on));
        QString what = pt(f.kind);
        if (!f.target.isEmpty() && f.target != u"?")
            what = pt(f.target) + QLatin1Char(' ') + what;
        if (!f.direction.isEmpty())
            what += QStringLiteral(" (%1)").arg(pt(f.direction));
        if (f.manual)
            what += QStringLiteral(" · manual");
        Cell c = txt(what);
        c.hint = pt(f.params);
        row.append(c);
        row.append(num(f.endNs ? duration(static_cast<double>(*f.endNs - f.startNs))
                               : QStringLiteral("to the end")));
        if (!f.recoveryTracked()) {
            Cell untracked = num(QStringLiteral("not tracked"), Tone::Muted);
            untracked.hint = FaultStatistics::untrackedReason();
            row.append(untracked);
        } else {
            row.append(num(f.recoveryNs ? duration(static_cast<double>(*f.recoveryNs))
                           : f.endNs    ? QStringLiteral("never")
                                        : QStringLiteral("—"),
                           f.recoveryNs ? Tone::Neutral
                           : f.endNs    ? Tone::Bad
                                        : Tone::Muted));
        }
        row.append(num(count(f.failedResults), f.failedResults ? Tone::Warn : Tone::Muted));
        QStringList bytes;
        if (f.bytesDropped && *f.bytesDropped)
            bytes << QStringLiteral("%1 dropped").arg(count(*f.bytesDropped));
        if (f.bytesCorrupted && *f.bytesCorrupted)
            bytes << QStringLiteral("%1 corrupted").arg(count(*f.bytesCorrupted));
        if (f.bytesDelayed && *f.bytesDelayed)
            bytes << QStringLiteral("%1 delayed").arg(count(*f.bytesDelayed));
        row.append(num(bytes.isEmpty() ? QStringLiteral("—") : bytes.join(QStringLiteral(", ")),
                       bytes.isEmpty() ? Tone::Muted : Tone::Neutral));
        t.rows.append(row);
    }
    m.faults = t;
}

void buildFailures(ReportModel &m, const RunStatistics &s) {
    // The run's first failures, plus the first of every failing step, so that a step that fails late is
    // not hidden behind one that fails often.
    QMap<qint64, const FailureDetail *> chosen;
    for (const FailureDetail &f : s.failures)
        chosen.insert(f.stepResultId, &f);
    for (const StepStatistics &st : s.steps) {
        for (const FailureDetail &f : st.firstFailures)
            chosen.insert(f.stepResultId, &f);
    }
    QList<const FailureDetail *> list = chosen.values();
    std::stable_sort(list.begin(), list.end(), [](const FailureDetail *a, const FailureDetail *b) {
        return a->startNs != b->startNs ? a->startNs < b->startNs : a->stepResultId < b->stepResultId;
    });
    Table &t = m.failuresTable;
    t.id = QStringLiteral("failures");
    t.title = QStringLiteral("Failures");
    t.columns = {{QStringLiteral("Time"), true, 1.15},
                 {QStringLiteral("Step"), false, 2.5},
                 {QStringLiteral("Verdict"), false, 0.75},
                 {QStringLiteral("Why"), false, 2.8},
                 {QStringLiteral("Device answered"), false, 2.3}};
    t.empty = QStringLiteral("No step failed or errored.");
    for (const FailureDetail *f : std::as_const(list)) {
        FailureItem item;
        item.time = formatOffset(f->startNs);
        item.step = pt(f->step);
        item.device = pt(f->device);
        item.verdict = pt(f->verdict);
        item.tone = verdictTone(f->verdict);
        QStringList context;
        if (f->phase == u"steps")
            context << QStringLiteral("iteration %1").arg(f->iteration);
        else
            context << pt(f->phase);
        if (f->repetition)
            context << QStringLiteral("repetition %1").arg(f->repetition);
        context << (f->latencyNs ? QStringLiteral("answered after %1")
                                       .arg(formatLatency(static_cast<double>(*f->latencyNs)))
                                 : QStringLiteral("no answer"));
        item.context = context.join(QStringLiteral(" · "));
        item.message = printableText(f->message, true);
        item.answer = printableBytes(f->response, true, &item.answerEscapes);
        if (f->responseSize == 0)
            item.answerNote = QStringLiteral("(nothing)");
        else if (f->responseSize > f->response.size())
            item.answerNote = QStringLiteral("(first %1 of %2 bytes)")
                                  .arg(count(f->response.size()), count(f->responseSize));
        for (const ExchangeLine &x : f->exchanges) {
            ExchangeItem e;
            e.time = formatOffset(x.tNs);
            e.toDevice = x.toDevice;
            e.text = printableBytes(x.data, false, &e.escapes);
            item.exchanges.append(e);
        }
        QString answer = item.answer.isEmpty() ? item.answerNote : item.answer;
        if (!item.answer.isEmpty() && !item.answerNote.isEmpty())
            answer += QLatin1Char(' ') + item.answerNote;
        for (const ExchangeItem &e : std::as_const(item.exchanges))
            answer += QStringLiteral("\n%1 %2 %3")
                          .arg(e.time, e.toDevice ? QStringLiteral("->") : QStringLiteral("<-"), e.text);
        Cell answerCell = txt(answer);
        answerCell.mono = true;
        t.rows.append({num(item.time),
                       txt(QStringLiteral("%1 · %2\n%3").arg(item.step, item.device, item.context)),
                       txt(item.verdict, item.tone, true), txt(item.message), answerCell});
        m.failures.append(item);
    }
    const qint64 shown = m.failures.size();
    t.note = QStringLiteral(
        "In time order; the device's answer exactly as received, bytes that are not printable UTF-8 "
        "as \\xNN.");
    if (s.failureCount > shown)
        m.failuresNote =
            QStringLiteral("%1 of %2 failures: the first of the run and of each failing step. All are in the "
                           "database and in step_results.csv.")
                .arg(count(shown), count(s.failureCount));
    if (!m.failuresNote.isEmpty())
        t.note += QLatin1Char(' ') + m.failuresNote;
}

void buildEvents(ReportModel &m, const RunStatistics &s) {
    Table &t = m.events;
    t.id = QStringLiteral("events");
    t.title = QStringLiteral("Event log");
    t.columns = {{QStringLiteral("Time"), true, 1.2},
                 {QStringLiteral("Event"), false, 1.3},
                 {QStringLiteral("Device"), false, 1.0},
                 {QStringLiteral("Detail"), false, 5.0}};
    t.empty = QStringLiteral("No events were recorded.");
    for (const EventEntry &e : s.events) {
        const bool bad =
            e.kind == u"error" || e.kind == u"disconnect" || e.kind == u"sim-exit" || e.kind == u"abort";
        const bool fault = e.kind.startsWith(u"fault");
        Cell detail = txt(printableText(e.detail));
        detail.mono = true;
        t.rows.append({num(formatOffset(e.tNs)),
                       txt(pt(e.kind),
                           bad     ? Tone::Bad
                           : fault ? Tone::Warn
                                   : Tone::Neutral,
                           bad),
                       txt(e.device.isEmpty() ? QStringLiteral("—") : pt(e.device)), detail});
    }
    QStringList kinds;
    for (auto it = s.eventKinds.cbegin(); it != s.eventKinds.cend(); ++it)
        kinds << QStringLiteral("%1 %2").arg(count(it.value()), pt(it.key()));
    if (!kinds.isEmpty())
        t.note = kinds.join(QStringLiteral(" · "));
    if (s.eventCount > s.events.size())
        m.eventsNote = QStringLiteral("The first %1 of %2 events; all are in events.csv.")
                           .arg(s.events.size())
                           .arg(count(s.eventCount));
}

} // namespace

Tone verdictTone(const QString &verdict) {
    if (verdict == u"PASS")
        return Tone::Good;
    if (verdict == u"FAIL")
        return Tone::Bad;
    if (verdict == u"ERROR")
        return Tone::Error;
    return Tone::Muted;
}

ReportModel buildReportModel(const RunStatistics &stats, const RunComparison *comparison,
                             const QString &databasePath) {
    RunStatistics s = stats;
    if (comparison && comparison->regressions > 0) {
        // Regressions are findings too, after the run's own critical ones.
        QList<Finding> extra;
        for (const StepComparison &c : comparison->steps) {
            if (c.regression())
                extra.append({Finding::Severity::Major,
                              QStringLiteral("Regression in '%1' against run %2")
                                  .arg(c.step, QString::number(comparison->baseline.id)),
                              c.reasons.join(QStringLiteral("; "))});
        }
        s.findings.append(extra);
        std::stable_sort(s.findings.begin(), s.findings.end(),
                         [](const Finding &a, const Finding &b) { return a.severity < b.severity; });
    }
    ReportModel m;
    buildHeader(m, s, databasePath);
    buildTiles(m, s);
    if (comparison)
        buildComparison(m, *comparison);
    buildSteps(m, s);
    buildCharts(m, s);
    buildMeasurements(m, s);
    buildSweeps(m, s);
    buildFaults(m, s);
    buildFailures(m, s);
    buildEvents(m, s);
    m.footer =
        QStringLiteral("hil %1 · report made %2 from %3")
            .arg(QCoreApplication::applicationVersion().isEmpty() ? QStringLiteral("(dev)")
                                                                  : QCoreApplication::applicationVersion(),
                 QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'")),
                 pt(databasePath));
    return m;
}

} // namespace hil::report
