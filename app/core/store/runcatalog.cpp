#include "core/store/runcatalog.h"

#include "core/store/runliveness.h"

#include <QFileInfo>
#include <sqlite3.h>

namespace hil {

namespace {

QString text(sqlite3_stmt *s, int col) {
    const auto *p = sqlite3_column_text(s, col);
    return p ? QString::fromUtf8(reinterpret_cast<const char *>(p), sqlite3_column_bytes(s, col)) : QString();
}

} // namespace

std::optional<QList<RunRow>> listRuns(const QString &dbPath, QString *error) {
    if (!QFileInfo::exists(dbPath)) {
        if (error)
            *error = QStringLiteral("%1: no such database").arg(dbPath);
        return std::nullopt;
    }
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(dbPath.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        if (error)
            *error = QStringLiteral("cannot open %1: %2").arg(dbPath, QString::fromUtf8(sqlite3_errmsg(db)));
        sqlite3_close(db);
        return std::nullopt;
    }
    sqlite3_busy_timeout(db, 5000);
    int version = 0;
    {
        sqlite3_stmt *v = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &v, nullptr) == SQLITE_OK
            && sqlite3_step(v) == SQLITE_ROW)
            version = sqlite3_column_int(v, 0);
        sqlite3_finalize(v);
    }
    sqlite3_stmt *s = nullptr;
    const char *sql =
        "SELECT id, uuid, scenario, fixture, station, dut_serial, firmware, seed, started_at_ns,"
        " duration_ns, verdict, reason, iterations, n_pass, n_fail, n_error, n_abort, n_marginal"
        " FROM runs ORDER BY id";
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) {
        if (error)
            *error = QStringLiteral("%1 is not a results database: %2")
                         .arg(dbPath, QString::fromUtf8(sqlite3_errmsg(db)));
        sqlite3_close(db);
        return std::nullopt;
    }
    QList<RunRow> rows;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        RunRow r;
        r.id = sqlite3_column_int64(s, 0);
        r.uuid = text(s, 1);
        r.scenario = text(s, 2);
        r.fixture = text(s, 3);
        r.station = text(s, 4);
        r.dutSerial = text(s, 5);
        r.firmware = text(s, 6);
        r.seed = static_cast<quint64>(sqlite3_column_int64(s, 7));
        r.startedAtNs = sqlite3_column_int64(s, 8);
        if (sqlite3_column_type(s, 9) != SQLITE_NULL)
            r.durationNs = sqlite3_column_int64(s, 9);
        r.verdict = text(s, 10);
        r.reason = text(s, 11);
        r.iterations = sqlite3_column_int64(s, 12);
        r.pass = sqlite3_column_int64(s, 13);
        r.fail = sqlite3_column_int64(s, 14);
        r.error = sqlite3_column_int64(s, 15);
        r.abort = sqlite3_column_int64(s, 16);
        r.marginal = sqlite3_column_int64(s, 17);
        r.interrupted = r.verdict == u"ERROR" && r.reason.startsWith(u"interrupted: ");
        rows.append(r);
    }
    const bool ok = rc == SQLITE_DONE;
    if (!ok && error)
        *error = QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_finalize(s);
    for (RunRow &r : rows) {
        if (!ok || version < 3 || r.durationNs || r.verdict != u"RUNNING")
            continue;
        const std::optional<UnfinishedRun> u = inspectUnfinishedRun(db, r.id);
        if (!u)
            continue;
        r.live = u->state == UnfinishedRun::State::Live;
        if (u->state != UnfinishedRun::State::Interrupted)
            continue;
        r.interrupted = true;
        r.verdict = QStringLiteral("ERROR");
        r.reason = u->reason;
        r.durationNs = u->recordedSpanNs;
        r.pass = u->counts.pass;
        r.fail = u->counts.fail;
        r.error = u->counts.error;
        r.abort = u->counts.abort;
        r.marginal = u->counts.marginal;
    }
    sqlite3_close(db);
    if (!ok)
        return std::nullopt;
    return rows;
}

} // namespace hil
