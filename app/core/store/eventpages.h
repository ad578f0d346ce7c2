#pragma once

#include "core/store/runquery.h"

#include <QList>
#include <QString>
#include <optional>

namespace hil {

// An event as the app's event log lists it.
struct ListedEvent {
    qint64 id = 0;
    qint64 timeNs = 0;
    QString kind;
    QString device;
    QString detail;
};

// The events of one run read a page at a time, for an event log that shows more events than it holds:
// keyset paging on the row id, as StepPages. Use from the RunQuery's thread.
class EventPages {
public:
    EventPages(const RunQuery &db, qint64 runId);

    // Up to limit of the run's events with id > afterId, in id order. An empty page is not an error.
    bool page(qint64 afterId, int limit, QList<ListedEvent> *rows, QString *error) const;
    // The id of the run's count-th event after afterId (count >= 1): where the page after it starts.
    // nullopt with *error empty when the run has fewer, with *error set when the file cannot be read.
    std::optional<qint64> idAfter(qint64 afterId, int count, QString *error) const;

private:
    const RunQuery &m_db;
    qint64 m_runId;
};

} // namespace hil
