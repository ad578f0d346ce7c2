#include "metricsserver.h"

#include "core/export/runmetrics.h"

#include <QHostAddress>
#include <QHttpServer>
#include <QHttpServerResponse>

MetricsServer::MetricsServer(const hil::RunMetrics &metrics)
    : m_metrics(metrics) {}

MetricsServer::~MetricsServer() = default;

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

bool MetricsServer::checkAddress(const QString &hostPort, QString *error) {
    QHostAddress address;
    quint16 port = 0;
    return parseAddress(hostPort, &address, &port, error);
}

bool MetricsServer::listen(const QString &hostPort, QString *error) {
    QHostAddress address;
    quint16 port = 0;
    if (!parseAddress(hostPort, &address, &port, error))
        return false;
    m_server = std::make_unique<QHttpServer>();
    m_server->route(QStringLiteral("/metrics"), [this]() {
        return QHttpServerResponse(QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"),
                                   m_metrics.exposition());
    });
    const quint16 bound = m_server->listen(address, port);
    if (bound == 0) {
        *error =
            QStringLiteral("--metrics: cannot listen on %1: the port is taken or the address is not this "
                           "machine's")
                .arg(hostPort);
        m_server.reset();
        return false;
    }
    const QString shown = address.protocol() == QAbstractSocket::IPv6Protocol
                              ? QStringLiteral("[%1]").arg(address.toString())
                              : address.toString();
    m_url = QStringLiteral("http://%1:%2/metrics").arg(shown).arg(bound);
    return true;
}
