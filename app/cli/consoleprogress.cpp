#include "consoleprogress.h"

#include "core/base/duration.h"
#include "core/base/printable.h"

#include <unistd.h>

ConsoleProgress::ConsoleProgress(FILE *out)
    : m_out(out)
    , m_enabled(::isatty(fileno(out)) == 1) {}

void ConsoleProgress::runStarted(const hil::RunHeader &) {
    m_clock.start();
}

void ConsoleProgress::stepFinished(const hil::StepResult &result) {
    m_step = result.step;
}

void ConsoleProgress::countsChanged(const hil::RunCounts &counts) {
    m_counts = counts;
    draw(false);
}

void ConsoleProgress::progress(qint64 iterationsDone, qint64, qint64 plannedNs) {
    m_iterations = iterationsDone;
    m_plannedNs = plannedNs;
    draw(false);
}

void ConsoleProgress::draw(bool force) {
    if (!m_enabled)
        return;
    const qint64 now = m_clock.elapsed();
    if (!force && now - m_lastDrawMs < 200)
        return;
    m_lastDrawMs = now;
    const qint64 elapsedNs = m_clock.nsecsElapsed();
    QString line = QStringLiteral("%1  iter %2  pass %3  fail %4  error %5")
                       .arg(hil::formatDuration(hil::Nanoseconds(elapsedNs)))
                       .arg(m_iterations)
                       .arg(m_counts.pass)
                       .arg(m_counts.fail)
                       .arg(m_counts.error);
    if (m_counts.marginal)
        line += QStringLiteral(" (%1 marginal)").arg(m_counts.marginal);
    if (m_plannedNs > 0)
        line += QStringLiteral("  ETA %1")
                    .arg(hil::formatDuration(hil::Nanoseconds(std::max<qint64>(0, m_plannedNs - elapsedNs))));
    line += QStringLiteral("  [%1]").arg(hil::printableText(m_step).left(40));
    std::fprintf(m_out, "\r\033[K%s", line.toLocal8Bit().constData());
    std::fflush(m_out);
}

void ConsoleProgress::runFinished(const hil::RunSummary &) {
    if (!m_enabled)
        return;
    std::fprintf(m_out, "\r\033[K");
    std::fflush(m_out);
}
