#include "metricsserver.h"

#include "core/export/runmetrics.h"

#include <QHostAddress>
#ifdef HIL_HAVE_HTTPSERVER
#include <QHttpServer>
#include <QHttpServerResponse>
#endif

MetricsServer::MetricsServer(const hil::RunMetrics &metrics)
    : m_metrics(metrics) {}

MetricsServer::~MetricsServer() = default;

#ifdef HIL_HAVE_HTTPSERVER
namespace {

bool parseAddress(const QString &hostPort, QHostAddress *address, quint16 *port, QString *error) {
    const qsizetype colon = hostPort.lastIndexOf(u':');
    QString host = colon < 0 ? QString() : hostPort.left(colon);
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint p = hostPort.mid(colon + 1).toUInt(&ok);
    *address = host == u"localhost" ? QHostAddress(QHostAddress::LocalHost)
                                    : QHostAddress(host.isEmpty() ? QStringLiteral("0.0.0.0") : host);
    if (!ok || p > 65535 || address->isNull()) {
        *error =
            QStringLiteral("--metrics '%1' is not HOST:PORT (an IP address and a port, e.g. 127.0.0.1:9464)")
                .arg(hostPort);
        return false;
    }
    *port = static_cast<quint16>(p);
    return true;
}

} // namespace
#endif

bool MetricsServer::checkAddress(const QString &hostPort, QString *error) {
#ifndef HIL_HAVE_HTTPSERVER
    *error = QStringLiteral("--metrics %1: this hil was built without Qt HttpServer (Debian: "
                            "qt6-httpserver-dev; cmake/setup.sh installs it), so it cannot serve metrics")
                 .arg(hostPort);
    return false;
#else
    QHostAddress address;
    quint16 port = 0;
    return parseAddress(hostPort, &address, &port, error);
#endif
}

bool MetricsServer::listen(const QString &hostPort, QString *error) {
#ifndef HIL_HAVE_HTTPSERVER
    return checkAddress(hostPort, error);
#else
    QHostAddress address;
    quint16 port = 0;
    if (!parseAddress(hostPort, &address, &port, error))
        return false;
    auto server = std::make_unique<QHttpServer>();
    server->route(QStringLiteral("/metrics"), [this]() {
        return QHttpServerResponse(QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"),
                                   m_metrics.exposition());
    });
    const quint16 bound = server->listen(address, port);
    if (bound == 0) {
        *error =
            QStringLiteral("--metrics: cannot listen on %1: the port is taken or the address is not this "
                           "machine's")
                .arg(hostPort);
        return false;
    }
    m_server = std::move(server);
    const QString shown = address.protocol() == QAbstractSocket::IPv6Protocol
                              ? QStringLiteral("[%1]").arg(address.toString())
                              : address.toString();
    m_url = QStringLiteral("http://%1:%2/metrics").arg(shown).arg(bound);
    return true;
#endif
}
