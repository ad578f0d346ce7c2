#pragma once

#include "core/analysis/runcomparison.h"
#include "core/analysis/runstatistics.h"

#include <QObject>
#include <memory>
#include <optional>

class QThread;

namespace hil::gui {

// Computes a recorded run's statistics (and a baseline's, to compare) on a thread of its own, so that
// opening a 72-hour soak does not freeze the window. One request at a time; a new one supersedes the
// last, whose result is dropped. The destructor waits for a computation under way.
class StatisticsLoader : public QObject {
    Q_OBJECT
public:
    struct Result {
        QString databasePath;
        qint64 runId = 0;
        std::shared_ptr<const RunStatistics> stats;
        std::optional<qint64> baselineId;
        std::shared_ptr<const RunStatistics> baseline;
        std::shared_ptr<const RunComparison> comparison;
        QString error;
    };

    explicit StatisticsLoader(QObject *parent = nullptr);
    ~StatisticsLoader() override;

    void load(const QString &databasePath, qint64 runId, std::optional<qint64> baselineId = std::nullopt);
    bool busy() const { return m_thread != nullptr; }
    const Result &result() const { return m_result; }

signals:
    // result() holds the outcome (stats, or error).
    void loaded();

private:
    void startNext();

    QThread *m_thread = nullptr;
    std::optional<Result> m_pending; // the request waiting for the thread under way
    Result m_result;
};

} // namespace hil::gui
