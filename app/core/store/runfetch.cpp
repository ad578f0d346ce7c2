#include "core/store/runfetch.h"

#include "core/store/centralcolumns.h"
#include "core/store/centralschema.h"
#include "core/store/copytext.h"
#include "core/store/pgconnection.h"
#include "core/store/schema.h"
#include "core/store/sqliteerror.h"
#include "core/store/sqlitestatement.h"
#include "core/store/steprollup.h"

#include <QHash>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <charconv>
#include <cstdlib>

namespace hil {

namespace {

struct Fetch {
    PgConnection &pg;
    QString *error;
    FetchStatus status = FetchStatus::Done;

    bool badRequest(const QString &why) {
        *error = why;
        status = FetchStatus::BadRequest;
        return false;
    }
    bool failed(const QString &why) {
        *error = why;
        status = FetchStatus::Failed;
        return false;
    }
};

std::optional<qint64> firstId(const std::optional<PgRows> &r) {
    if (!r || r->rows.isEmpty() || !r->rows.first().value(0))
        return std::nullopt;
    return r->rows.first().value(0)->toLongLong();
}

// A run named on a command line, by RunQuery::resolveRun's rules, in the store.
std::optional<qint64> resolve(Fetch &f, const QString &spec) {
    const QString s = spec.trimmed();
    const QString where = f.pg.display();
    if (s.isEmpty() || s.compare(u"latest", Qt::CaseInsensitive) == 0) {
        const auto r = f.pg.exec("SELECT id FROM runs ORDER BY started_at_ns DESC, id DESC LIMIT 1");
        if (!r)
            return f.failed(f.pg.error()), std::nullopt;
        if (const auto id = firstId(r))
            return id;
        return f.badRequest(QStringLiteral("%1 holds no runs").arg(where)), std::nullopt;
    }
    bool isNumber = false;
    const qint64 id = s.toLongLong(&isNumber);
    if (isNumber) {
        const auto r = f.pg.exec("SELECT id FROM runs WHERE id = $1", {QByteArray::number(id)});
        if (!r)
            return f.failed(f.pg.error()), std::nullopt;
        if (firstId(r))
            return id;
        return f.badRequest(QStringLiteral("%1 has no run %2 (see hil runs --db %1)").arg(where).arg(id)),
               std::nullopt;
    }
    static const QRegularExpression uuidChars(QStringLiteral("^[0-9a-fA-F-]+$"));
    if (s.size() < 8 || !uuidChars.match(s).hasMatch())
        return f.badRequest(
                   QStringLiteral(
                       "'%1' is neither a run id, 'latest', nor 8 or more characters of a run's uuid")
                       .arg(s)),
               std::nullopt;
    const auto r =
        f.pg.exec("SELECT id FROM runs WHERE uuid LIKE $1 LIMIT 2", {(s.toLower() + u'%').toUtf8()});
    if (!r)
        return f.failed(f.pg.error()), std::nullopt;
    if (r->rows.size() == 1)
        return firstId(r);
    if (r->rows.isEmpty())
        return f.badRequest(QStringLiteral("%1 has no run with uuid %2").arg(where, s)), std::nullopt;
    return f.badRequest(QStringLiteral("'%1' names more than one run; give more of the uuid").arg(s)),
           std::nullopt;
}

bool selectRuns(Fetch &f, const FetchRequest &req, QList<qint64> *ids) {
    QSet<qint64> chosen;
    for (const QString &spec : req.runSpecs) {
        const auto id = resolve(f, spec);
        if (!id)
            return false;
        chosen.insert(*id);
        if (req.withBaseline) {
            const auto r = f.pg.exec(
                "SELECT p.id FROM runs p JOIN runs r ON r.id = $1 WHERE p.scenario = r.scenario AND "
                "p.fixture = r.fixture AND p.id <> r.id AND p.ended_at_ns IS NOT NULL AND p.started_at_ns < "
                "r.started_at_ns ORDER BY p.started_at_ns DESC, p.id DESC LIMIT 1",
                {QByteArray::number(*id)});
            if (!r)
                return f.failed(f.pg.error());
            if (const auto b = firstId(r))
                chosen.insert(*b);
        }
    }
    if (req.runSpecs.isEmpty()) {
        const RunFilter &flt = req.filter;
        QByteArray sql = "SELECT id FROM runs WHERE true";
        QList<std::optional<QByteArray>> params;
        const auto add = [&](const char *cond, const QByteArray &value) {
            params.append(value);
            sql += QByteArray(" AND ") + cond + " $" + QByteArray::number(params.size());
        };
        if (!flt.station.isEmpty())
            add("station =", flt.station.toUtf8());
        if (!flt.scenario.isEmpty())
            add("scenario =", flt.scenario.toUtf8());
        if (!flt.firmware.isEmpty())
            add("firmware =", flt.firmware.toUtf8());
        if (flt.sinceNs)
            add("started_at_ns >=", QByteArray::number(*flt.sinceNs));
        if (flt.untilNs)
            add("started_at_ns <", QByteArray::number(*flt.untilNs));
        sql += " ORDER BY started_at_ns DESC, id DESC";
        if (flt.last > 0)
            sql += " LIMIT " + QByteArray::number(flt.last);
        const auto r = f.pg.exec(sql.constData(), params);
        if (!r)
            return f.failed(f.pg.error());
        for (const auto &row : r->rows)
            chosen.insert(row.value(0).value_or("0").toLongLong());
    }
    *ids = QList<qint64>(chosen.begin(), chosen.end());
    std::sort(ids->begin(), ids->end());
    return true;
}

qint64 toInt(QByteArrayView v) {
    qint64 out = 0;
    std::from_chars(v.data(), v.data() + v.size(), out);
    return out;
}

bool bindField(SqliteStatement &ins, int at, const std::optional<QByteArrayView> &v, ColumnType type,
               QByteArray *scratch) {
    if (!v) {
        ins.bindNull(at);
        return true;
    }
    switch (type) {
    case ColumnType::Int:
        ins.bind(at, toInt(*v));
        return true;
    case ColumnType::Real:
        *scratch = v->toByteArray();
        sqlite3_bind_double(ins.get(), at, std::strtod(scratch->constData(), nullptr));
        return true;
    case ColumnType::Text:
        sqlite3_bind_text(ins.get(), at, v->data(), static_cast<int>(v->size()), SQLITE_TRANSIENT);
        return true;
    case ColumnType::Blob:
        if (!copytext::decodeBytea(*v, scratch))
            return false;
        sqlite3_bind_blob(ins.get(), at, scratch->constData(), static_cast<int>(scratch->size()),
                          SQLITE_TRANSIENT);
        return true;
    }
    return false;
}

// Renumbering: each run's rows of a table move to ids after those already written, keeping their order.
struct Offsets {
    QHash<qint64, qint64> byRun; // run id -> what is added to its ids
    qint64 next = 1;
};

class Copier {
public:
    Copier(Fetch &f, sqlite3 *db, const QByteArray &idList)
        : m_f(f)
        , m_db(db)
        , m_ids(idList) {}

    bool copyRuns();
    bool copyTable(const CentralTable &t);

private:
    Fetch &m_f;
    sqlite3 *m_db;
    QByteArray m_ids;
    QHash<QByteArray, Offsets> m_offsets; // by table name
};

bool Copier::copyRuns() {
    const CentralTable &t = centralTable("runs");
    QByteArray cols = "id", marks = "?";
    for (const CentralColumn &c : t.columns) {
        cols += QByteArray(", ") + c.name;
        marks += ", ?";
    }
    const QByteArray insert = "INSERT INTO runs (" + cols + ") VALUES (" + marks + ")";
    SqliteStatement ins(m_db, insert.constData());
    if (!ins.ok())
        return m_f.failed(ins.error());
    const QByteArray copy = "COPY (SELECT " + cols + " FROM runs WHERE id = ANY('" + m_ids
                            + "'::bigint[]) ORDER BY id) TO STDOUT";
    QString why;
    copytext::Row row;
    QByteArray scratch;
    const bool ok = m_f.pg.copyOut(copy.constData(), [&](const QByteArray &line) {
        if (!why.isEmpty())
            return;
        copytext::splitRow(QByteArrayView(line).chopped(1), &row);
        ins.reset();
        bindField(ins, 1, row.field(0), ColumnType::Int, &scratch);
        for (qsizetype i = 0; i < t.columns.size(); ++i)
            bindField(ins, static_cast<int>(i) + 2, row.field(i + 1), t.columns[i].type, &scratch);
        if (!ins.exec())
            why = ins.error();
    });
    if (!ok)
        return m_f.failed(m_f.pg.error());
    if (!why.isEmpty())
        return m_f.failed(QStringLiteral("cannot write the fetched runs: %1").arg(why));
    return true;
}

bool Copier::copyTable(const CentralTable &t) {
    QByteArray cols = "run_id, id", marks = "?, ?";
    for (const CentralColumn &c : t.columns) {
        cols += QByteArray(", ") + c.name;
        marks += ", ?";
    }
    const QByteArray insert = QByteArray("INSERT INTO ") + t.name + " (" + cols + ") VALUES (" + marks + ")";
    SqliteStatement ins(m_db, insert.constData());
    if (!ins.ok())
        return m_f.failed(ins.error());
    const QByteArray copy = "COPY (SELECT " + cols + " FROM " + t.name + " WHERE run_id = ANY('" + m_ids
                            + "'::bigint[]) ORDER BY run_id, id) TO STDOUT";
    // Columns holding ids of another table's rows of the same run.
    int faultCol = -1, stepCol = -1;
    for (qsizetype i = 0; i < t.columns.size(); ++i) {
        if (qstrcmp(t.columns[i].name, "fault_id") == 0)
            faultCol = static_cast<int>(i);
        if (qstrcmp(t.columns[i].name, "step_result_id") == 0)
            stepCol = static_cast<int>(i);
    }
    Offsets &own = m_offsets[t.name];
    const Offsets &faults = m_offsets["faults"];
    const Offsets &steps = m_offsets["step_results"];
    qint64 currentRun = -1, offset = 0, faultShift = 0, stepShift = 0;
    QString why;
    copytext::Row row;
    QByteArray scratch;
    const bool ok = m_f.pg.copyOut(copy.constData(), [&](const QByteArray &line) {
        if (!why.isEmpty())
            return;
        copytext::splitRow(QByteArrayView(line).chopped(1), &row);
        const qint64 run = toInt(row.field(0).value_or(QByteArrayView()));
        const qint64 id = toInt(row.field(1).value_or(QByteArrayView()));
        if (run != currentRun) {
            currentRun = run;
            offset = own.next - id;
            own.byRun.insert(run, offset);
            faultShift = faults.byRun.value(run, 0);
            stepShift = steps.byRun.value(run, 0);
        }
        own.next = id + offset + 1;
        ins.reset();
        ins.bind(1, run);
        ins.bind(2, id + offset);
        for (qsizetype i = 0; i < t.columns.size(); ++i) {
            const auto field = row.field(i + 2);
            const int at = static_cast<int>(i) + 3;
            if ((i == faultCol || i == stepCol) && field) {
                ins.bind(at, toInt(*field) + (i == faultCol ? faultShift : stepShift));
                continue;
            }
            if (!bindField(ins, at, field, t.columns[i].type, &scratch)) {
                why = QStringLiteral("%1.%2 of run %3 is not bytea text")
                          .arg(QString::fromLatin1(t.name), QString::fromLatin1(t.columns[i].name))
                          .arg(run);
                return;
            }
        }
        if (!ins.exec())
            why = ins.error();
    });
    if (!ok)
        return m_f.failed(m_f.pg.error());
    if (!why.isEmpty())
        return m_f.failed(QStringLiteral("cannot write the fetched rows: %1").arg(why));
    return true;
}

} // namespace

FetchStatus fetchRuns(PgConnection &pg, const FetchRequest &request, const QString &sqlitePath,
                      QString *error) {
    Fetch f{pg, error};
    const int version = centralSchemaVersion(pg, error);
    if (version < 0)
        return FetchStatus::Failed;
    if (version == 0) {
        *error = QStringLiteral("%1 holds no central store of hil (no hil_schema table; runs get there with "
                                "hil push)")
                     .arg(pg.display());
        return FetchStatus::BadRequest;
    }
    if (version > kCentralSchemaVersion) {
        *error =
            QStringLiteral("%1 holds a central schema of version %2, made by a later hil; this hil reads "
                           "version %3 (update hil)")
                .arg(pg.display())
                .arg(version)
                .arg(kCentralSchemaVersion);
        return FetchStatus::Failed;
    }
    QList<qint64> ids;
    if (!selectRuns(f, request, &ids))
        return f.status;

    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(sqlitePath.toUtf8().constData(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK) {
        *error =
            QStringLiteral("cannot create %1: %2").arg(sqlitePath, QString::fromUtf8(sqlite3_errmsg(db)));
        sqlite3_close(db);
        return FetchStatus::Failed;
    }
    const auto closeDb = qScopeGuard([db]() { sqlite3_close(db); });
    if (!prepareDatabase(db, error))
        return FetchStatus::Failed;
    // A scratch copy: no journal, no syncs, one transaction; the rows come consistent from the store. Its
    // indexes are made after the rows are in (one sort each instead of a b-tree insert per row).
    sqlite3_exec(db,
                 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF; "
                 "PRAGMA locking_mode=EXCLUSIVE; PRAGMA cache_size=-16384; BEGIN",
                 nullptr, nullptr, nullptr);
    QList<QByteArray> indexes;
    {
        SqliteStatement q(db, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL");
        QList<QByteArray> names;
        while (q.next()) {
            names.append(q.text(0).toUtf8());
            indexes.append(q.text(1).toUtf8());
        }
        for (const QByteArray &name : std::as_const(names))
            sqlite3_exec(db, QByteArray("DROP INDEX " + name).constData(), nullptr, nullptr, nullptr);
    }
    QByteArray idList = "{";
    for (qsizetype i = 0; i < ids.size(); ++i)
        idList += (i ? "," : "") + QByteArray::number(ids[i]);
    idList += '}';
    Copier copier(f, db, idList);
    if (!copier.copyRuns())
        return f.status;
    if (!request.headersOnly && !ids.isEmpty()) {
        for (const char *name : {"faults", "step_results", "measurements", "events", "exchanges"})
            if (!copier.copyTable(centralTable(name)))
                return f.status;
    }
    for (const QByteArray &index : std::as_const(indexes)) {
        if (sqlite3_exec(db, index.constData(), nullptr, nullptr, nullptr) != SQLITE_OK) {
            *error =
                QStringLiteral("cannot index %1: %2").arg(sqlitePath, QString::fromUtf8(sqlite3_errmsg(db)));
            return FetchStatus::Failed;
        }
    }
    if (!request.headersOnly) {
        // The central store keeps no rollups (derived data): each fetched run's are built from its rows,
        // as `hil merge` does, so that its report reads like the local one.
        QList<qint64> local;
        {
            SqliteStatement q(db, "SELECT id FROM runs");
            while (q.next())
                local.append(q.int64(0));
        }
        for (qint64 run : std::as_const(local)) {
            QString why;
            if (!rebuildStepRollups(db, run, &why)) {
                *error = QStringLiteral("cannot build the rollups of run %1 in %2: %3")
                             .arg(run)
                             .arg(sqlitePath, why);
                return FetchStatus::Failed;
            }
        }
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        *error = QStringLiteral("cannot write %1: %2").arg(sqlitePath, QString::fromUtf8(sqlite3_errmsg(db)));
        return FetchStatus::Failed;
    }
    return FetchStatus::Done;
}

} // namespace hil
