#pragma once

#include "core/run/prompter.h"

#include <QObject>
#include <QSocketNotifier>
#include <memory>

// Asks `hil run`'s prompts on its terminal: prints the question on stderr and reads the answer from stdin
// through a QSocketNotifier, so the event loop (devices, faults, other lanes) keeps running meanwhile.
// Used only when stdin is a terminal. Lives on the runner's (main) thread.
class TerminalPrompter : public QObject, public hil::Prompter {
    Q_OBJECT
public:
    explicit TerminalPrompter(QObject *parent = nullptr);
    static bool available();

    void ask(const hil::PromptRequest &request, Answer answer) override;
    void cancel() override;

private:
    void readLine();

    std::unique_ptr<QSocketNotifier> m_notifier;
    Answer m_answer;
    QByteArray m_pending;
};
