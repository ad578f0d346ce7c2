#include "signalbridge.h"

#include <QSocketNotifier>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_fds[2] = {-1, -1};

void onSignal(int sig) {
    const char byte = static_cast<char>(sig);
    // Only async-signal-safe calls here; the main loop does the rest. Restoring the default makes a
    // second Ctrl-C stop a run that does not end by itself.
    std::signal(sig, SIG_DFL);
    [[maybe_unused]] const auto n = ::write(g_fds[1], &byte, 1);
}

} // namespace

SignalBridge::SignalBridge(QObject *parent)
    : QObject(parent) {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, g_fds) != 0)
        return;
    m_notifier = new QSocketNotifier(g_fds[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        char byte = 0;
        if (::read(g_fds[0], &byte, 1) != 1)
            return;
        const int sig = static_cast<unsigned char>(byte);
        emit received(sig, sig == SIGINT   ? QStringLiteral("SIGINT")
                           : sig == SIGHUP ? QStringLiteral("SIGHUP")
                                           : QStringLiteral("SIGTERM"));
    });
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    // A closed terminal (an ssh session gone) ends the run like SIGTERM: recorded, closed, ABORT.
    sigaction(SIGHUP, &sa, nullptr);
}

SignalBridge::~SignalBridge() {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGHUP, SIG_DFL);
    delete m_notifier;
    for (int &fd : g_fds) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}
