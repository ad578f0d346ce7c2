#include "terminalprompter.h"

#include "core/base/printable.h"

#include <cstdio>
#include <unistd.h>

TerminalPrompter::TerminalPrompter(QObject *parent)
    : QObject(parent) {}

bool TerminalPrompter::available() {
    return ::isatty(STDIN_FILENO) == 1;
}

void TerminalPrompter::ask(const hil::PromptRequest &request, Answer answer) {
    m_answer = std::move(answer);
    const hil::PromptSpec &p = request.spec;
    QString text = QStringLiteral("\r\033[K");
    if (!request.again.isEmpty())
        text += QStringLiteral("  %1\n").arg(hil::printableText(request.again));
    text +=
        QStringLiteral("[%1] %2 (%3): ").arg(p.name, hil::printableText(p.text), hil::promptAnswerHint(p));
    std::fputs(text.toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
    if (!m_notifier) {
        m_notifier = std::make_unique<QSocketNotifier>(STDIN_FILENO, QSocketNotifier::Read);
        connect(m_notifier.get(), &QSocketNotifier::activated, this, &TerminalPrompter::readLine);
    }
    m_notifier->setEnabled(true);
}

void TerminalPrompter::cancel() {
    if (m_notifier)
        m_notifier->setEnabled(false);
    if (m_answer) {
        m_answer = nullptr;
        std::fputs("\n", stderr);
    }
}

void TerminalPrompter::readLine() {
    char buf[1024];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) { // end of input: nobody will answer
        m_notifier->setEnabled(false);
        if (Answer a = std::exchange(m_answer, nullptr))
            a(std::nullopt);
        return;
    }
    m_pending.append(buf, n);
    const qsizetype nl = m_pending.indexOf('\n');
    if (nl < 0)
        return;
    const QString line = QString::fromLocal8Bit(m_pending.left(nl)).trimmed();
    m_pending.remove(0, nl + 1);
    m_notifier->setEnabled(false);
    if (Answer a = std::exchange(m_answer, nullptr))
        a(line);
}
