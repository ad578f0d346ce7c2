#pragma once

#include "core/store/runquery.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace hil {

// A step result as a table of results lists it (the app's Results dock): its row id, what ran, the
// verdict, the message, the start of the answer and the values measured.
struct ListedStep {
    struct Value {
        QString name;
        std::optional<double> value; // nullopt: the capture was not a number
        QString unit;
    };
    qint64 id = 0;
    QString phase;
    qint64 iteration = 0;
    QString step;
    QString device;
    qint64 startNs = 0;
    std::optional<qint64> latencyNs;
    QString verdict;
    bool marginal = false;
    bool expected = false; // always false before schema 2
    QString message;
    QByteArray response; // at most kResponseBytes
    QList<Value> values;
};

// The step results of one run read a page at a time, for a table that shows millions of rows without
// holding them: keyset paging on the row id (a page is the rows after a given id, in id order), so that
// reading page N costs the same as page 1, never an OFFSET that walks every row before it. Reads through
// the RunQuery's read-only connection (safe while the run records); use from that connection's thread.
class StepPages {
public:
    static constexpr int kResponseBytes = 512;

    StepPages(const RunQuery &db, qint64 runId);

    qint64 runId() const { return m_runId; }

    // Up to limit of the run's step results with afterId < id <= lastId, in id order, each with the values
    // measured in it. An empty page is not an error. False with *error when the file cannot be read.
    bool page(qint64 afterId, qint64 lastId, int limit, QList<ListedStep> *rows, QString *error) const;
    // How many of the run's step results have an id in [fromId, toId] (a walk of that id range).
    std::optional<qint64> countInRange(qint64 fromId, qint64 toId, QString *error) const;

private:
    bool readValues(QList<ListedStep> *rows, QString *error) const;
    // The smallest measurement id whose step result is at least stepId (the samples of a run follow its
    // step results in row order): a binary search over the rowid, a few dozen lookups.
    std::optional<qint64> firstMeasurementOf(qint64 stepId, QString *error) const;

    const RunQuery &m_db;
    qint64 m_runId;
};

} // namespace hil
