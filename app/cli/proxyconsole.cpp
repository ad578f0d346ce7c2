#include "proxyconsole.h"

#include "core/base/clock.h"
#include "core/base/verdict.h"
#include "signalbridge.h"

#include <QCoreApplication>

ProxyConsole::ProxyConsole(bool quiet)
    : m_quiet(quiet)
    , m_startNs(hil::monotonicNs())
    , m_err(stderr) {}

void ProxyConsole::log(const QString &line) {
    if (m_quiet)
        return;
    const double s = static_cast<double>(hil::monotonicNs() - m_startNs) / 1e9;
    m_err << QStringLiteral("+%1s ").arg(s, 0, 'f', 3) << line << '\n';
    m_err.flush();
}

int ProxyConsole::cannotStart(const QString &command, const QString &why) {
    m_err << command << ": " << why << '\n';
    m_err.flush();
    return hil::ExitError;
}

void ProxyConsole::runUntilSignalled(const QString &ready, const std::function<void()> &started) {
    SignalBridge signals_;
    QObject::connect(&signals_, &SignalBridge::received, &signals_, [this](int, const QString &name) {
        log(QStringLiteral("%1 received").arg(name));
        QCoreApplication::quit();
    });
    QTextStream out(stdout);
    out << ready << '\n';
    out.flush();
    started();
    QCoreApplication::exec();
}
