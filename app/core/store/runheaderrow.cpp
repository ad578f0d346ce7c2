#include "core/store/runheaderrow.h"

#include "core/store/bindingsjson.h"
#include "core/store/runliveness.h"
#include "core/store/sqlitestatement.h"

namespace hil {

QByteArray runHeaderSelect(int schemaVersion) {
    QByteArray sql = "SELECT id, uuid, scenario, scenario_path, fixture, fixture_path, station, dut_serial,"
                     " firmware, host, seed, started_at_ns, ended_at_ns, duration_ns, verdict, reason,"
                     " iterations, n_pass, n_fail, n_error, n_abort, n_marginal, ";
    // Version 2 added expected failures; older files have none.
    sql += schemaVersion >= 2 ? "n_expected" : "0";
    // Version 5 added retried tries.
    sql += schemaVersion >= 5 ? ", n_retried, vars" : ", 0, NULL";
    sql += " FROM runs";
    return sql;
}

RunHeader readRunHeader(const SqliteStatement &q) {
    RunHeader h;
    h.id = q.int64(0);
    h.uuid = q.text(1);
    h.scenario = q.text(2);
    h.scenarioPath = q.text(3);
    h.fixture = q.text(4);
    h.fixturePath = q.text(5);
    h.station = q.text(6);
    h.dutSerial = q.text(7);
    h.firmware = q.text(8);
    h.host = q.text(9);
    h.seed = static_cast<quint64>(q.int64(10));
    h.startedAtNs = q.int64(11);
    h.endedAtNs = q.optInt64(12);
    h.durationNs = q.optInt64(13);
    h.verdict = q.text(14);
    h.reason = q.text(15);
    h.iterations = q.int64(16);
    h.pass = q.int64(17);
    h.fail = q.int64(18);
    h.error = q.int64(19);
    h.abort = q.int64(20);
    h.marginal = q.int64(21);
    h.expected = q.int64(22);
    h.retried = q.int64(23);
    h.vars = bindingsFromJson(q.text(24).toUtf8());
    h.interrupted = h.verdict == u"ERROR" && h.reason.startsWith(u"interrupted: ");
    return h;
}

void applyLiveness(sqlite3 *db, int schemaVersion, RunHeader &h) {
    // Version 3 added the writer of a run and its heartbeat: before it, live and interrupted runs cannot
    // be told apart.
    if (schemaVersion < 3 || h.endedAtNs)
        return;
    const std::optional<UnfinishedRun> u = inspectUnfinishedRun(db, h.id);
    if (!u)
        return;
    h.live = u->state == UnfinishedRun::State::Live;
    if (u->state != UnfinishedRun::State::Interrupted)
        return;
    h.interrupted = true;
    h.endedAtNs = u->lastSignOfLifeNs;
    h.durationNs = u->recordedSpanNs;
    h.verdict = QStringLiteral("ERROR");
    h.reason = u->reason;
    h.pass = u->counts.pass;
    h.fail = u->counts.fail;
    h.error = u->counts.error;
    h.abort = u->counts.abort;
    h.marginal = u->counts.marginal;
    h.expected = u->counts.expected;
    h.retried = u->counts.retried;
}

} // namespace hil
