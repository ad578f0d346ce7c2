#include "core/store/centralschema.h"

#include "core/store/centralcolumns.h"
#include "core/store/pgconnection.h"

namespace hil {

namespace {

const char *pgType(ColumnType t) {
    switch (t) {
    case ColumnType::Int:
        return "BIGINT";
    case ColumnType::Real:
        return "DOUBLE PRECISION";
    case ColumnType::Text:
        return "TEXT";
    case ColumnType::Blob:
        return "BYTEA";
    }
    return "TEXT";
}

// Version 1: the results file's tables, each row keyed by its run and its id in the bench's file, plus
// who pushed a run and when.
QByteArray schemaV1() {
    QByteArray sql;
    for (const CentralTable &t : centralTables()) {
        sql += "CREATE TABLE ";
        sql += t.name;
        sql += " (\n";
        if (qstrcmp(t.name, "runs") == 0) {
            sql += "  id BIGSERIAL PRIMARY KEY";
        } else {
            sql += "  run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n  id BIGINT NOT NULL";
        }
        for (const CentralColumn &c : t.columns) {
            sql += ",\n  ";
            sql += c.name;
            sql += ' ';
            sql += pgType(c.type);
            if (qstrcmp(c.name, "uuid") == 0)
                sql += " NOT NULL UNIQUE";
        }
        if (qstrcmp(t.name, "runs") == 0)
            sql += ",\n  pushed_at_ns BIGINT NOT NULL,\n  pushed_by TEXT";
        else
            sql += ",\n  PRIMARY KEY (run_id, id)";
        sql += "\n);\n";
    }
    sql += "CREATE INDEX runs_scenario_started ON runs(scenario, started_at_ns);\n"
           "CREATE INDEX runs_station_started ON runs(station, started_at_ns);\n"
           "CREATE INDEX runs_started ON runs(started_at_ns);\n";
    return sql;
}

} // namespace

int centralSchemaVersion(PgConnection &pg, QString *error) {
    const auto has = pg.exec("SELECT to_regclass('hil_schema') IS NOT NULL");
    if (!has) {
        *error = pg.error();
        return -1;
    }
    if (has->rows.value(0).value(0).value_or("f") != "t")
        return 0;
    const auto v = pg.exec("SELECT max(version) FROM hil_schema");
    if (!v) {
        *error = pg.error();
        return -1;
    }
    return v->rows.value(0).value(0).value_or("0").toInt();
}

CentralSchemaState ensureCentralSchema(PgConnection &pg, QString *error) {
    const auto failed = [&]() {
        *error = pg.error();
        pg.execOk("ROLLBACK");
        return CentralSchemaState::Failed;
    };
    // Fast path: a current schema needs no lock and no transaction.
    const int found = centralSchemaVersion(pg, error);
    if (found < 0)
        return CentralSchemaState::Failed;
    if (found > kCentralSchemaVersion) {
        *error =
            QStringLiteral("%1 holds a central schema of version %2, made by a later hil; this hil knows "
                           "version %3 and will not write to it (update hil on this bench)")
                .arg(pg.display())
                .arg(found)
                .arg(kCentralSchemaVersion);
        return CentralSchemaState::Newer;
    }
    if (found == kCentralSchemaVersion)
        return CentralSchemaState::Ready;
    if (!pg.execOk("BEGIN") || !pg.execOk("SELECT pg_advisory_xact_lock(4849495300)"))
        return failed();
    // Under the lock: another bench may have created it meanwhile.
    const int now = centralSchemaVersion(pg, error);
    if (now < 0)
        return failed();
    if (now == 0) {
        if (!pg.execOk(
                "CREATE TABLE hil_schema (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL "
                "DEFAULT now(), applied_by TEXT)"))
            return failed();
        const QByteArray ddl = schemaV1();
        // The simple protocol runs a script of many statements; exec() binds, so run them one by one.
        for (const QByteArray &stmt : ddl.split(';')) {
            if (stmt.trimmed().isEmpty())
                continue;
            if (!pg.execOk(stmt.constData()))
                return failed();
        }
        if (!pg.execOk("INSERT INTO hil_schema(version, applied_by) VALUES (1, current_user)"))
            return failed();
    }
    // Later versions migrate here, one step at a time.
    if (!pg.execOk("COMMIT"))
        return failed();
    return CentralSchemaState::Ready;
}

} // namespace hil
