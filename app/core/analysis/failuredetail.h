#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace hil {

struct ExchangeLine {
    qint64 tNs = 0;
    bool toDevice = false;
    QByteArray data;
};

// A step result that did not pass (or a try that a later try followed), with what the device answered.
struct FailureDetail {
    qint64 stepResultId = 0;
    QString phase;
    QString step;
    QString device;
    qint64 iteration = 0;
    qint64 repetition = 0;
    qint64 startNs = 0;
    qint64 endNs = 0;
    std::optional<qint64> latencyNs;
    QString verdict;
    QString message;
    QByteArray response;     // at most StatisticsOptions::responseBytes
    qint64 responseSize = 0; // the whole answer's size in bytes
    qint64 attempt = 1;      // the try of a retry/until step (schema 5)
    QString bindings;        // the sweep's values as JSON (schema 5), null outside a sweep
    // With --record-exchanges: the device's lines just before and during the step.
    QList<ExchangeLine> exchanges;
};

} // namespace hil
