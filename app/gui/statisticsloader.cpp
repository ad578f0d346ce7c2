#include "statisticsloader.h"

#include "core/store/runquery.h"

#include <QThread>

namespace hil::gui {

namespace {

StatisticsLoader::Result compute(StatisticsLoader::Result request) {
    QString error;
    const std::unique_ptr<RunQuery> db = RunQuery::open(request.databasePath, &error);
    if (!db) {
        request.error = error;
        return request;
    }
    auto stats = computeRunStatistics(*db, request.runId, {}, &error);
    if (!stats) {
        request.error = error;
        return request;
    }
    request.stats = std::make_shared<const RunStatistics>(std::move(*stats));
    if (request.baselineId) {
        StatisticsOptions options;
        options.measurements = false;
        auto baseline = computeRunStatistics(*db, *request.baselineId, options, &error);
        if (!baseline) {
            request.error = error;
            return request;
        }
        request.baseline = std::make_shared<const RunStatistics>(std::move(*baseline));
        request.comparison =
            std::make_shared<const RunComparison>(compareRuns(*request.baseline, *request.stats));
    }
    return request;
}

} // namespace

StatisticsLoader::StatisticsLoader(QObject *parent)
    : QObject(parent) {}

StatisticsLoader::~StatisticsLoader() {
    m_pending.reset();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void StatisticsLoader::load(const QString &databasePath, qint64 runId, std::optional<qint64> baselineId) {
    Result request;
    request.databasePath = databasePath;
    request.runId = runId;
    request.baselineId = baselineId;
    m_pending = request;
    if (!m_thread)
        startNext();
}

void StatisticsLoader::startNext() {
    if (!m_pending)
        return;
    auto output = std::make_shared<Result>();
    const Result request = *m_pending;
    m_pending.reset();
    m_thread = QThread::create([request, output] { *output = compute(request); });
    m_thread->setObjectName(QStringLiteral("hil-statistics"));
    connect(m_thread, &QThread::finished, this, [this, output] {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        if (m_pending) {
            startNext(); // superseded: this result is stale
            return;
        }
        m_result = *output;
        emit loaded();
    });
    m_thread->start();
}

} // namespace hil::gui
