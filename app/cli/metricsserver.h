#pragma once

#include <QString>
#include <memory>

class QObject;

namespace hil {
class RunMetrics;
}

// `hil run --metrics HOST:PORT`: serves a run's metrics at http://HOST:PORT/metrics in Prometheus's text
// format, on the thread that creates it (the main thread, whose event loop runs the run's session).
class MetricsServer {
public:
    explicit MetricsServer(const hil::RunMetrics &metrics);
    ~MetricsServer();
    // "127.0.0.1:9464", ":9464", "9464" (all interfaces: 0.0.0.0) or port 0 for any free port. False with
    // *error (the address and why) if it is malformed or cannot be listened on.
    bool listen(const QString &hostPort, QString *error);
    // Only the form of HOST:PORT, and that this hil can serve at all (built with Qt HttpServer), for
    // checking options before anything runs; false with *error.
    static bool checkAddress(const QString &hostPort, QString *error);
    // The URL being served, e.g. http://127.0.0.1:9464/metrics.
    QString url() const { return m_url; }

private:
    const hil::RunMetrics &m_metrics;
    std::unique_ptr<QObject> m_server; // a QHttpServer, when hil is built with Qt HttpServer
    QString m_url;
};
