#include "signalwatcher.h"

#include <QSocketNotifier>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace hilsim {

namespace {

// A signal handler can reach nothing but globals.
int g_pipe[2] = {-1, -1};

extern "C" void writeSignalToPipe(int signalNumber) {
    const int savedErrno = errno;
    const auto byte = static_cast<unsigned char>(signalNumber);
    // If the pipe is full, signals are already pending to be read, so losing this one loses nothing.
    [[maybe_unused]] const ssize_t n = ::write(g_pipe[1], &byte, 1);
    errno = savedErrno;
}

} // namespace

SignalWatcher::SignalWatcher(QObject *parent)
    : QObject(parent) {}

bool SignalWatcher::install(std::initializer_list<int> signalNumbers) {
    // The pipe is never closed: a handler may still run while the process exits, and must not write
    // into a descriptor number that has been reused.
    if (g_pipe[0] >= 0) {
        m_errorString = QStringLiteral("signals are already being watched");
        return false;
    }
    if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        m_errorString = QStringLiteral("pipe2: ") + QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    m_notifier = new QSocketNotifier(g_pipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &SignalWatcher::onReadable);

    struct sigaction action {};
    action.sa_handler = writeSignalToPipe;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int signalNumber : signalNumbers) {
        if (::sigaction(signalNumber, &action, nullptr) != 0) {
            m_errorString = QStringLiteral("sigaction: ") + QString::fromLocal8Bit(std::strerror(errno));
            return false;
        }
    }
    return true;
}

void SignalWatcher::onReadable() {
    unsigned char byte = 0;
    while (::read(g_pipe[0], &byte, 1) == 1)
        emit signalReceived(byte);
}

} // namespace hilsim
