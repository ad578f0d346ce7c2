#pragma once

#include <QObject>
#include <initializer_list>

class QSocketNotifier;

namespace hilsim {

// Turns POSIX signals into a Qt signal through a self-pipe: the handler only writes the signal number
// to a pipe (async-signal-safe), and a socket notifier reads it back in the event loop.
//
// Signal dispositions are process-wide, so only the first install() in a process succeeds.
// Use from the main thread.
class SignalWatcher : public QObject {
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);

    // Starts catching `signalNumbers`. On failure returns false and errorString() says why.
    bool install(std::initializer_list<int> signalNumbers);
    QString errorString() const { return m_errorString; }

signals:
    void signalReceived(int signalNumber);

private:
    void onReadable();

    QSocketNotifier *m_notifier = nullptr; // child of this
    QString m_errorString;
};

} // namespace hilsim
