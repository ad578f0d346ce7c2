#include "core/run/streamwatch.h"

#include "core/base/clock.h"

namespace hil {

namespace {

// The session hands over every line: the tally, not the session, decides which are the stream's. Skipping
// (never the case with an empty pattern) keeps the session from taking the stream for an exchange whose
// later lines would be unasked answers.
const QRegularExpression &anyLine() {
    static const QRegularExpression any;
    return any;
}

} // namespace

StreamWatch::StreamWatch(const StreamSpec &spec, DeviceSession *session, StepResult base, bool sent,
                         Sinks sinks, QObject *parent)
    : QObject(parent)
    , m_spec(spec)
    , m_session(session)
    , m_base(std::move(base))
    , m_sinks(std::move(sinks))
    , m_sent(sent)
    , m_tally(spec, 0, sent) {}

void StreamWatch::start(qint64 startNs) {
    m_tally = StreamTally(m_spec, startNs, m_sent);
    m_active = true;
    listen();
}

void StreamWatch::listen() {
    const qint64 left = std::max<qint64>(1, m_tally.endNs() - monotonicNs());
    m_session->expect(anyLine(), Nanoseconds(left), true,
                      [this](const DeviceSession::Answer &a) { onLine(a); });
}

void StreamWatch::onLine(const DeviceSession::Answer &a) {
    if (!m_active)
        return;
    switch (a.outcome) {
    case DeviceSession::Answer::Outcome::Matched:
    case DeviceSession::Answer::Outcome::Mismatch:
        break;
    case DeviceSession::Answer::Outcome::Timeout:
        finish(a.timeNs, Verdict::Pass, QString(), false);
        return;
    case DeviceSession::Answer::Outcome::BadFrame: {
        // A garbled frame of the stream: a failed row of its own; the stream goes on.
        StepResult row = m_base;
        row.startNs = row.endNs = m_sinks.runNs(a.timeNs);
        row.verdict = Verdict::Fail;
        row.message = QStringLiteral("bad frame: %1").arg(a.reason);
        row.response = a.line;
        m_sinks.row(std::move(row));
        if (m_active)
            listen();
        return;
    }
    case DeviceSession::Answer::Outcome::Lost:
        finish(a.timeNs, Verdict::Error,
               QStringLiteral("device '%1' lost %2: %3")
                   .arg(m_spec.device, m_tally.progress(a.timeNs), a.reason),
               true);
        return;
    }
    if (a.timeNs >= m_tally.endNs()) {
        // Read after the window closed (the timeout and the line raced): not the window's.
        finish(m_tally.endNs(), Verdict::Pass, QString(), false);
        return;
    }
    if (const std::optional<StreamTally::Line> line = m_tally.line(a.timeNs, a.line, a.stallNs);
        line && line->recorded) {
        StepResult row = m_base;
        row.startNs = row.endNs = m_sinks.runNs(a.timeNs);
        row.latencyNs = line->intervalNs;
        row.stallNs = a.stallNs;
        row.verdict = line->verdict;
        row.message = line->message;
        row.response = a.line;
        m_sinks.row(std::move(row));
        if (!m_active)
            return; // the row ended the run
    }
    listen();
}

void StreamWatch::finish(qint64 endNs, Verdict verdict, const QString &message, bool lost) {
    m_active = false;
    StepResult summary = m_base;
    summary.endNs = m_sinks.runNs(endNs);
    m_tally.finish(endNs, summary);
    if (verdict != Verdict::Pass) {
        summary.verdict = verdict;
        summary.message = message;
    }
    m_sinks.done(std::move(summary), lost);
}

StepResult StreamWatch::abort(Verdict verdict, const QString &message) {
    const qint64 now = monotonicNs();
    if (m_active)
        m_session->cancelExpect();
    m_active = false;
    StepResult summary = m_base;
    summary.endNs = m_sinks.runNs(now);
    m_tally.finish(now, summary);
    summary.verdict = verdict;
    summary.message = QStringLiteral("%1 (stream %2)").arg(message, m_tally.progress(now));
    return summary;
}

} // namespace hil
