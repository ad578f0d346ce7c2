#include "core/store/runpush.h"

#include "core/store/centralcolumns.h"
#include "core/store/centralschema.h"
#include "core/store/copytext.h"
#include "core/store/pgconnection.h"
#include "core/store/readonlydatabase.h"
#include "core/store/runcatalog.h"
#include "core/store/schema.h"
#include "core/store/sqlitestatement.h"

#include <QDateTime>
#include <QScopeGuard>
#include <QSet>
#include <QSysInfo>

namespace hil {

namespace {

constexpr qsizetype kCopyChunk = 1 << 18; // bytes handed to libpq at a time

// "SELECT id, <columns> FROM table" for a file of this version, older files' missing columns as their
// defaults.
QByteArray selectColumns(const CentralTable &t, int fileVersion) {
    QByteArray sql = "SELECT id";
    for (const CentralColumn &c : t.columns) {
        sql += ", ";
        if (c.since <= fileVersion) {
            sql += c.name;
        } else {
            sql += c.fileDefault;
        }
    }
    sql += " FROM ";
    sql += t.name;
    return sql;
}

void appendValue(QByteArray &out, const SqliteStatement &q, int col, ColumnType type) {
    if (q.isNull(col)) {
        copytext::appendNull(out);
        return;
    }
    switch (type) {
    case ColumnType::Int:
        copytext::appendInt(out, q.int64(col));
        break;
    case ColumnType::Real:
        copytext::appendReal(out, q.real(col));
        break;
    case ColumnType::Text:
        copytext::appendText(out, q.bytes(col));
        break;
    case ColumnType::Blob: {
        const void *p = sqlite3_column_blob(q.get(), col);
        copytext::appendBlob(
            out, QByteArrayView(static_cast<const char *>(p), sqlite3_column_bytes(q.get(), col)));
        break;
    }
    }
}

class Pusher {
public:
    Pusher(sqlite3 *db, int version, PgConnection &pg)
        : m_db(db)
        , m_version(version)
        , m_pg(pg) {}

    // One run in one transaction. False with *error; *present when the store had it already.
    bool push(const RunHeader &run, bool *present, qint64 *rows, QString *error);

private:
    bool insertRun(const RunHeader &run, qint64 *centralId, bool *present, QString *error);
    bool copyTable(const CentralTable &t, qint64 localRun, qint64 centralRun, qint64 *rows, QString *error);

    sqlite3 *m_db;
    int m_version;
    PgConnection &m_pg;
};

bool Pusher::insertRun(const RunHeader &run, qint64 *centralId, bool *present, QString *error) {
    const CentralTable &t = centralTable("runs");
    const QByteArray select = selectColumns(t, m_version) + " WHERE id = ?";
    SqliteStatement q(m_db, select.constData());
    q.bind(1, run.id);
    if (!q.ok() || !q.next()) {
        *error = QStringLiteral("cannot read run %1: %2").arg(run.id).arg(q.error());
        return false;
    }
    QList<std::optional<QByteArray>> params;
    QByteArray cols = "INSERT INTO runs (";
    QByteArray values;
    for (qsizetype i = 0; i < t.columns.size(); ++i) {
        const CentralColumn &c = t.columns[i];
        cols += c.name;
        cols += ", ";
        values += '$' + QByteArray::number(i + 1) + ", ";
        const int col = static_cast<int>(i) + 1;
        params.append(q.isNull(col) ? std::nullopt
                                    : std::optional<QByteArray>(c.type == ColumnType::Int
                                                                    ? QByteArray::number(q.int64(col))
                                                                    : q.text(col).toUtf8()));
    }
    // An interrupted run goes as every reader sees it: ended, ERROR, with the reason and what was recorded.
    if (run.interrupted) {
        const auto set = [&](const char *name, const std::optional<QByteArray> &v) {
            for (qsizetype i = 0; i < t.columns.size(); ++i)
                if (qstrcmp(t.columns[i].name, name) == 0)
                    params[i] = v;
        };
        const auto num = [](std::optional<qint64> v) {
            return v ? std::optional<QByteArray>(QByteArray::number(*v)) : std::nullopt;
        };
        set("verdict", run.verdict.toUtf8());
        set("reason", run.reason.toUtf8());
        set("ended_at_ns", num(run.endedAtNs));
        set("duration_ns", num(run.durationNs));
        set("n_pass", QByteArray::number(run.pass));
        set("n_fail", QByteArray::number(run.fail));
        set("n_error", QByteArray::number(run.error));
        set("n_abort", QByteArray::number(run.abort));
        set("n_marginal", QByteArray::number(run.marginal));
        set("n_expected", QByteArray::number(run.expected));
        set("n_retried", QByteArray::number(run.retried));
    }
    const qsizetype n = params.size();
    cols += "pushed_at_ns, pushed_by) VALUES (" + values + '$' + QByteArray::number(n + 1) + ", $"
            + QByteArray::number(n + 2) + ") ON CONFLICT (uuid) DO NOTHING RETURNING id";
    params.append(QByteArray::number(QDateTime::currentMSecsSinceEpoch() * 1'000'000));
    params.append(QSysInfo::machineHostName().toUtf8());
    const auto r = m_pg.exec(cols.constData(), params);
    if (!r) {
        *error = m_pg.error();
        return false;
    }
    if (r->rows.isEmpty()) {
        *present = true; // another push committed it first
        return true;
    }
    *centralId = r->rows.first().value(0).value_or("0").toLongLong();
    return true;
}

bool Pusher::copyTable(const CentralTable &t, qint64 localRun, qint64 centralRun, qint64 *rows,
                       QString *error) {
    // The run's rows by their id range (the rowid), which reads the file in order without a sort.
    qint64 lo = 0, hi = -1;
    {
        const QByteArray sql = QByteArray("SELECT min(id), max(id) FROM ") + t.name + " WHERE run_id = ?";
        SqliteStatement r(m_db, sql.constData());
        r.bind(1, localRun);
        if (!r.ok() || !r.next()) {
            *error = QStringLiteral("cannot read %1 of run %2: %3")
                         .arg(QString::fromLatin1(t.name))
                         .arg(localRun)
                         .arg(r.error());
            return false;
        }
        if (r.isNull(0))
            return true;
        lo = r.int64(0);
        hi = r.int64(1);
    }
    QByteArray copy = QByteArray("COPY ") + t.name + " (run_id, id";
    for (const CentralColumn &c : t.columns)
        copy += QByteArray(", ") + c.name;
    copy += ") FROM STDIN";
    if (!m_pg.copyInBegin(copy.constData())) {
        *error = m_pg.error();
        return false;
    }
    const QByteArray select = selectColumns(t, m_version) + " WHERE id BETWEEN ?1 AND ?2 AND run_id = ?3";
    SqliteStatement q(m_db, select.constData());
    q.bind(1, lo);
    q.bind(2, hi);
    q.bind(3, localRun);
    QByteArray buf;
    buf.reserve(kCopyChunk + 4096);
    QByteArray runPrefix;
    copytext::appendInt(runPrefix, centralRun);
    runPrefix += '\t';
    while (q.next()) {
        buf += runPrefix;
        copytext::appendInt(buf, q.int64(0));
        for (qsizetype i = 0; i < t.columns.size(); ++i) {
            buf += '\t';
            appendValue(buf, q, static_cast<int>(i) + 1, t.columns[i].type);
        }
        buf += '\n';
        ++*rows;
        if (buf.size() >= kCopyChunk) {
            if (!m_pg.copyInSend(buf)) {
                *error = m_pg.error();
                return false;
            }
            buf.resize(0);
        }
    }
    if (!q.done()) {
        *error = QStringLiteral("cannot read %1 of run %2: %3")
                     .arg(QString::fromLatin1(t.name))
                     .arg(localRun)
                     .arg(q.error());
        return false;
    }
    if ((!buf.isEmpty() && !m_pg.copyInSend(buf)) || !m_pg.copyInEnd()) {
        *error = m_pg.error();
        return false;
    }
    return true;
}

bool Pusher::push(const RunHeader &run, bool *present, qint64 *rows, QString *error) {
    *present = false;
    if (!m_pg.execOk("BEGIN")) {
        *error = m_pg.error();
        return false;
    }
    qint64 centralId = 0;
    bool ok = insertRun(run, &centralId, present, error);
    if (ok && !*present) {
        for (const CentralTable &t : centralTables()) {
            if (qstrcmp(t.name, "runs") == 0 || t.since > m_version)
                continue;
            if (!(ok = copyTable(t, run.id, centralId, rows, error)))
                break;
        }
    }
    if (ok && *present) {
        m_pg.execOk("ROLLBACK");
        return true;
    }
    if (ok && !(ok = m_pg.execOk("COMMIT")))
        *error = m_pg.error();
    if (!ok)
        m_pg.execOk("ROLLBACK"); // best effort: a broken connection rolls back on the server anyway
    return ok;
}

} // namespace

PushStatus pushRuns(const QString &dbPath, PgConnection &pg, PushResult *result, QString *error,
                    const std::function<void(const QString &)> &progress) {
    *result = {};
    const auto runs = listRuns(dbPath, error);
    if (!runs)
        return PushStatus::BadFile;
    int version = 0;
    sqlite3 *db = openResultsDatabase(dbPath, &version, error);
    if (!db)
        return PushStatus::BadFile;
    const auto closeDb = qScopeGuard([db]() { sqlite3_close(db); });
    if (version > kSchemaVersion) {
        *error = QStringLiteral("%1 is of results schema version %2, newer than this hil knows (%3)")
                     .arg(dbPath)
                     .arg(version)
                     .arg(kSchemaVersion);
        return PushStatus::BadFile;
    }
    switch (ensureCentralSchema(pg, error)) {
    case CentralSchemaState::Ready:
        break;
    case CentralSchemaState::Newer:
        return PushStatus::NewerCentral;
    case CentralSchemaState::Failed:
        return PushStatus::Failed;
    }
    // Which of the file's ended runs the store has: one query for all.
    QList<RunHeader> ended;
    for (const RunHeader &r : *runs) {
        if (r.unfinished() && !r.interrupted)
            ++(r.live ? result->stillRunning : result->undecided);
        else
            ended.append(r);
    }
    QSet<QString> have;
    if (!ended.isEmpty()) {
        QByteArray array = "{";
        for (qsizetype i = 0; i < ended.size(); ++i)
            array += (i ? ",\"" : "\"") + ended[i].uuid.toUtf8() + '"';
        array += '}';
        const auto r = pg.exec("SELECT uuid FROM runs WHERE uuid = ANY($1::text[])", {array});
        if (!r) {
            *error = pg.error();
            return PushStatus::Failed;
        }
        for (const auto &row : r->rows)
            have.insert(QString::fromUtf8(row.value(0).value_or(QByteArray())));
    }
    Pusher pusher(db, version, pg);
    for (const RunHeader &run : std::as_const(ended)) {
        if (have.contains(run.uuid)) {
            ++result->present;
            continue;
        }
        bool present = false;
        qint64 rows = 0;
        QString why;
        if (!pusher.push(run, &present, &rows, &why)) {
            *error = QStringLiteral("run %1 (%2) was not pushed, and nothing of it was kept: %3; %4 run(s) "
                                    "pushed before it are in the store; push again to send the rest")
                         .arg(run.id)
                         .arg(run.uuid, why)
                         .arg(result->pushed);
            return PushStatus::Failed;
        }
        if (present) {
            ++result->present;
            continue;
        }
        ++result->pushed;
        result->rows += rows;
        if (progress)
            progress(QStringLiteral("pushed run %1 (%2, %3, %4) with %5 rows")
                         .arg(run.id)
                         .arg(run.scenario, run.verdict, run.uuid)
                         .arg(rows));
    }
    return PushStatus::Done;
}

} // namespace hil
