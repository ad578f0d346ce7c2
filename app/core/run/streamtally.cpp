#include "core/run/streamtally.h"

#include "core/base/printable.h"
#include "core/config/limits.h"

#include <algorithm>
#include <cmath>

namespace hil {

namespace {

QString clip(const QByteArray &line) {
    constexpr qsizetype kMax = 120;
    const QString s = printableBytes(line.left(kMax), true);
    return line.size() > kMax ? s + QStringLiteral("...") : s;
}

QString seconds(qint64 ns) {
    return QStringLiteral("%1 s").arg(static_cast<double>(ns) / 1e9, 0, 'f', 2);
}

} // namespace

StreamTally::StreamTally(StreamSpec spec, qint64 startNs, bool sent)
    : m_spec(std::move(spec))
    , m_startNs(startNs)
    , m_sent(sent)
    , m_rowCap(std::max<qint64>(kMinRowsPerWindow,
                                kRowsPerSecond * ((m_spec.window.count() + 999'999'999) / 1'000'000'000))) {}

QString StreamTally::at(qint64 timeNs) const {
    return seconds(timeNs - m_startNs);
}

std::optional<StreamTally::Line> StreamTally::line(qint64 timeNs, const QByteArray &text, qint64 stallNs) {
    if (timeNs < m_startNs) {
        ++m_stale; // buffered before the window: not evidence that the device streams now
        return std::nullopt;
    }
    m_stalledNs += stallNs;
    Line out;
    QStringList problems;
    const QRegularExpressionMatch match = m_spec.match.pattern().isEmpty()
                                              ? QRegularExpressionMatch()
                                              : m_spec.match.match(QString::fromUtf8(text));
    if (!m_spec.match.pattern().isEmpty() && !match.hasMatch()) {
        if (m_spec.skipUnmatched) {
            ++m_skipped;
            return std::nullopt;
        }
        ++m_unmatched;
        problems.append(QStringLiteral("does not match /%1/").arg(m_spec.match.pattern()));
        if (m_firstUnmatched.isEmpty())
            m_firstUnmatched = QStringLiteral("at %1: '%2'").arg(at(timeNs), clip(text));
    }
    if (m_spec.checksum) {
        const QString bad = checkLineChecksum(*m_spec.checksum, text);
        if (!bad.isEmpty()) {
            ++m_badChecksum;
            problems.append(
                QStringLiteral("bad %1 checksum: %2").arg(lineChecksumName(*m_spec.checksum), bad));
            if (m_firstBadChecksum.isEmpty())
                m_firstBadChecksum = QStringLiteral("at %1, %2: '%3'").arg(at(timeNs), bad, clip(text));
        }
    }
    QString note;
    if (m_spec.sequence && match.hasMatch()) {
        if (const QString bad = countSequence(text, match.captured(m_spec.sequence->capture), &note);
            !bad.isEmpty())
            problems.append(bad);
    }
    if (!problems.isEmpty()) {
        out.verdict = Verdict::Fail;
        out.message =
            QStringLiteral("line %1 %2: '%3'").arg(m_count + 1).arg(problems.join(u"; "), clip(text));
    } else {
        out.message = note;
    }
    if (m_lastNs >= 0 && stallNs == 0) {
        out.intervalNs = timeNs - m_lastNs;
        if (out.intervalNs > m_maxGapNs) {
            m_maxGapNs = out.intervalNs;
            m_maxGapAtNs = timeNs;
        }
    } else if (m_lastNs < 0 && !m_sent && stallNs == 0) {
        // A stream already running when the window opened: the silence before its first line is a gap.
        const qint64 lead = timeNs - m_startNs;
        if (lead > m_maxGapNs) {
            m_maxGapNs = lead;
            m_maxGapAtNs = timeNs;
        }
    }
    if (m_firstNs < 0)
        m_firstNs = timeNs;
    m_lastNs = timeNs;
    m_lastLine = text;
    ++m_count;
    out.recorded = m_rows < m_rowCap;
    if (out.recorded)
        ++m_rows;
    return out;
}

QString StreamTally::countSequence(const QByteArray &text, const QString &number, QString *note) {
    bool ok = false;
    const qint64 n = number.toLongLong(&ok);
    if (!ok)
        return QStringLiteral("sequence %1 '%2' is not a whole number").arg(m_spec.sequence->capture, number);
    const QByteArray key = m_spec.topic.isEmpty() ? QByteArray() : text.left(text.indexOf('\n'));
    auto it = m_sequences.find(key);
    if (it == m_sequences.end()) {
        SequenceKey first;
        first.low = first.high = n;
        first.seen.insert(n);
        m_sequences.insert(key, first);
        return {};
    }
    SequenceKey &k = *it;
    const QString where = key.isEmpty() ? QString() : QStringLiteral(" on %1").arg(QString::fromUtf8(key));
    if (k.seen.contains(n)) {
        ++k.duplicates;
        *note = QStringLiteral("duplicate of %1 %2%3").arg(m_spec.sequence->capture).arg(n).arg(where);
    } else if (n < k.high) {
        ++k.reordered;
        *note =
            QStringLiteral("%1 %2 after %3%4").arg(m_spec.sequence->capture).arg(n).arg(k.high).arg(where);
    }
    k.seen.insert(n);
    k.low = std::min(k.low, n);
    k.high = std::max(k.high, n);
    return {};
}

void StreamTally::finishSequence(StepResult &summary, QStringList &problems) const {
    qint64 lost = 0, duplicates = 0, reordered = 0;
    QStringList perKey;
    for (auto it = m_sequences.cbegin(); it != m_sequences.cend(); ++it) {
        const SequenceKey &k = it.value();
        const qint64 keyLost = (k.high - k.low + 1) - static_cast<qint64>(k.seen.size());
        lost += keyLost;
        duplicates += k.duplicates;
        reordered += k.reordered;
        if (keyLost + k.duplicates + k.reordered == 0)
            continue;
        QString gaps;
        if (keyLost > 0) {
            // The first missing run, to start looking from.
            for (qint64 n = k.low; n <= k.high; ++n) {
                if (!k.seen.contains(n)) {
                    qint64 end = n;
                    while (end + 1 <= k.high && !k.seen.contains(end + 1))
                        ++end;
                    gaps = end == n ? QStringLiteral(", first missing %1").arg(n)
                                    : QStringLiteral(", first missing %1..%2").arg(n).arg(end);
                    break;
                }
            }
        }
        perKey.append(QStringLiteral("%1%2 lost %3, %4 duplicate(s), %5 reordered%6")
                          .arg(it.key().isEmpty() ? QString() : QString::fromUtf8(it.key()) + u':',
                               QStringLiteral(" %1..%2").arg(k.low).arg(k.high))
                          .arg(keyLost)
                          .arg(k.duplicates)
                          .arg(k.reordered)
                          .arg(gaps));
    }
    const StreamSpec::Sequence &seq = *m_spec.sequence;
    bool over = false;
    const auto measure = [&](const QString &name, qint64 value, qint64 max) {
        const MeasurementSpec spec{name, QStringLiteral("lines"), {0.0, static_cast<double>(max)}, {}};
        const MeasurementOutcome o = evaluateMeasurement(spec, static_cast<double>(value));
        summary.measurements.append({spec.name, static_cast<double>(value), spec.unit, spec.limits,
                                     spec.marginal, o.verdict, o.marginal});
        over = over || o.verdict != Verdict::Pass;
    };
    measure(QStringLiteral("lost"), lost, seq.maxLost);
    measure(QStringLiteral("duplicates"), duplicates, seq.maxDuplicates);
    measure(QStringLiteral("reordered"), reordered, seq.maxReordered);
    if (over)
        problems.append(
            QStringLiteral("sequence %1: %2 lost (max %3), %4 duplicate(s) (max %5), %6 reordered "
                           "(max %7) [%8]")
                .arg(seq.capture)
                .arg(lost)
                .arg(seq.maxLost)
                .arg(duplicates)
                .arg(seq.maxDuplicates)
                .arg(reordered)
                .arg(seq.maxReordered)
                .arg(perKey.join(u"; ")));
}

QString StreamTally::progress(qint64 nowNs) const {
    return QStringLiteral("after %1 of %2, %3 line(s)")
        .arg(at(nowNs), formatDuration(m_spec.window))
        .arg(m_count);
}

void StreamTally::finish(qint64 endNs, StepResult &summary) const {
    QStringList problems;
    const qint64 elapsedNs = std::max<qint64>(1, endNs - m_startNs - m_stalledNs);
    const double rate = static_cast<double>(m_count) / (static_cast<double>(elapsedNs) / 1e9);
    const qint64 tailNs = endNs - (m_lastNs >= 0 ? m_lastNs : m_startNs);
    const qint64 gapNs = std::max(m_maxGapNs, tailNs);

    MeasurementSpec rateSpec{
        QStringLiteral("rate"), QStringLiteral("lines/s"), {m_spec.rateMin, m_spec.rateMax}, {}};
    MeasurementSpec gapSpec{QStringLiteral("max_gap"), QStringLiteral("ms"), {}, {}};
    if (m_spec.maxGap)
        gapSpec.limits.high = static_cast<double>(m_spec.maxGap->count()) / 1e6;
    const auto measure = [&](const MeasurementSpec &spec, double value) {
        const MeasurementOutcome o = evaluateMeasurement(spec, value);
        summary.measurements.append(
            {spec.name, value, spec.unit, spec.limits, spec.marginal, o.verdict, o.marginal});
        return o.verdict;
    };
    const Verdict rateVerdict = measure(rateSpec, rate);
    const Verdict gapVerdict = measure(gapSpec, static_cast<double>(gapNs) / 1e6);
    if (m_spec.sequence)
        finishSequence(summary, problems);

    if (m_count == 0) {
        problems.append(QStringLiteral("no line in %1").arg(formatDuration(m_spec.window)));
    } else {
        qint64 stopAfterNs = 0;
        if (m_spec.maxGap)
            stopAfterNs = m_spec.maxGap->count();
        else if (m_spec.rateMin && *m_spec.rateMin > 0)
            stopAfterNs = static_cast<qint64>(3e9 / *m_spec.rateMin);
        else
            stopAfterNs =
                std::max<qint64>(1'000'000'000, m_count > 1 ? 5 * (m_lastNs - m_firstNs) / (m_count - 1) : 0);
        if (tailNs > stopAfterNs)
            problems.append(
                QStringLiteral("stream stopped at %1 of %2 (last line '%3', then silent for %4)")
                    .arg(at(m_lastNs), seconds(endNs - m_startNs), clip(m_lastLine), seconds(tailNs)));
    }
    if (rateVerdict != Verdict::Pass)
        problems.append(QStringLiteral("rate %1 lines/s outside %2..%3")
                            .arg(rate, 0, 'f', 2)
                            .arg(m_spec.rateMin ? QString::number(*m_spec.rateMin) : QStringLiteral("~"),
                                 m_spec.rateMax ? QString::number(*m_spec.rateMax) : QStringLiteral("~")));
    if (gapVerdict != Verdict::Pass && m_maxGapNs > m_spec.maxGap.value_or(Nanoseconds(0)).count())
        problems.append(QStringLiteral("largest gap %1 ms (max_gap %2) before the line at %3")
                            .arg(static_cast<double>(m_maxGapNs) / 1e6, 0, 'f', 1)
                            .arg(formatDuration(*m_spec.maxGap), at(m_maxGapAtNs)));
    if (m_badChecksum > 0)
        problems.append(QStringLiteral("%1 of %2 line(s) with a bad checksum (first %3)")
                            .arg(m_badChecksum)
                            .arg(m_count)
                            .arg(m_firstBadChecksum));
    if (m_unmatched > 0)
        problems.append(QStringLiteral("%1 of %2 line(s) not matching /%3/ (first %4)")
                            .arg(m_unmatched)
                            .arg(m_count)
                            .arg(m_spec.match.pattern(), m_firstUnmatched));

    QStringList notes;
    notes.append(QStringLiteral("%1 line(s) in %2, %3 lines/s")
                     .arg(m_count)
                     .arg(seconds(endNs - m_startNs))
                     .arg(rate, 0, 'f', 2));
    if (m_skipped > 0)
        notes.append(QStringLiteral("%1 other line(s) skipped").arg(m_skipped));
    if (m_stale > 0)
        notes.append(QStringLiteral("%1 line(s) from before the window discarded").arg(m_stale));
    if (m_count > m_rows)
        notes.append(QStringLiteral("%1 line(s) beyond the cap of %2 rows counted, not written")
                         .arg(m_count - m_rows)
                         .arg(m_rowCap));
    if (m_stalledNs > 0)
        notes.append(QStringLiteral("the harness stalled for %1; intervals across it not counted")
                         .arg(seconds(m_stalledNs)));

    summary.verdict = problems.isEmpty() ? Verdict::Pass : Verdict::Fail;
    summary.message = problems.isEmpty()
                          ? notes.join(u"; ")
                          : problems.join(u"; ") + QStringLiteral(" (") + notes.join(u"; ") + u')';
    summary.response = m_lastLine;
}

} // namespace hil
