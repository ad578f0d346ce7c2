#include "core/store/eventpages.h"

#include "core/store/sqlitestatement.h"

namespace hil {

EventPages::EventPages(const RunQuery &db, qint64 runId)
    : m_db(db)
    , m_runId(runId) {}

bool EventPages::page(qint64 afterId, int limit, QList<ListedEvent> *rows, QString *error) const {
    rows->clear();
    // `+run_id` keeps SQLite on the rowid: the walk starts at afterId and stops after `limit` rows.
    SqliteStatement q(m_db.m_db, "SELECT id, t_ns, kind, device, detail FROM events"
                                 " WHERE id > ?1 AND +run_id = ?2 ORDER BY id LIMIT ?3");
    if (!q.ok()) {
        *error = q.error();
        return false;
    }
    q.bind(1, afterId);
    q.bind(2, m_runId);
    q.bind(3, static_cast<qint64>(limit));
    while (q.next()) {
        ListedEvent e;
        e.id = q.int64(0);
        e.timeNs = q.int64(1);
        e.kind = q.text(2);
        e.device = q.text(3);
        e.detail = q.text(4);
        rows->append(std::move(e));
    }
    if (!q.done()) {
        *error = q.error();
        return false;
    }
    return true;
}

std::optional<qint64> EventPages::idAfter(qint64 afterId, int count, QString *error) const {
    SqliteStatement q(m_db.m_db, "SELECT id FROM events WHERE id > ?1 AND +run_id = ?2 ORDER BY id"
                                 " LIMIT 1 OFFSET ?3");
    if (!q.ok()) {
        *error = q.error();
        return std::nullopt;
    }
    q.bind(1, afterId);
    q.bind(2, m_runId);
    q.bind(3, static_cast<qint64>(count - 1));
    if (q.next())
        return q.int64(0);
    if (!q.done())
        *error = q.error();
    return std::nullopt;
}

} // namespace hil
