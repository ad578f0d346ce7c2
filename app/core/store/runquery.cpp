#include "core/store/runquery.h"

#include "core/store/readonlydatabase.h"
#include "core/store/runheaderrow.h"
#include "core/store/runliveness.h"
#include "core/store/schema.h"
#include "core/store/sqlitestatement.h"

namespace hil {

std::unique_ptr<RunQuery> RunQuery::open(const QString &path, QString *error) {
    int version = 0;
    sqlite3 *db = openResultsDatabase(path, &version, error);
    if (!db)
        return nullptr;
    if (version > kSchemaVersion) {
        sqlite3_close(db);
        if (error)
            *error = QStringLiteral("%1 has schema version %2, newer than this build's %3")
                         .arg(path)
                         .arg(version)
                         .arg(kSchemaVersion);
        return nullptr;
    }
    return std::unique_ptr<RunQuery>(new RunQuery(path, db, version));
}

RunQuery::RunQuery(QString path, sqlite3 *db, int version)
    : m_path(std::move(path))
    , m_db(db)
    , m_version(version) {}

RunQuery::~RunQuery() {
    sqlite3_close(m_db);
}

std::optional<qint64> RunQuery::resolveRun(const QString &spec, QString *error) const {
    const auto fail = [error](const QString &message) -> std::optional<qint64> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QString s = spec.trimmed();
    if (s.isEmpty() || s.compare(u"latest", Qt::CaseInsensitive) == 0) {
        SqliteStatement q(m_db, "SELECT id FROM runs ORDER BY started_at_ns DESC, id DESC LIMIT 1");
        if (q.ok() && q.next())
            return q.int64(0);
        return fail(QStringLiteral("%1 holds no runs").arg(m_path));
    }
    bool isNumber = false;
    const qint64 id = s.toLongLong(&isNumber);
    if (isNumber) {
        SqliteStatement q(m_db, "SELECT id FROM runs WHERE id = ?");
        q.bind(1, id);
        if (q.ok() && q.next())
            return id;
        return fail(
            QStringLiteral("%1 has no run %2 (see hil runs --db %1)").arg(m_path, QString::number(id)));
    }
    if (s.size() < 8)
        return fail(
            QStringLiteral("'%1' is neither a run id, 'latest', nor 8 or more characters of a run's uuid")
                .arg(s));
    // A prefix match through the unique index on uuid: uuid >= prefix AND uuid < prefix + U+FFFF.
    SqliteStatement q(m_db, "SELECT id FROM runs WHERE uuid >= ?1 AND uuid < ?1 || char(65535) LIMIT 2");
    q.bind(1, s.toLower());
    QList<qint64> found;
    while (q.next())
        found.append(q.int64(0));
    if (found.size() == 1)
        return found.first();
    if (found.isEmpty())
        return fail(QStringLiteral("%1 has no run with uuid %2").arg(m_path, s));
    return fail(QStringLiteral("'%1' names more than one run; give more of the uuid").arg(s));
}

std::optional<RunHeader> RunQuery::header(qint64 runId, QString *error) const {
    const QByteArray sql = runHeaderSelect(m_version) + " WHERE id = ?";
    SqliteStatement q(m_db, sql.constData());
    q.bind(1, runId);
    if (!q.ok() || !q.next()) {
        if (error)
            *error =
                q.ok() ? QStringLiteral("%1 has no run %2").arg(m_path, QString::number(runId)) : q.error();
        return std::nullopt;
    }
    RunHeader h = readRunHeader(q);
    applyLiveness(m_db, m_version, h);
    return h;
}

std::optional<qint64> RunQuery::previousRun(qint64 runId, QString *error) const {
    SqliteStatement q(m_db, "SELECT p.id FROM runs p JOIN runs r ON r.id = ?1"
                            " WHERE p.scenario = r.scenario AND p.fixture = r.fixture AND p.id != r.id"
                            " AND p.ended_at_ns IS NOT NULL AND p.started_at_ns < r.started_at_ns"
                            " ORDER BY p.started_at_ns DESC, p.id DESC LIMIT 1");
    q.bind(1, runId);
    if (q.ok() && q.next())
        return q.int64(0);
    if (error)
        *error = q.ok() ? QStringLiteral(
                              "%1 holds no earlier finished run of the same scenario and fixture as run %2")
                              .arg(m_path, QString::number(runId))
                        : q.error();
    return std::nullopt;
}

std::pair<qint64, qint64> RunQuery::idRange(Table table, qint64 runId) const {
    // Both statements are answered from the (run_id, ...) index alone, without reading the rows.
    SqliteStatement q(m_db, table == Table::StepResults
                                ? "SELECT min(id), max(id) FROM step_results WHERE run_id = ?"
                                : "SELECT min(id), max(id) FROM measurements WHERE run_id = ?");
    q.bind(1, runId);
    if (q.ok() && q.next() && !q.isNull(0))
        return {q.int64(0), q.int64(1)};
    return {0, -1};
}

} // namespace hil
